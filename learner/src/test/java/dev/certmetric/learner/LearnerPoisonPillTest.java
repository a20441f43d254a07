package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.DeadLetters;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, rows 1-3: one record that used to fail the job on every restart (a poison pill) now goes
 * to the dead-letter topic with a reason, and the job learns everything else.
 */
class LearnerPoisonPillTest extends WithEmbeddedKafka {
    private static final int VALID = 300;

    @Test
    void emptyLabelIsDeadLettered() throws Exception {
        byte[] poison = "{\"id\":\"p1\",\"label\":\"\",\"features\":[5.1,3.5,1.4,0.2]}".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> dlq = runWith("pill-label", poison);
        assertEquals("empty_label", header(dlq, DeadLetters.REASON_HEADER));
        assertEquals(new String(poison, StandardCharsets.UTF_8), new String(dlq.value(), StandardCharsets.UTF_8));
    }

    @Test
    void tenMegabyteEventIsDeadLetteredCut() throws Exception {
        String pad = "x".repeat(10 << 20);
        byte[] poison = ("{\"id\":\"p2\",\"label\":\"0\",\"features\":[5.1,3.5,1.4,0.2],\"pad\":\"" + pad + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> dlq = runWith("pill-large", poison);
        assertEquals("oversized", header(dlq, DeadLetters.REASON_HEADER));
        // wire names and the documented default of dlq.max-bytes, spelled out
        assertEquals(String.valueOf(poison.length), header(dlq, "certmetric.dlq.original-bytes"));
        assertEquals(65536, dlq.value().length);
    }

    @Test
    void featureOf1e308IsDeadLettered() throws Exception {
        byte[] poison = "{\"id\":\"p3\",\"label\":\"0\",\"features\":[5.1,1e308,1.4,0.2]}".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> dlq = runWith("pill-huge", poison);
        assertEquals("out_of_range", header(dlq, DeadLetters.REASON_HEADER));
        assertTrue(header(dlq, DeadLetters.DETAIL_HEADER).contains("features[1]"), header(dlq, DeadLetters.DETAIL_HEADER));
    }

    /** Runs a bounded job over VALID iris events with the poison in the middle; returns its one dead letter. */
    private static ConsumerRecord<byte[], byte[]> runWith(String model, byte[] poison) throws Exception {
        CertmetricConfig c = LearnerFixtures.config(broker, model, 1);
        LearnerFixtures.createTopics(broker, c, 1);
        List<byte[]> valid = LearnerFixtures.events(LearnerFixtures.split("iris", 5).train(), VALID, 3);
        List<byte[]> all = new ArrayList<>(valid.subList(0, VALID / 2));
        all.add(poison);
        all.addAll(valid.subList(VALID / 2, VALID));
        produceCompressed(c.eventsTopic(), all);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), all.size(), Duration.ofSeconds(30), a -> { });
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(120)); // throws if the job failed
        }
        List<MetricSnapshot> snapshots = LearnerFixtures.snapshots(c);
        assertTrue(!snapshots.isEmpty(), "snapshots were published");
        assertEquals(VALID, snapshots.get(snapshots.size() - 1).trainingStats().eventsSeen(), "every valid event learned");
        List<ConsumerRecord<byte[], byte[]>> dead = LearnerFixtures.readAll(broker, c.deadLettersTopic());
        assertEquals(1, dead.size(), "one dead letter");
        return dead.get(0);
    }

    /** zstd with a large max.request.size: how an attacker gets a 10 MB record past a 1 MB topic limit. */
    private static void produceCompressed(String topic, List<byte[]> values) {
        Properties props = new Properties();
        props.putAll(KafkaClientProperties.producer(broker.bootstrapServers()));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(32 << 20));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64 << 20));
        LearnerFixtures.produce(props, topic, values);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

}
