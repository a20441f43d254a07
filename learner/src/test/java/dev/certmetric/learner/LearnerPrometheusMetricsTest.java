package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learner's metrics as a cluster exports them: the job runs at parallelism 2 with Flink's own
 * Prometheus reporter, and the test scrapes its HTTP endpoint as Prometheus would.
 */
class LearnerPrometheusMetricsTest extends WithEmbeddedKafka {
    private static final String PREFIX = "flink_taskmanager_job_task_operator_certmetric_";
    /** One exposition line: name, optional {labels}, value. */
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    @Test
    void everyLearnerMetricReachesFlinksPrometheusReporter() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "prom", 2).toBuilder()
                .set("learner.certify-every", "50").build();
        LearnerFixtures.createTopics(broker, c, 2);
        LearnerFixtures.Split split = LearnerFixtures.split("wine", 13);
        int valid = 3000;
        List<byte[]> events = new ArrayList<>(LearnerFixtures.events(split.train(), valid, 4));
        // 3 malformed and 2 of the wrong dimension, so events_invalid has two label values
        for (int i = 0; i < 3; i++) {
            events.add(i * 700 + 5, "{not json".getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 2; i++) {
            events.add(i * 900 + 11, "{\"id\":\"d\",\"label\":\"1\",\"features\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
        }
        LearnerFixtures.produce(broker, c.eventsTopic(), events);

        int port = freePort();
        Configuration flink = new Configuration();
        flink.setString("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", String.valueOf(port));
        String job = LearnerJob.jobName(c).replaceAll("[^a-zA-Z0-9:_]", "_");
        List<Sample> ours = List.of();
        try (LocalLearner learner = LocalLearner.start(c, null, 0, flink)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                ours = scrape(port).stream().filter(s -> job.equals(s.labels().get("job_name"))).toList();
                // the publish lag is recorded when the checkpoint after a snapshot completes, the last metric to move
                if (sum(ours, "events_in", Map.of()) >= valid && sum(ours, "reason_events_invalid", Map.of()) >= 5
                        && sum(ours, "snapshot_publish_lag_ms_count", Map.of()) > 0) {
                    break;
                }
                Thread.sleep(500);
            }
        }
        Map<String, Integer> names = new TreeMap<>();
        ours.stream().filter(s -> s.name().startsWith(PREFIX)).forEach(s -> names.merge(s.name(), 1, Integer::sum));
        System.out.println("certmetric series on the Prometheus reporter: " + names);

        for (String subtask : new String[] {"0", "1"}) {
            Map<String, String> worker = Map.of("operator_name", "learner", "subtask_index", subtask);
            assertTrue(sum(ours, "events_in", worker) > 0, "events_in of learner subtask " + subtask);
            assertTrue(sum(ours, "updates", worker) > 0, "updates of learner subtask " + subtask);
            double accuracy = sum(ours, "prequential_accuracy", worker);
            assertTrue(accuracy > 0 && accuracy <= 1, "prequential_accuracy of subtask " + subtask + ": " + accuracy);
            assertTrue(sum(ours, "margin_micro_count", worker) > 0, "margin_micro of subtask " + subtask);
            assertTrue(sum(ours, "certified_radius_micro_count", worker) > 0, "certified_radius_micro of " + subtask);
            for (String gauge : new String[] {"loss_pull", "loss_hinge", "loss_perturbation"}) {
                assertTrue(Double.isFinite(sum(ours, gauge, worker)), gauge + " of subtask " + subtask);
            }
        }
        assertEquals(valid, sum(ours, "events_in", Map.of()), "events_in over both workers");
        assertEquals(3, sum(ours, "reason_events_invalid", Map.of("reason", "malformed_json")));
        assertEquals(2, sum(ours, "reason_events_invalid", Map.of("reason", "wrong_dimension")));
        assertTrue(sum(ours, "snapshots_published", Map.of()) > 0, "snapshots_published");
        assertTrue(sum(ours, "snapshot_version", Map.of()) > 0, "snapshot_version");
        assertTrue(sum(ours, "snapshot_publish_lag_ms_count", Map.of()) > 0, "snapshot_publish_lag_ms");
        assertTrue(names.containsKey(PREFIX + "model_syncs"), "model_syncs (parallelism 2) not exported");
    }

    /** Sum of the certmetric series {@code metric} over the samples whose labels include {@code labels}. */
    private static double sum(List<Sample> samples, String metric, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(PREFIX + metric))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).sum();
    }

    private static List<Sample> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        List<Sample> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            String v = m.group(4);
            out.add(new Sample(m.group(1), labels, v.endsWith("Inf")
                    ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.parseDouble(v)));
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
