package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongConsumer;

/**
 * A bounded slice of the events topic: per partition, the offsets to start at (the learner group's
 * committed offsets, else the beginning) and to stop before, holding exactly {@code n} records in
 * all. Bounding by offsets (rather than by stopping an operator) lets the Kafka source finish
 * normally, so the job ends with a final checkpoint that commits the last snapshot.
 */
public record EventRange(Map<TopicPartition, Long> start, Map<TopicPartition, Long> stop) {

    public long size() {
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : stop.entrySet()) {
            n += e.getValue() - start.get(e.getKey());
        }
        return n;
    }

    /**
     * Waits (up to {@code timeout}) until the topic holds at least {@code n} records past the
     * group's position and returns the first {@code n}, spread over partitions in proportion to
     * what each holds. {@code progress} receives the available count while waiting.
     */
    public static EventRange firstN(CertmetricConfig config, String groupId, long n, Duration timeout,
                                    LongConsumer progress) {
        Properties p = new Properties();
        p.putAll(config.kafkaPropertyMap());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.putAll(LearnerJob.NO_TELEMETRY);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        long deadline = System.nanoTime() + timeout.toNanos();
        String topic = config.eventsTopic();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            while (true) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> parts = new ArrayList<>();
                    for (PartitionInfo info : infos) {
                        parts.add(new TopicPartition(topic, info.partition()));
                    }
                    parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
                    Map<TopicPartition, Long> begin = c.beginningOffsets(parts, Duration.ofSeconds(10));
                    Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(10));
                    Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new java.util.HashSet<>(parts),
                            Duration.ofSeconds(10));
                    Map<TopicPartition, Long> start = new HashMap<>();
                    long available = 0;
                    for (TopicPartition tp : parts) {
                        OffsetAndMetadata om = committed.get(tp);
                        long s = Math.max(begin.get(tp), om == null ? 0 : om.offset());
                        start.put(tp, s);
                        available += Math.max(0, end.get(tp) - s);
                    }
                    if (available >= n) {
                        return allocate(parts, start, end, available, n);
                    }
                    progress.accept(available);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out waiting for " + n + " events in topic " + topic);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for events", e);
                }
            }
        }
    }

    static EventRange allocate(List<TopicPartition> parts, Map<TopicPartition, Long> start,
                               Map<TopicPartition, Long> end, long available, long n) {
        Map<TopicPartition, Long> stop = new HashMap<>();
        long assigned = 0;
        for (TopicPartition tp : parts) {
            long have = Math.max(0, end.get(tp) - start.get(tp));
            long take = (long) Math.floor((double) n * have / available);
            stop.put(tp, start.get(tp) + take);
            assigned += take;
        }
        for (TopicPartition tp : parts) { // hand out the rounding remainder
            if (assigned == n) {
                break;
            }
            long room = end.get(tp) - stop.get(tp);
            long extra = Math.min(room, n - assigned);
            stop.put(tp, stop.get(tp) + extra);
            assigned += extra;
        }
        return new EventRange(Map.copyOf(start), Map.copyOf(stop));
    }
}
