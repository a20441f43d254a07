package dev.certmetric.eval;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.metric.RowBlocks;

import java.util.Arrays;
import java.util.List;

/**
 * How a metric separates a pool of labelled points (a snapshot's exemplars): for each measured point, the
 * adversarial margin of its triplet with the nearest same-class point (target) and the nearest other-class
 * point (impostor), and its leave-one-out nearest-neighbour distance, which calibrates anomaly scores.
 *
 * <p>At most {@link #MAX_ANCHORS} points are measured, evenly spaced through the pool, each against the whole
 * pool: the cost is O(min(n, 512) n q) rather than O(n^2 q), which with thousands of exemplars had cost a
 * publisher more than its learners, while 512 samples place the quantiles that are kept (deciles of margins,
 * percentiles of distances) to within a few hundredths in probability. The pool's projections sit in
 * {@link RowBlocks}, so each anchor's pass over the pool is one vectorised scan.
 */
public final class ExemplarStatistics {
    public static final int MAX_ANCHORS = 512;
    /** Quantiles in an anomaly calibration (percentiles). */
    public static final int CALIBRATION_POINTS = 101;

    private final double[] margins;
    private final double[] nearestDistances;

    private ExemplarStatistics(double[] margins, double[] nearestDistances) {
        this.margins = margins;
        this.nearestDistances = nearestDistances;
    }

    /**
     * @param pool preprocessed points
     * @param classes each point's class
     */
    public static ExemplarStatistics of(MahalanobisMetric metric, List<double[]> pool, int[] classes) {
        int n = pool.size();
        if (classes.length != n) {
            throw new IllegalArgumentException(n + " points but " + classes.length + " classes");
        }
        int q = metric.rank();
        double[] lx = new double[n * q];
        for (int i = 0; i < n; i++) {
            System.arraycopy(metric.transform(pool.get(i)), 0, lx, i * q, q);
        }
        RowBlocks rows = new RowBlocks(lx, n, q);
        double[] anchor = new double[q];
        double[] dist = new double[n];
        int anchors = Math.min(n, MAX_ANCHORS);
        double[] margins = new double[anchors];
        double[] nearest = new double[anchors];
        int mCount = 0;
        int nCount = 0;
        for (int a = 0; a < anchors; a++) {
            int i = (int) ((long) a * n / anchors);
            System.arraycopy(lx, i * q, anchor, 0, q);
            rows.squaredDistances(anchor, dist);
            int target = -1;
            int impostor = -1;
            double dt = Double.POSITIVE_INFINITY;
            double di = Double.POSITIVE_INFINITY;
            int ci = classes[i];
            for (int j = 0; j < n; j++) {
                double d = dist[j];
                if (classes[j] == ci) {
                    if (d < dt && j != i) {
                        dt = d;
                        target = j;
                    }
                } else if (d < di) {
                    di = d;
                    impostor = j;
                }
            }
            double d = Math.min(dt, di);
            if (Double.isFinite(d)) {
                nearest[nCount++] = Math.sqrt(d);
            }
            if (target >= 0 && impostor >= 0) {
                double margin = metric.margin(pool.get(i), pool.get(target), pool.get(impostor));
                if (Double.isFinite(margin)) {
                    margins[mCount++] = margin;
                }
            }
        }
        return new ExemplarStatistics(Arrays.copyOf(margins, mCount), Arrays.copyOf(nearest, nCount));
    }

    /** Margins of the measured points that have a target and an impostor (copy). */
    public double[] margins() {
        return margins.clone();
    }

    /**
     * The anomaly calibration: {@link #CALIBRATION_POINTS} {@link Quantiles#evenly} of the nearest-neighbour
     * distances, or none with fewer than two.
     */
    public double[] calibration() {
        return nearestDistances.length < 2 ? new double[0] : Quantiles.evenly(nearestDistances, CALIBRATION_POINTS);
    }

    /** Nearest-neighbour distances (Mahalanobis, not squared) of the measured points (copy). */
    public double[] nearestDistances() {
        return nearestDistances.clone();
    }
}
