package dev.certmetric.learner;

import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Follows one model's snapshots as they are committed (read_committed, no consumer group), keeping
 * the count, the first and last version and whether versions only ever grew. Not thread-safe.
 */
public final class SnapshotFollower implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String model;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private long count;
    private long firstVersion;
    private long lastVersion;
    private boolean strictlyIncreasing = true;
    private MetricSnapshot last;
    private long lastArrivalMillis;

    public SnapshotFollower(String bootstrap, Map<String, String> props, String topic, String model) {
        this.consumer = new KafkaConsumer<>(SnapshotTopicReader.consumerProperties(bootstrap, props),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.model = model;
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once; returns the snapshots that arrived. */
    public List<MetricSnapshot> poll(Duration timeout) {
        List<MetricSnapshot> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            SnapshotTopicReader.accept(r, model, out::add);
        }
        for (MetricSnapshot s : out) {
            if (count == 0) {
                firstVersion = s.version();
            } else if (s.version() <= lastVersion) {
                strictlyIncreasing = false;
            }
            count++;
            lastVersion = s.version();
            last = s;
            lastArrivalMillis = System.currentTimeMillis();
        }
        return out;
    }

    /** True when every committed record up to now has been read. */
    public boolean caughtUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, Duration.ofSeconds(10)) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    public long count() {
        return count;
    }

    public long firstVersion() {
        return firstVersion;
    }

    public long lastVersion() {
        return lastVersion;
    }

    public boolean strictlyIncreasing() {
        return strictlyIncreasing;
    }

    /** The latest snapshot read, or null. */
    public MetricSnapshot last() {
        return last;
    }

    public long lastArrivalMillis() {
        return lastArrivalMillis;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    /** Counts the committed records of a topic (e.g. the dead-letter topic). */
    public static long countRecords(String bootstrap, Map<String, String> props, String topic, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(SnapshotTopicReader.consumerProperties(bootstrap,
                props), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null) {
                return 0;
            }
            for (PartitionInfo info : infos) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long n = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : parts) {
                    done &= c.position(tp, timeout) >= end.get(tp);
                }
                if (done) {
                    break;
                }
                n += c.poll(Duration.ofMillis(200)).count();
            }
            return n;
        }
    }
}
