package dev.certmetric.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The in-process learner's Prometheus endpoint ({@code learn}, {@code demo}): {@code GET /metrics} in the text
 * format. On Jetty, which reads requests on its selectors without holding a thread, so clients that stall
 * mid-request cannot keep a scrape waiting; the JDK's HttpServer reads each request on a worker thread with no
 * deadline, and two stalled connections had taken both of its workers for good.
 */
final class MetricsEndpoint implements AutoCloseable {
    /** Stalled connections are closed after this long. */
    static final int IDLE_TIMEOUT_MS = 30_000;

    private final Server server;
    private final ServerConnector connector;

    private MetricsEndpoint(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Serves {@code registry} on {@code host:port} (0 picks a free port). */
    static MetricsEndpoint start(String host, int port, PrometheusMeterRegistry registry) throws IOException {
        QueuedThreadPool pool = new QueuedThreadPool(6, 2);
        pool.setName("certmetric-metrics-http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!"/metrics".equals(Request.getPathInContext(request))) {
                    send(response, callback, 404, "no such endpoint; try /metrics\n");
                } else if (!"GET".equals(request.getMethod())) {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET");
                    send(response, callback, 405, "method not allowed; use GET\n");
                } else {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    response.setStatus(200);
                    response.write(true, ByteBuffer.wrap(registry.scrape().getBytes(StandardCharsets.UTF_8)), callback);
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            stop(server);
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new MetricsEndpoint(server, connector);
    }

    private static void send(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        stop(server);
    }

    private static void stop(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(MetricsEndpoint.class).warn("stopping the metrics endpoint failed", e);
        }
    }
}
