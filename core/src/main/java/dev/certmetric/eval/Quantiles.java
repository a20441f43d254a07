package dev.certmetric.eval;

import java.util.Arrays;

/**
 * Quantiles by linear interpolation between order statistics: the f quantile of n sorted values is
 * v[lo] + (pos - lo) (v[lo + 1] - v[lo]) with pos = f (n - 1) and lo = floor(pos). The one rule behind a snapshot's
 * margin quantiles and anomaly calibration, and a scorer's calibration of a snapshot that has none.
 */
public final class Quantiles {
    private Quantiles() {
    }

    /**
     * The f quantile (f in [0, 1]) of a sorted, non-empty array, kept within its two order statistics so that
     * rounding cannot leave them: quantiles of increasing f never decrease.
     */
    public static double of(double[] sorted, double f) {
        double pos = f * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double v = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
        return Math.max(sorted[lo], Math.min(sorted[hi], v));
    }

    /** m >= 2 quantiles of non-empty values in any order: entry i is the i / (m - 1) quantile. */
    public static double[] evenly(double[] values, int m) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = of(sorted, (double) i / (m - 1));
        }
        return out;
    }
}
