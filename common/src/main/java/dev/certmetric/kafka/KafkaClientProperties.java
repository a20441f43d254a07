package dev.certmetric.kafka;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/** Client settings shared by every certmetric producer and consumer. */
public final class KafkaClientProperties {
    private KafkaClientProperties() {
    }

    /** Durable producer: every write acknowledged by all in-sync replicas and never duplicated by retries. */
    public static Properties producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }

    /**
     * Consumer that only sees committed transactional writes (the learner's outputs are written
     * transactionally) and starts from the beginning when its group has no offsets yet.
     */
    public static Properties consumer(String bootstrapServers, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    // ---- snapshot records: a p=784 snapshot with hundreds of exemplars is ~5 MB, far above
    // Kafka's 1 MB defaults (topic max.message.bytes, producer max.request.size, consumer fetch sizes).

    /**
     * How long a snapshot record stays safe from compaction. Compaction keeps only the latest record per model, so
     * without a lag one bad record written under the model's key (a careless producer, an attacker) would remove
     * the last good snapshot, and a scorer started afterwards would find nothing to serve. With it, a fresh scorer
     * still reads the good snapshots of the last hour before the bad record, serves the newest and rejects the
     * bad one. It costs an hour of snapshots on disk (snapshots.every-millis and the snapshot size set how much).
     */
    public static final long SNAPSHOT_MIN_COMPACTION_LAG_MS = 3_600_000;

    /**
     * The snapshot topic's configuration: compacted after {@link #SNAPSHOT_MIN_COMPACTION_LAG_MS}, records
     * (batches, after compression) up to {@code maxBytes}.
     */
    public static Map<String, String> snapshotTopicConfig(int maxBytes) {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxBytes),
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(SNAPSHOT_MIN_COMPACTION_LAG_MS));
    }

    /**
     * Producer settings for snapshot records of up to {@code maxBytes} serialized (the producer checks
     * the uncompressed size against {@code max.request.size} and {@code buffer.memory}), zstd-compressed
     * on the wire (the exemplars' JSON numbers compress about 2-3x).
     */
    public static Map<String, String> snapshotProducer(int maxBytes) {
        return Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxBytes),
                ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(32L * 1024 * 1024, 2L * maxBytes)),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    }

    /** Consumer fetch sizes that hold a whole snapshot record of up to {@code maxBytes} in one fetch. */
    public static Map<String, String> snapshotConsumer(int maxBytes) {
        return Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(maxBytes),
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(maxBytes));
    }
}
