package dev.certmetric.monitoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP endpoint serving {@code GET /metrics} in the Prometheus text format. Other
 * handlers (the scorer's /score, /model, /health) can be added with {@link #server()}.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private final HttpServer server;
    private volatile boolean closed;

    private MetricsHttpServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on the given address (port 0 picks a free port). */
    public static MetricsHttpServer start(String host, int port, PrometheusMeterRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    respond(exchange, 405, "text/plain", "method not allowed\n");
                    return;
                }
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "certmetric-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new MetricsHttpServer(server);
    }

    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public HttpServer server() {
        return server;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
        }
    }
}
