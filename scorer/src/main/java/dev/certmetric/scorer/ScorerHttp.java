package dev.certmetric.scorer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The scorer's HTTP endpoints on an embedded Jetty (core, no servlets):
 * <ul>
 *   <li>{@code POST /score}: a request as on the request topic, answered synchronously with the same JSON;
 *       200 for an answer, 400 for an error answer, 413 for a body over {@link ScorerLimits#maxRequestBytes()},
 *       503 while no model is loaded, 500 for an internal error;</li>
 *   <li>{@code GET /model}: {@code {"name", "version", "age_seconds", "created_at", "loaded_at", "p", "q", "k",
 *       "rows", "exemplars", "classes", "calibration"}}, or 503 {@code {"error"}} before a model is loaded;</li>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP", "model", "version"}} when Kafka Streams runs and a model
 *       is loaded; 503 {@code {"status":"DOWN", "streams"}} when Kafka Streams (stream or global snapshot
 *       thread) has stopped; 503 {@code {"status":"WAITING_FOR_MODEL"}} before the first model;</li>
 *   <li>{@code GET /metrics}: Prometheus text.</li>
 * </ul>
 *
 * <p>Why Jetty and not the JDK's {@code HttpServer}: the JDK server reads a request's headers on a
 * handler thread, so a client that sends half a header holds that thread until it gives up (two such
 * sockets blocked every request for minutes). Jetty parses headers without a thread, closes a connection
 * idle or stalled for {@link ScorerLimits#httpIdleTimeoutMs()}, reads bodies asynchronously up to the
 * size bound, and stops accepting beyond {@link ScorerLimits#httpMaxConnections()}.
 */
public final class ScorerHttp implements AutoCloseable {
    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final String JSON = "application/json";
    /** The acceptor thread Jetty leases for itself (idle under keep-alive). */
    private static final int ACCEPTORS = 1;

    private final Server server;
    private final ServerConnector connector;

    private ScorerHttp(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts the endpoints on {@code host:port} (0 picks a free port).
     *
     * @param streams the Kafka Streams client's state, for {@code /health}
     */
    public static ScorerHttp start(String host, int port, ScorerLimits limits, PrometheusMeterRegistry meters,
            ModelRegistry registry, Scorer scorer, Supplier<KafkaStreams.State> streams) throws IOException {
        // One selector per core: with a non-blocking handler (Routes) each selector reads, answers and writes its
        // connections' requests itself, so a core serves requests without a thread hand-off or wake-up per request.
        int selectors = Runtime.getRuntime().availableProcessors();
        int threads = limits.effectiveHttpThreads() + ACCEPTORS + selectors;
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(threads, 4));
        pool.setName("certmetric-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, ACCEPTORS, selectors, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.httpIdleTimeoutMs());
        server.addConnector(connector);
        server.addBean(new ConnectionLimit(limits.httpMaxConnections(), server));
        server.setHandler(new Routes(limits, meters, registry, scorer, streams, pool));
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            throw new IOException("cannot start HTTP on " + host + ":" + port + ": " + e, e);
        }
        return new ScorerHttp(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ScorerHttp.class).warn("stopping HTTP failed", e);
        }
    }

    /**
     * Non-blocking (it never waits: bodies are read and answers written asynchronously, and the answer is
     * computation), so Jetty runs it on the selector that read the request instead of handing every request to a
     * pool thread: on two cores that hand-off (a wake-up and a context switch) cost more than a p = 16 answer.
     */
    private static final class Routes extends Handler.Abstract.NonBlocking {
        private final ScorerLimits limits;
        private final PrometheusMeterRegistry meters;
        private final ModelRegistry registry;
        private final Scorer scorer;
        private final Supplier<KafkaStreams.State> streams;
        private final QueuedThreadPool pool;

        Routes(ScorerLimits limits, PrometheusMeterRegistry meters, ModelRegistry registry, Scorer scorer,
                Supplier<KafkaStreams.State> streams, QueuedThreadPool pool) {
            this.limits = limits;
            this.meters = meters;
            this.registry = registry;
            this.scorer = scorer;
            this.streams = streams;
            this.pool = pool;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String expected = "/score".equals(path) ? "POST" : "GET";
            switch (path) {
                case "/score", "/model", "/health", "/metrics" -> {
                    if (!expected.equals(request.getMethod())) {
                        response.getHeaders().put(HttpHeader.ALLOW, expected);
                        send(response, callback, 405, JSON, error("method not allowed; use " + expected));
                        return true;
                    }
                }
                default -> {
                    send(response, callback, 404, JSON, error("no such endpoint; try /score, /model, /health, /metrics"));
                    return true;
                }
            }
            switch (path) {
                case "/score" -> score(request, response, callback);
                case "/model" -> model(response, callback);
                case "/health" -> health(response, callback);
                default -> send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8",
                        meters.scrape().getBytes(StandardCharsets.UTF_8));
            }
            return true;
        }

        private void score(Request request, Response response, Callback callback) {
            int max = limits.maxRequestBytes();
            if (request.getLength() > max) {
                refuse(request, response, callback, max);
                return;
            }
            // Read without holding a thread. A body that came with the headers (the usual small request) is
            // scored here, on the selector that read it; one completed later by a read callback is scored on the
            // pool: a hand-off per request costs more than a p = 16 answer.
            java.util.concurrent.CompletableFuture<byte[]> read = Content.Source.asByteArrayAsync(request, max);
            java.util.function.BiConsumer<byte[], Throwable> reply = (body, failure) -> {
                if (failure != null) {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof HttpException) {
                        // A body the connection cannot frame (a bad chunk size, say): what follows it is not a request.
                        response.getHeaders().put(HttpHeader.CONNECTION, "close");
                        send(response, callback, 400, JSON, scorer.refused("http", "malformed",
                                "malformed request body: " + cause.getMessage()).json());
                    } else if (cause instanceof IOException) {
                        callback.failed(cause); // the client went away or stalled past the idle timeout
                    } else {
                        refuse(request, response, callback, max); // a chunked body over the bound
                    }
                    return;
                }
                Scorer.Answer answer = scorer.answer(body, registry.current(), "http");
                int status = !answer.error() ? 200
                        : "no_model".equals(answer.errorKind()) ? 503
                        : "internal".equals(answer.errorKind()) ? 500
                        : "too_large".equals(answer.errorKind()) ? 413 : 400;
                send(response, callback, status, JSON, answer.json());
            };
            if (read.isDone()) {
                read.whenComplete(reply);
            } else {
                read.whenCompleteAsync(reply, pool);
            }
        }

        /**
         * 413 once the rest of the body is read and dropped (up to {@link #drainLimit}): a server that answers and
         * closes with a body still arriving makes the client's TCP stack see a reset, which can destroy the 413
         * before the client reads it. Beyond the limit the connection is closed as before, and a declared length beyond
         * it is answered at once. The 413 says
         * {@code Connection: close} either way: a chunked body refused while being read may leave unread bytes that
         * end the connection, and a client that reused it for its next request got no answer to that one.
         */
        private void refuse(Request request, Response response, Callback callback, int max) {
            byte[] answer = scorer.refused("http", "too_large", "request body over " + max + " bytes").json();
            Runnable reply = () -> {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                send(response, callback, 413, JSON, answer);
            };
            if (request.getLength() > drainLimit(max)) {
                // It would be cut off at the limit anyway: answer at once rather than wait for the bytes (or, from a
                // client that declared more than it sends, for the idle timeout).
                reply.run();
            } else {
                drain(request, drainLimit(max), reply);
            }
        }

        private static long drainLimit(int max) {
            return Math.max(4L * max, 1 << 20);
        }

        private static void drain(Content.Source source, long budget, Runnable done) {
            long left = budget;
            while (true) {
                Content.Chunk chunk = source.read();
                if (chunk == null) {
                    long remaining = left;
                    source.demand(() -> drain(source, remaining, done));
                    return;
                }
                left -= chunk.remaining();
                boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
                chunk.release();
                if (end || left < 0) {
                    done.run();
                    return;
                }
            }
        }

        private void model(Response response, Callback callback) {
            ServingModel m = registry.current();
            if (m == null) {
                send(response, callback, 503, JSON, error("no model loaded yet"));
                return;
            }
            send(response, callback, 200, JSON, json(g -> {
                Instant now = Instant.now();
                g.writeStringField("name", m.name());
                g.writeNumberField("version", m.version());
                g.writeNumberField("age_seconds", m.ageSeconds(now));
                g.writeStringField("created_at", m.snapshot().createdAt().toString());
                g.writeStringField("loaded_at", m.loadedAt().toString());
                g.writeNumberField("p", m.snapshot().p());
                g.writeNumberField("q", m.snapshot().q());
                g.writeNumberField("k", m.k());
                g.writeStringField("rows", m.snapshot().preprocessing().rows().name());
                g.writeNumberField("exemplars", m.snapshot().exemplars().size());
                g.writeArrayFieldStart("classes");
                for (String c : m.snapshot().classes()) {
                    g.writeString(c);
                }
                g.writeEndArray();
                g.writeStringField("calibration", m.calibration().fromSnapshot() ? "snapshot" : "exemplars");
            }));
        }

        /** UP needs a running Kafka Streams client (a rebalance is routine) and a model. */
        private void health(Response response, Callback callback) {
            KafkaStreams.State state = streams.get();
            ServingModel m = registry.current();
            if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
                send(response, callback, 503, JSON, json(g -> {
                    g.writeStringField("status", "DOWN");
                    g.writeStringField("streams", state.name());
                }));
            } else if (m == null) {
                send(response, callback, 503, JSON, json(g -> g.writeStringField("status", "WAITING_FOR_MODEL")));
            } else {
                send(response, callback, 200, JSON, json(g -> {
                    g.writeStringField("status", "UP");
                    g.writeStringField("model", m.name());
                    g.writeNumberField("version", m.version());
                }));
            }
        }
    }

    private static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] error(String message) {
        return json(g -> g.writeStringField("error", message));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
