package dev.certmetric.eval;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One method's results averaged over the evaluation rounds.
 *
 * @param accuracyMean clean test accuracy, mean over rounds
 * @param accuracyStd its standard deviation over rounds
 * @param noisy Gaussian noise sigma -> mean accuracy on noisy test inputs, ascending sigma
 * @param certified radius -> mean certified accuracy (correct and provably robust at that radius), ascending radius
 * @param fitSecondsMean mean training wall time in seconds
 */
public record MethodResult(double accuracyMean, double accuracyStd, SortedMap<Double, Double> noisy,
        SortedMap<Double, Double> certified, double fitSecondsMean) {

    public MethodResult {
        noisy = copy(noisy, "noisy");
        certified = copy(certified, "certified");
        if (!Double.isFinite(accuracyMean) || !Double.isFinite(accuracyStd) || !Double.isFinite(fitSecondsMean)) {
            throw new IllegalArgumentException("accuracy and fit time must be finite");
        }
    }

    private static SortedMap<Double, Double> copy(Map<Double, Double> map, String what) {
        TreeMap<Double, Double> copy = new TreeMap<>();
        for (Map.Entry<Double, Double> e : Objects.requireNonNull(map, what).entrySet()) {
            if (!Double.isFinite(e.getKey()) || e.getKey() < 0 || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException(what + ": keys must be finite and >= 0, values finite; got " + e);
            }
            copy.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableSortedMap(copy);
    }
}
