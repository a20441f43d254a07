package dev.certmetric.learner;

import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.SignatureHeaders;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SignatureException;
import dev.certmetric.signing.SigningKey;
import dev.certmetric.signing.TrustedKeys;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads committed snapshots ({@code isolation.level=read_committed}) of one model from the snapshots
 * topic, without a consumer group (manual assignment, nothing committed).
 */
public final class SnapshotTopicReader {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTopicReader.class);

    private SnapshotTopicReader() {
    }

    public static Properties consumerProperties(String bootstrap, Map<String, String> extra) {
        Properties p = new Properties();
        // whole snapshot records in one fetch (the client's pass-through properties may set other sizes)
        p.putAll(KafkaClientProperties.snapshotConsumer(CertmetricConfig.DEFAULT_SNAPSHOT_MAX_BYTES));
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(LearnerJob.NO_TELEMETRY);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return p;
    }

    /**
     * The highest committed version of the configured model, 0 if none or if the topic does not
     * exist; throws if the topic cannot be read (so a job start fails and is retried instead of
     * restarting the version sequence).
     */
    public static long lastVersion(CertmetricConfig config, Duration timeout) {
        long[] max = {0};
        readAll(config.bootstrapServers(), config.kafkaPropertyMap(), config.snapshotsTopic(), config.modelName(),
                timeout, r -> true, s -> max[0] = Math.max(max[0], s.version()));
        return max[0];
    }

    /**
     * The committed snapshot of the configured model with the highest version that this learner trusts:
     * with {@code snapshots.signing-key} set, only one signed with that key (anyone who can write to the
     * topic could otherwise plant the model a fresh job continues from). Each record of the model that fails
     * the check is skipped with a WARN naming the reason. Null if the topic holds no snapshot of the model;
     * throws if it holds some but none is trusted (continuing none of them silently would drop the model), and
     * like {@link #lastVersion} if the topic cannot be read.
     */
    public static MetricSnapshot lastTrusted(CertmetricConfig config, Duration timeout) {
        Predicate<ConsumerRecord<byte[], byte[]>> trusted = r -> true;
        long[] untrusted = {0};
        String keyId = null;
        if (config.signingKey() != null) {
            TrustedKeys own;
            try {
                SigningKey key = Keys.readSigningKey(config.signingKey());
                own = TrustedKeys.of(key.publicKey());
                keyId = key.id();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String id = keyId;
            trusted = r -> {
                try {
                    own.verify(r.value(), SignatureHeaders.keyId(r.headers()), SignatureHeaders.signature(r.headers()));
                    return true;
                } catch (SignatureException e) {
                    untrusted[0]++;
                    LOG.warn("not continuing the record at {}-{}@{} of {}: {} (snapshots.signing-key has id {})",
                            r.topic(), r.partition(), r.offset(), config.modelName(), e.getMessage(), id);
                    return false;
                }
            };
        }
        MetricSnapshot[] last = {null};
        readAll(config.bootstrapServers(), config.kafkaPropertyMap(), config.snapshotsTopic(), config.modelName(),
                timeout, trusted, s -> {
                    if (last[0] == null || s.version() > last[0].version()) {
                        last[0] = s;
                    }
                });
        if (last[0] == null && untrusted[0] > 0) {
            throw new IllegalStateException(config.snapshotsTopic() + " holds " + untrusted[0] + " snapshot record(s) of "
                    + config.modelName() + " but none signed by snapshots.signing-key (id " + keyId + "; reasons in "
                    + "the WARNs before): restore a checkpoint or savepoint, start once with the key that signed the "
                    + "last one, or start with --from-scratch (learner.from-scratch) to learn anew");
        }
        return last[0];
    }

    /** All committed snapshots of {@code model} currently in the topic, in log order. */
    public static List<MetricSnapshot> readAll(String bootstrap, Map<String, String> props, String topic, String model,
                                               Duration timeout) {
        List<MetricSnapshot> out = new ArrayList<>();
        readAll(bootstrap, props, topic, model, timeout, r -> true, out::add);
        return out;
    }

    private static void readAll(String bootstrap, Map<String, String> props, String topic, String model,
                                Duration timeout, Predicate<ConsumerRecord<byte[], byte[]>> trusted,
                                Consumer<MetricSnapshot> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrap, props),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (System.nanoTime() < deadline) {
                boolean done = true;
                for (TopicPartition tp : partitions) {
                    if (consumer.position(tp, timeout) < end.get(tp)) {
                        done = false;
                    }
                }
                if (done) {
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (ofModel(r, model) && trusted.test(r)) {
                        accept(r, model, sink);
                    }
                }
            }
            throw new IllegalStateException("timed out reading the snapshots topic " + topic);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // Never guess: starting at version 0 while the topic holds later versions would break monotonicity.
            throw new IllegalStateException("cannot read the snapshots topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private static boolean ofModel(ConsumerRecord<byte[], byte[]> r, String model) {
        return r.key() != null && r.value() != null && model.equals(new String(r.key(), StandardCharsets.UTF_8));
    }

    static void accept(ConsumerRecord<byte[], byte[]> r, String model, Consumer<MetricSnapshot> sink) {
        if (!ofModel(r, model)) {
            return;
        }
        try {
            sink.accept(SnapshotCodec.decode(r.value()));
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping an undecodable snapshot at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
        }
    }
}
