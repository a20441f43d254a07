package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.kafka.DeadLetters;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * learner.max-classes on the real broker at parallelism 2: a producer that keeps sending new labels gets
 * them dead-lettered (reason too_many_classes) once the limit is reached, while every event of an
 * admitted class is learned. Each partition starts with hundreds of iris events, so all three iris
 * classes reach the (single) class limit before any new label, however the two partitions interleave.
 */
class LearnerClassLimitTest extends WithEmbeddedKafka {

    @Test
    void labelsBeyondTheLimitAreDeadLetteredAtParallelismTwo() throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, "classlimit", 2).toBuilder()
                .set("learner.max-classes", "3").build();
        LearnerFixtures.createTopics(broker, c, 2);
        LearnerFixtures.Split split = LearnerFixtures.split("iris", 5);
        List<byte[]> all = new ArrayList<>(LearnerFixtures.events(split.train(), 600, 3));
        List<byte[]> newLabels = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            newLabels.add(EventEncoder.toJson(new LabeledEvent("n" + i, "new-" + i, split.train().row(i % split.train().rows()),
                    1_700_000_000_000L + i)));
        }
        all.addAll(newLabels);
        LearnerFixtures.produce(broker, c.eventsTopic(), all);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), all.size(), Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0, CollectingReporter.configuration())) {
            job.await(Duration.ofSeconds(120));
        }

        List<ConsumerRecord<byte[], byte[]>> dead = LearnerFixtures.readAll(broker, c.deadLettersTopic());
        assertEquals(newLabels.size(), dead.size(), "every event with a label beyond the limit is dead-lettered");
        Set<String> deadIds = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertEquals(ClassLimitFunction.REASON,
                    new String(r.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8));
            int i = newLabels.indexOf(newLabels.stream().filter(b -> java.util.Arrays.equals(b, r.value())).findFirst()
                    .orElseThrow(() -> new AssertionError("not an original record: " + new String(r.value(), StandardCharsets.UTF_8))));
            assertArrayEquals(newLabels.get(i), r.value(), "original bytes kept");
            deadIds.add("n" + i);
        }
        assertEquals(newLabels.size(), deadIds.size(), "each dead-lettered once");
        assertEquals(newLabels.size(), CollectingReporter.count(id -> id.contains(LearnerJob.jobName(c))
                && id.contains(ClassLimitFunction.REASON) && id.endsWith(".events_invalid")));

        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        LearnerFixtures.assertStrictlyIncreasing(snapshots);
        MetricSnapshot last = snapshots.get(snapshots.size() - 1);
        assertEquals(new TreeSet<>(split.train().classes()), new TreeSet<>(last.classes()), "only the admitted classes");
        assertEquals(600, last.trainingStats().eventsSeen(), "every event of an admitted class is learned");
    }
}
