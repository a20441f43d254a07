package dev.certmetric.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's metrics endpoint: the registry in the Prometheus format, other paths and methods refused, and a scrape
 * answered while clients hold connections stalled mid-request (the JDK HttpServer it replaces timed out here). */
class MetricsEndpointTest {
    @Test
    void servesTheRegistryWhileStalledClientsHoldConnections() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("certmetric.test.events").increment(3);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Socket> stalled = new ArrayList<>();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry)) {
            URI metrics = URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics");
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", endpoint.port());
                OutputStream out = s.getOutputStream();
                out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // never ends
                out.flush();
                stalled.add(s);
            }
            HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.body().contains("certmetric_test_events_total 3.0"), scrape.body());
            assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertEquals(405, client.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            assertEquals(404, client.send(HttpRequest.newBuilder(metrics.resolve("/nope")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** A taken port is one line naming the key and the way out (it was an IOException's stack trace). */
    @Test
    void aTakenPortNamesTheKey() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            dev.certmetric.config.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.certmetric.config.BadInputException.class, () -> FlinkMetricsBridge.serve(taken.getLocalPort()));
            assertTrue(e.getMessage().startsWith("metrics.port = " + taken.getLocalPort() + ": "), e.getMessage());
            assertTrue(e.getMessage().endsWith("set metrics.port to a free port, or to 0 for no endpoint"), e.getMessage());
        }
    }
}
