package dev.certmetric.learner;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes a snapshot to the compacted snapshots topic with the model name as key. */
public final class SnapshotSerializer implements KafkaRecordSerializationSchema<SnapshotRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public SnapshotSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(SnapshotRecord r, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, r.createdAtMillis, r.modelName.getBytes(StandardCharsets.UTF_8),
                r.value);
    }
}
