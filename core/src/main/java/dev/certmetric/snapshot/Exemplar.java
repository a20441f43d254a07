package dev.certmetric.snapshot;

import java.util.Arrays;
import java.util.Objects;

/** A labelled training vector, already preprocessed, that the scorer searches for neighbours. */
public record Exemplar(String label, double[] features) {
    public Exemplar {
        Objects.requireNonNull(label, "label");
        features = features.clone();
        for (double v : features) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("exemplar of class '" + label + "' has a non-finite feature");
            }
        }
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
        return o instanceof Exemplar e && label.equals(e.label) && Arrays.equals(features, e.features);
    }

    @Override
    public int hashCode() {
        return label.hashCode() * 31 + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return "Exemplar[" + label + ", " + features.length + " features]";
    }
}
