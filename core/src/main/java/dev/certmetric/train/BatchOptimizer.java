package dev.certmetric.train;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.objective.ObjectiveValue;
import dev.certmetric.objective.TripletSet;

import java.util.List;

/**
 * A full-batch optimiser of the LMNN-PL objective over the reference triplets (docs/ALGORITHM.md,
 * sections 2 and 4). {@link BatchOptimizers} maps the CLI's names to the implementations.
 */
public interface BatchOptimizer {
    /** A fitted metric with the objective after each iteration (the first entry is at the start). */
    record Fit(MahalanobisMetric metric, int iterations, List<ObjectiveValue> trace) {
        public ObjectiveValue last() {
            return trace.get(trace.size() - 1);
        }
    }

    /** Fits on preprocessed rows x over the given triplets of their indices. */
    Fit fit(double[][] x, TripletSet triplets);

    /** Fits on preprocessed rows x with class codes y over the triplets of section 2. */
    Fit fit(double[][] x, int[] y);
}
