package dev.certmetric.learner;

import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Reads this model's snapshots back from the snapshots topic as {@link ModelSync}s; skips others, and those
 * that carry the identity by the Euclidean guard's choice: workers keep learning their own metric then.
 */
public final class ModelSyncDeserializer implements KafkaRecordDeserializationSchema<ModelSync> {
    private static final long serialVersionUID = 1L;
    private final String model;

    public ModelSyncDeserializer(String model) {
        this.model = model;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<ModelSync> out) {
        if (r.key() == null || r.value() == null || !model.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            return;
        }
        try {
            MetricSnapshot s = SnapshotCodec.decode(r.value());
            Hyperparameters h = s.hyperparameters();
            if (ModelMerger.EUCLIDEAN.equals(h.extra().get(ModelMerger.METRIC))) {
                return;
            }
            out.collect(new ModelSync(s.version(), s.q(), s.p(), s.l(), h.mu(), h.lambda(), h.tau(), h.learningRate()));
        } catch (IllegalArgumentException e) {
            // not a usable snapshot: nothing to sync to
        }
    }

    @Override
    public TypeInformation<ModelSync> getProducedType() {
        return ModelSync.TYPE;
    }
}
