package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.DeadLetters;
import dev.certmetric.embedded.WithEmbeddedKafka;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        LearnerFixtures.produce(broker, c.eventsTopic(), all);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), all.size(), Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0, CollectingReporter.configuration())) {
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
        assertEquals(invalidCount, CollectingReporter.count(id -> id.contains(LearnerJob.jobName(c))
                && id.endsWith(".events_invalid")));
        String job = LearnerJob.jobName(c);
        for (String metric : new String[] {"events_in", "updates", "margin_micro", "certified_radius_micro",
                "snapshots_published", "snapshot_publish_lag_ms"}) {
            assertTrue(CollectingReporter.count(id -> id.contains(job) && id.endsWith(".certmetric." + metric)) > 0,
                    "certmetric." + metric + " did not move");
        }
        for (String gauge : new String[] {"loss_hinge", "prequential_accuracy", "snapshot_version"}) {
            assertTrue(CollectingReporter.gaugeSet(id -> id.contains(job) && id.endsWith(".certmetric." + gauge)),
                    "certmetric." + gauge + " not set");
        }
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        assertEquals(valid.size(), snapshots.get(snapshots.size() - 1).trainingStats().eventsSeen(),
                "only valid events are learned");
    }


}
