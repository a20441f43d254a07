package dev.certmetric.scorer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.certmetric.monitoring.MetricsHttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The scorer's HTTP endpoints, added to a {@link MetricsHttpServer} (which serves {@code GET /metrics}):
 * <ul>
 *   <li>{@code GET /model}: {@code {"name", "version", "age_seconds", "created_at", "loaded_at", "p", "q", "k",
 *       "exemplars", "classes", "calibration"}}, or 503 {@code {"error"}} before a model is loaded;</li>
 *   <li>{@code POST /score}: a request as on the request topic, answered synchronously with the same JSON;
 *       200 for an answer, 400 for an error answer, 503 while no model is loaded, 413 for bodies over 64 MiB;</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP", "model", "version"}} once a model is loaded, else 503
 *       {@code {"status":"WAITING_FOR_MODEL"}}.</li>
 * </ul>
 */
public final class ScorerHttp {
    static final int MAX_BODY = 64 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON = "application/json";

    private ScorerHttp() {
    }

    public static void install(MetricsHttpServer http, ModelRegistry registry, Scorer scorer) {
        HttpServer server = http.server();
        server.createContext("/model", exchange -> {
            try (exchange) {
                if (!method(exchange, "GET")) {
                    return;
                }
                ServingModel m = registry.current();
                if (m == null) {
                    send(exchange, 503, json(g -> g.writeStringField("error", "no model loaded yet")));
                    return;
                }
                send(exchange, 200, json(g -> {
                    Instant now = Instant.now();
                    g.writeStringField("name", m.name());
                    g.writeNumberField("version", m.version());
                    g.writeNumberField("age_seconds", m.ageSeconds(now));
                    g.writeStringField("created_at", m.snapshot().createdAt().toString());
                    g.writeStringField("loaded_at", m.loadedAt().toString());
                    g.writeNumberField("p", m.snapshot().p());
                    g.writeNumberField("q", m.snapshot().q());
                    g.writeNumberField("k", m.k());
                    g.writeNumberField("exemplars", m.snapshot().exemplars().size());
                    g.writeArrayFieldStart("classes");
                    for (String c : m.snapshot().classes()) {
                        g.writeString(c);
                    }
                    g.writeEndArray();
                    g.writeStringField("calibration", m.calibration().fromSnapshot() ? "snapshot" : "exemplars");
                }));
            }
        });
        server.createContext("/health", exchange -> {
            try (exchange) {
                if (!method(exchange, "GET")) {
                    return;
                }
                ServingModel m = registry.current();
                if (m == null) {
                    send(exchange, 503, json(g -> g.writeStringField("status", "WAITING_FOR_MODEL")));
                } else {
                    send(exchange, 200, json(g -> {
                        g.writeStringField("status", "UP");
                        g.writeStringField("model", m.name());
                        g.writeNumberField("version", m.version());
                    }));
                }
            }
        });
        server.createContext("/score", exchange -> {
            try (exchange) {
                if (!method(exchange, "POST")) {
                    return;
                }
                byte[] body = readBody(exchange.getRequestBody());
                if (body == null) {
                    send(exchange, 413, Scorer.error(null, "too_large", "request body over " + MAX_BODY + " bytes").json());
                    return;
                }
                Scorer.Answer answer = scorer.answer(body, registry.current(), "http");
                int status = !answer.error() ? 200
                        : "no_model".equals(answer.errorKind()) ? 503
                        : "internal".equals(answer.errorKind()) ? 500 : 400;
                send(exchange, status, answer.json());
            }
        });
    }

    private static boolean method(HttpExchange exchange, String expected) throws IOException {
        if (expected.equals(exchange.getRequestMethod())) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", expected);
        send(exchange, 405, json(g -> g.writeStringField("error", "method not allowed; use " + expected)));
        return false;
    }

    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_BODY) {
                return null;
            }
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
