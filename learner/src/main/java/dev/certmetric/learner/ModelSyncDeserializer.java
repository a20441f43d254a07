package dev.certmetric.learner;

import dev.certmetric.kafka.SignatureHeaders;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SigningKey;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads this model's snapshots back from the snapshots topic as {@link ModelSync}s; skips others, those that
 * carry the identity by the Euclidean guard's choice (workers keep learning their own metric then) and, when
 * snapshots are signed, those not signed by this learner's own key: a forged record must not become the
 * workers' metric.
 */
public final class ModelSyncDeserializer implements KafkaRecordDeserializationSchema<ModelSync> {
    private static final long serialVersionUID = 1L;
    private final String model;
    /** Null: snapshots are not signed. */
    private final String signingKeyFile;
    private transient SigningKey signingKey;

    public ModelSyncDeserializer(String model, Path signingKeyFile) {
        this.model = model;
        this.signingKeyFile = signingKeyFile == null ? null : signingKeyFile.toString();
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        if (signingKeyFile != null) {
            signingKey = Keys.readSigningKey(Path.of(signingKeyFile));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<ModelSync> out) {
        if (r.key() == null || r.value() == null || !model.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            return;
        }
        if (signingKey != null && !signedByUs(r)) {
            return;
        }
        try {
            MetricSnapshot s = SnapshotCodec.decode(r.value());
            Hyperparameters h = s.hyperparameters();
            if (h.carriesEuclidean()) {
                return;
            }
            out.collect(new ModelSync(s.version(), s.q(), s.p(), s.l(), h.mu(), h.lambda(), h.tau(), h.learningRate()));
        } catch (IllegalArgumentException e) {
            // not a usable snapshot: nothing to sync to
        }
    }

    private boolean signedByUs(ConsumerRecord<byte[], byte[]> r) {
        return signingKey.verifies(r.value(), SignatureHeaders.keyId(r.headers()), SignatureHeaders.signature(r.headers()));
    }

    @Override
    public TypeInformation<ModelSync> getProducedType() {
        return ModelSync.TYPE;
    }
}
