package dev.certmetric.learner;

import dev.certmetric.kafka.SignatureHeaders;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SigningKey;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a snapshot to the compacted snapshots topic with the model name as key and, when a signing key is
 * configured, its Ed25519 signature and key id in the record's headers. The key file is read where the sink
 * runs (a TaskManager, e.g. from a mounted secret), never shipped inside the job graph.
 */
public final class SnapshotSerializer implements KafkaRecordSerializationSchema<SnapshotRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    /** Null: unsigned. */
    private final String signingKeyFile;
    private transient SigningKey signingKey;

    public SnapshotSerializer(String topic, Path signingKeyFile) {
        this.topic = topic;
        this.signingKeyFile = signingKeyFile == null ? null : signingKeyFile.toString();
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        if (signingKeyFile != null) {
            signingKey = Keys.readSigningKey(Path.of(signingKeyFile));
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(SnapshotRecord r, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        if (signingKey != null) {
            SignatureHeaders.sign(headers, signingKey, r.value);
        }
        return new ProducerRecord<>(topic, null, r.createdAtMillis, r.modelName.getBytes(StandardCharsets.UTF_8),
                r.value, headers);
    }
}
