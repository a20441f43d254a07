package dev.certmetric.snapshot;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The learner settings a snapshot was trained with, kept beside the model so a score can be traced
 * to its configuration.
 *
 * @param k target neighbours per anchor
 * @param impostors impostors sampled per anchor (v)
 * @param mu weight of the pull term against the push term
 * @param lambda weight of the perturbation (robustness) loss
 * @param tau perturbation radius the robust loss targets, in preprocessed units
 * @param rank the rank q of L
 * @param stepRule name of the step-size rule, e.g. "constant" or "adagrad"
 * @param learningRate base step size
 * @param windowPerClass labelled vectors kept per class; also bounds the snapshot's exemplars
 * @param batchSize events per gradient step
 * @param extra further settings by name, sorted (for settings this record does not name)
 */
public record Hyperparameters(int k, int impostors, double mu, double lambda, double tau, int rank, String stepRule,
        double learningRate, int windowPerClass, int batchSize, SortedMap<String, String> extra) {
    /** The {@link #extra} entry naming the metric a snapshot carries: {@link #LEARNED_METRIC} or {@link #EUCLIDEAN_METRIC}. */
    public static final String METRIC = "metric";
    /** The learner's own L. */
    public static final String LEARNED_METRIC = "learned";
    /**
     * The identity, published while the learner's Euclidean guard preferred it; the learned L is then not in the
     * snapshot, and {@link #rank} is the identity's (p), whatever rank the learner runs at.
     */
    public static final String EUCLIDEAN_METRIC = "euclidean";

    public Hyperparameters {
        positive("k", k);
        positive("impostors", impostors);
        positive("rank", rank);
        positive("windowPerClass", windowPerClass);
        positive("batchSize", batchSize);
        nonNegative("mu", mu);
        nonNegative("lambda", lambda);
        nonNegative("tau", tau);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("hyperparameter learningRate must be finite and > 0, got " + learningRate);
        }
        if (stepRule == null || stepRule.isBlank()) {
            throw new IllegalArgumentException("hyperparameter stepRule must be a non-blank name");
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : Objects.requireNonNull(extra, "extra").entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "extra key"), Objects.requireNonNull(e.getValue(), "extra value"));
        }
        extra = Collections.unmodifiableSortedMap(copy);
    }

    /** Whether the snapshot carries the identity its learner's Euclidean guard preferred, not a learned L. */
    public boolean carriesEuclidean() {
        return EUCLIDEAN_METRIC.equals(extra.get(METRIC));
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException("hyperparameter " + name + " must be >= 1, got " + v);
        }
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("hyperparameter " + name + " must be finite and >= 0, got " + v);
        }
    }
}
