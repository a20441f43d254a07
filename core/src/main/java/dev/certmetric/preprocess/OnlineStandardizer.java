package dev.certmetric.preprocess;

/**
 * Incremental mean and population variance (Welford), for streams. Mutable; {@link #current()}
 * returns an immutable {@link Standardizer} of the statistics so far.
 *
 * <p>Inputs are bounded by {@link #MAX_ABS_FEATURE}, which keeps every statistic finite for any
 * stream length a {@code long} can count.
 */
public final class OnlineStandardizer {
    /**
     * Largest accepted |x| of a feature: 1e140. The mean stays in [-B, B] (a running average), so each
     * Welford term {@code delta * (x - mean)} is at most (2B)^2 = 4e280, and the sum of squared
     * deviations over 2^63 events at most 4e280 * 9.3e18 = 3.7e299, far below Double.MAX_VALUE
     * (1.8e308); the pairwise merge adds at most the same. B = 1e150 would not do: (2e150)^2 * 2^63
     * overflows.
     */
    public static final double MAX_ABS_FEATURE = 1e140;

    private final double[] mean;
    private final double[] m2;
    private long count;

    public OnlineStandardizer(int p) {
        this.mean = new double[p];
        this.m2 = new double[p];
    }

    /** Restores a state written by {@link #count()}, {@link #meanView()}, {@link #m2View()}. */
    public static OnlineStandardizer restore(long count, double[] mean, double[] m2) {
        if (mean.length != m2.length || count < 0) {
            throw new IllegalArgumentException("inconsistent standardizer state");
        }
        OnlineStandardizer s = new OnlineStandardizer(mean.length);
        System.arraycopy(mean, 0, s.mean, 0, mean.length);
        System.arraycopy(m2, 0, s.m2, 0, m2.length);
        s.count = count;
        return s;
    }

    public void update(double[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        for (int f = 0; f < x.length; f++) {
            if (!(Math.abs(x[f]) <= MAX_ABS_FEATURE)) {
                throw new IllegalArgumentException("feature " + f + " = " + x[f] + " is not finite or exceeds |x| <= "
                        + MAX_ABS_FEATURE);
            }
        }
        count++;
        for (int f = 0; f < x.length; f++) {
            double delta = x[f] - mean[f];
            mean[f] += delta / count;
            m2[f] += delta * (x[f] - mean[f]);
        }
    }

    /**
     * The exact statistics of the union of two disjoint samples (Chan, Golub and LeVeque's pairwise
     * update of Welford's sums), as a new instance; neither input changes.
     */
    public static OnlineStandardizer merge(OnlineStandardizer a, OnlineStandardizer b) {
        if (a.mean.length != b.mean.length) {
            throw new IllegalArgumentException("cannot merge statistics of " + a.mean.length + " and "
                    + b.mean.length + " features");
        }
        OnlineStandardizer out = new OnlineStandardizer(a.mean.length);
        long n = a.count + b.count;
        out.count = n;
        if (n == 0) {
            return out;
        }
        for (int f = 0; f < a.mean.length; f++) {
            double delta = b.mean[f] - a.mean[f];
            out.mean[f] = a.mean[f] + delta * ((double) b.count / n);
            out.m2[f] = a.m2[f] + b.m2[f] + delta * delta * ((double) a.count * b.count / n);
        }
        return out;
    }

    /** An independent copy. */
    public OnlineStandardizer copy() {
        return restore(count, mean, m2);
    }

    public long count() {
        return count;
    }

    public int dimension() {
        return mean.length;
    }

    /** Live view of the running means, for serializers; do not modify. */
    public double[] meanView() {
        return mean;
    }

    /** Live view of the running sums of squared deviations, for serializers; do not modify. */
    public double[] m2View() {
        return m2;
    }

    /** The preprocessing of the statistics so far, with rows scaled by {@code rows}. */
    public Standardizer current(RowScaling rows) {
        double[] std = new double[mean.length];
        if (count > 0) {
            for (int f = 0; f < std.length; f++) {
                std[f] = Math.sqrt(Math.max(0, m2[f] / count));
            }
        }
        return new Standardizer(mean, std, rows);
    }
}
