package dev.certmetric.preprocess;

import java.util.Arrays;
import java.util.Objects;

/**
 * The paper's preprocessing (docs/SNAPSHOT_FORMAT.md, "Applying the model"): subtract the feature mean, divide by the
 * population standard deviation, then scale the row to unit L2 norm.
 *
 * <p>Immutable. A feature whose standard deviation is (numerically) zero is only centred: dividing
 * by zero would turn a constant column into NaN, and a constant carries no information anyway.
 */
public final class Standardizer {
    /** Standard deviations below this are treated as a constant feature. */
    public static final double MIN_STD = 1e-12;

    private final double[] mean;
    private final double[] scale;

    /**
     * @param mean per-feature mean
     * @param std per-feature population standard deviation (zero for a constant feature)
     */
    public Standardizer(double[] mean, double[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " entries but std has " + std.length);
        }
        this.mean = mean.clone();
        this.scale = new double[std.length];
        for (int f = 0; f < std.length; f++) {
            if (!(std[f] >= 0) || Double.isInfinite(std[f]) || !Double.isFinite(mean[f])) {
                throw new IllegalArgumentException("feature " + f + ": mean and std must be finite and std >= 0");
            }
            scale[f] = std[f] < MIN_STD ? 1.0 : 1.0 / std[f];
        }
    }

    /** The identity on centred data: mean 0, std 1 (only the unit-norm step remains). */
    public static Standardizer identity(int p) {
        double[] ones = new double[p];
        Arrays.fill(ones, 1.0);
        return new Standardizer(new double[p], ones);
    }

    /** Fits mean and population std in one pass (Welford) over the rows. */
    public static Standardizer fit(double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on zero rows");
        }
        OnlineStandardizer online = new OnlineStandardizer(rows[0].length);
        for (double[] row : rows) {
            online.update(row);
        }
        return online.current();
    }

    public int dimension() {
        return mean.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** Population standard deviation as given (1 where the feature was constant). */
    public double[] std() {
        double[] std = new double[scale.length];
        for (int f = 0; f < std.length; f++) {
            std[f] = 1.0 / scale[f];
        }
        return std;
    }

    /**
     * Applies the transform into {@code out} (may alias {@code x}).
     *
     * @throws IllegalArgumentException if a standardised feature is not finite (inputs far beyond
     *     {@link OnlineStandardizer#MAX_ABS_FEATURE})
     */
    public void apply(double[] x, double[] out) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        double norm2 = 0;
        for (int f = 0; f < x.length; f++) {
            double z = (x[f] - mean[f]) * scale[f];
            if (!Double.isFinite(z)) {
                throw new IllegalArgumentException("feature " + f + " = " + x[f] + " overflows when standardised");
            }
            out[f] = z;
            norm2 += z * z;
        }
        if (norm2 >= Double.MIN_NORMAL && norm2 < Double.POSITIVE_INFINITY) {
            double inv = 1.0 / Math.sqrt(norm2);
            for (int f = 0; f < x.length; f++) {
                out[f] *= inv;
            }
        } else {
            normaliseScaled(out);
        }
    }

    /**
     * Unit norm when the plain sum of squares overflowed or underflowed: dividing by the largest |z|
     * first puts the sum in [1, p]. Only this rare path pays for it, so ordinary results stay bit for
     * bit what they were.
     */
    private static void normaliseScaled(double[] z) {
        double max = 0;
        for (double v : z) {
            max = Math.max(max, Math.abs(v));
        }
        if (max == 0) {
            return;
        }
        double norm2 = 0;
        for (int f = 0; f < z.length; f++) {
            z[f] /= max;
            norm2 += z[f] * z[f];
        }
        double inv = 1.0 / Math.sqrt(norm2);
        for (int f = 0; f < z.length; f++) {
            z[f] *= inv;
        }
    }

    public double[] apply(double[] x) {
        double[] out = new double[x.length];
        apply(x, out);
        return out;
    }

    /**
     * A raw row that this transform maps back to the preprocessed row {@code x}: mean + std * x (exactly x up to
     * rounding when x has unit norm, as every preprocessed row has; the raw scale it lost does not matter).
     */
    public double[] invert(double[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        double[] raw = new double[x.length];
        for (int f = 0; f < x.length; f++) {
            raw[f] = mean[f] + x[f] / scale[f];
        }
        return raw;
    }

    public double[][] applyAll(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = apply(rows[i]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(scale, s.scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
    }
}
