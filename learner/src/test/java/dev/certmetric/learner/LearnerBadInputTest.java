package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.DeadLetters;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.monitoring.Monitoring;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Valid events mixed with every kind of invalid one: the invalid go to the DLQ, the job lives on. */
class LearnerBadInputTest extends WithEmbeddedKafka {

    @Test
    void invalidEventsGoToTheDeadLetterTopicWithReasons() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "badinput", 1).toBuilder()
                .set("events.max-bytes", "2048").set("learner.certify-every", "50").build();
        LearnerFixtures.createTopics(broker, c, 1);
        LearnerFixtures.Split split = LearnerFixtures.split("iris", 5);
        List<byte[]> valid = LearnerFixtures.events(split.train(), 1000, 9);
        byte[][] invalid = {
                "{not json".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"m1\",\"features\":[1,2,3,4]}".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"d1\",\"label\":\"0\",\"features\":[1,2,3]}".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"n1\",\"label\":\"0\",\"features\":[1,NaN,3,4]}".getBytes(StandardCharsets.UTF_8),
                ("{\"id\":\"o1\",\"label\":\"0\",\"features\":[1,2,3,4],\"pad\":\"" + "x".repeat(3000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8),
        };
        String[] reasons = {"malformed_json", "missing_field", "wrong_dimension", "non_finite", "oversized"};
        // Interleave: every 100 valid events, one invalid of each kind in turn (the first record is valid).
        List<byte[]> all = new ArrayList<>();
        Map<String, Integer> expected = new TreeMap<>();
        for (int i = 0; i < valid.size(); i++) {
            all.add(valid.get(i));
            if (i % 100 == 50) {
                int kind = (i / 100) % invalid.length;
                all.add(invalid[kind]);
                expected.merge(reasons[kind], 1, Integer::sum);
            }
        }
        int invalidCount = all.size() - valid.size();
        double before = invalidCounterSum();
        LearnerFixtures.produce(broker, c.eventsTopic(), all);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), all.size(), Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(90)); // finished normally: invalid input did not fail the job
        }

        Map<String, Integer> seen = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : LearnerFixtures.readAll(broker, c.deadLettersTopic())) {
            String reason = new String(r.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8);
            seen.merge(reason, 1, Integer::sum);
            int kind = Arrays.asList(reasons).indexOf(reason);
            assertArrayEquals(invalid[kind], r.value(), "original bytes kept for " + reason);
        }
        assertEquals(expected, seen);
        assertEquals(invalidCount, invalidCounterSum() - before, 1e-9);
        String scrape = Monitoring.registry().scrape();
        for (String meter : new String[] {"certmetric_events_invalid_total", "certmetric_events_in_total",
                "certmetric_updates_total", "certmetric_loss_hinge", "certmetric_prequential_accuracy",
                "certmetric_margin{", "certmetric_snapshot_version", "certmetric_snapshot_publish_lag_seconds",
                "certmetric_certified_radius{"}) {
            org.junit.jupiter.api.Assertions.assertTrue(scrape.contains(meter), "no " + meter + " in /metrics");
        }
        long radii = Monitoring.registry().find("certmetric.certified.radius").tag("model", c.modelName())
                .summaries().stream().mapToLong(io.micrometer.core.instrument.DistributionSummary::count).sum();
        org.junit.jupiter.api.Assertions.assertTrue(radii > 0, "prequential certified radii are recorded");
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        assertEquals(valid.size(), snapshots.get(snapshots.size() - 1).trainingStats().eventsSeen(),
                "only valid events are learned");
    }

    private static double invalidCounterSum() {
        return Monitoring.registry().find("certmetric.events.invalid").tag("model", "badinput").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

}
