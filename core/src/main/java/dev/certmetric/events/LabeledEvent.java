package dev.certmetric.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * One labeled training example as it travels through Kafka.
 *
 * @param id       unique id, also the Kafka record key
 * @param label    class label text
 * @param features feature vector; copied on the way in and out so the event stays immutable
 * @param ts       event time in epoch millis, or null when the producer did not set one
 */
public record LabeledEvent(String id, String label, double[] features, Long ts) {
    public LabeledEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        features = Objects.requireNonNull(features, "features").clone();
    }

    @Override
    public double[] features() {
        return features.clone();
    }

    public int dimension() {
        return features.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledEvent e
                && id.equals(e.id) && label.equals(e.label)
                && Arrays.equals(features, e.features) && Objects.equals(ts, e.ts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, label, Arrays.hashCode(features), ts);
    }

    @Override
    public String toString() {
        return "LabeledEvent[id=" + id + ", label=" + label + ", features=" + Arrays.toString(features)
                + ", ts=" + ts + "]";
    }
}
