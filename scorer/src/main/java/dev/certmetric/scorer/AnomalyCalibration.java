package dev.certmetric.scorer;

import dev.certmetric.eval.ExemplarStatistics;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * The anomaly score: the empirical quantile, in [0, 1], of a query's nearest-exemplar distance
 * within a model's calibration distribution of training nearest-neighbour distances.
 *
 * <p>The calibration is the snapshot's {@code trainingStats.anomalyCalibration}: n >= 2
 * non-decreasing quantiles c_0..c_{n-1} of the training nearest-neighbour distances (Mahalanobis,
 * not squared, between preprocessed vectors), c_i being the i/(n-1) quantile. A distance d scores
 * F(d), the piecewise-linear interpolation of the points (c_i, i/(n-1)): 0 at or below c_0 (as
 * close to the training data as the closest training pairs), 1 at or beyond c_{n-1} (farther from
 * every exemplar than any training point was from its nearest neighbour), and 0.99 means "farther
 * than 99% of training points were from their nearest neighbour". On a plateau (equal quantiles)
 * the upper end is used, so F(d) is the fraction of training distances <= d. Because it is a
 * probability under each model's own distribution of distances, the score has the same meaning
 * across models, metrics and dimensions, unlike the raw distance.
 *
 * <p>A snapshot without a calibration (empty list) is calibrated here from its exemplars: the
 * leave-one-out nearest-exemplar distances of at most 512 of them, summarised as 101 percentiles.
 */
public final class AnomalyCalibration {
    private final double[] quantiles;
    private final boolean fromSnapshot;

    private AnomalyCalibration(double[] quantiles, boolean fromSnapshot) {
        if (quantiles.length < 2) {
            throw new IllegalArgumentException("a calibration needs at least 2 quantiles, got " + quantiles.length);
        }
        for (int i = 0; i < quantiles.length; i++) {
            if (!(quantiles[i] >= 0) || !Double.isFinite(quantiles[i]) || (i > 0 && quantiles[i] < quantiles[i - 1])) {
                throw new IllegalArgumentException("calibration quantiles must be finite, >= 0 and non-decreasing");
            }
        }
        this.quantiles = quantiles;
        this.fromSnapshot = fromSnapshot;
    }

    /** The snapshot's quantiles (copied). */
    public static AnomalyCalibration ofQuantiles(double[] quantiles) {
        return new AnomalyCalibration(quantiles.clone(), true);
    }

    /**
     * The nearest-neighbour distances of the given (preprocessed) points under the metric that
     * {@link ExemplarStatistics} measures (every point's when there are at most
     * {@link ExemplarStatistics#MAX_ANCHORS}, else as many evenly spaced ones', each against all the others), as
     * {@link ExemplarStatistics#calibration}: the calibration a learner publishes, computed alike. Needs at least 2 points.
     * O(min(n, 512) n q + n q p).
     */
    public static AnomalyCalibration fromExemplars(MahalanobisMetric metric, double[][] points) {
        if (points.length < 2) {
            throw new IllegalArgumentException("need at least 2 points to calibrate, got " + points.length);
        }
        // One class: the nearest neighbour is all that is wanted, and without another class no margin is computed.
        return new AnomalyCalibration(
                ExemplarStatistics.of(metric, Arrays.asList(points), new int[points.length]).calibration(), false);
    }

    /** The anomaly score of a nearest-exemplar distance, in [0, 1]. */
    public double score(double distance) {
        if (Double.isNaN(distance)) {
            throw new IllegalArgumentException("distance is NaN");
        }
        int n = quantiles.length;
        // last index i with quantiles[i] <= distance
        int lo = 0;
        int hi = n - 1;
        if (distance < quantiles[0]) {
            return 0.0;
        }
        if (distance >= quantiles[n - 1]) {
            return 1.0;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (quantiles[mid] <= distance) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int i = lo; // quantiles[i] <= d < quantiles[i+1]
        double frac = (distance - quantiles[i]) / (quantiles[i + 1] - quantiles[i]);
        return (i + frac) / (n - 1);
    }

    public double[] quantiles() {
        return quantiles.clone();
    }

    /** True when the quantiles came with the snapshot, false when computed from its exemplars. */
    public boolean fromSnapshot() {
        return fromSnapshot;
    }
}
