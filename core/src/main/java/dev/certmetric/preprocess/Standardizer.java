package dev.certmetric.preprocess;

import java.util.Arrays;
import java.util.Objects;

/**
 * The preprocessing a metric is learned on and applied after (docs/SNAPSHOT_FORMAT.md, "Applying the model"):
 * subtract the feature mean, divide by the population standard deviation, then scale the row
 * ({@link RowScaling}; the paper's is unit norm).
 *
 * <p>Immutable. A feature whose standard deviation is (numerically) zero is only centred: dividing
 * by zero would turn a constant column into NaN, and a constant carries no information anyway.
 */
public final class Standardizer {
    /** Standard deviations below this are treated as a constant feature. */
    public static final double MIN_STD = 1e-12;

    private final double[] mean;
    private final double[] scale;
    private final RowScaling rows;

    /** The paper's preprocessing: unit-norm rows. */
    public Standardizer(double[] mean, double[] std) {
        this(mean, std, RowScaling.UNIT_NORM);
    }

    /**
     * @param mean per-feature mean
     * @param std per-feature population standard deviation (zero for a constant feature)
     * @param rows how the standardised row is scaled
     */
    public Standardizer(double[] mean, double[] std, RowScaling rows) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        this.rows = Objects.requireNonNull(rows, "rows");
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

    /** Fits mean and population std in one pass (Welford) over the data; the paper's unit-norm rows. */
    public static Standardizer fit(double[][] data) {
        return fit(data, RowScaling.UNIT_NORM);
    }

    /** Fits mean and population std in one pass (Welford) over the data, with rows scaled by {@code rows}. */
    public static Standardizer fit(double[][] data, RowScaling rows) {
        if (data.length == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on zero rows");
        }
        OnlineStandardizer online = new OnlineStandardizer(data[0].length);
        for (double[] row : data) {
            online.update(row);
        }
        return online.current(rows);
    }

    public int dimension() {
        return mean.length;
    }

    public RowScaling rows() {
        return rows;
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
        for (int f = 0; f < x.length; f++) {
            double z = (x[f] - mean[f]) * scale[f];
            if (!Double.isFinite(z)) {
                throw new IllegalArgumentException("feature " + f + " = " + x[f] + " overflows when standardised");
            }
            out[f] = z;
        }
        rows.scale(out);
    }

    public double[] apply(double[] x) {
        double[] out = new double[x.length];
        apply(x, out);
        return out;
    }

    /**
     * A raw row that this transform maps back to the preprocessed row {@code x} (up to rounding): mean + std * z,
     * with z the standardised row that the row scaling maps to x (x itself for unit-norm rows, whose lost length
     * does not matter).
     */
    public double[] invert(double[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        double[] raw = x.clone();
        rows.unscale(raw);
        for (int f = 0; f < x.length; f++) {
            raw[f] = mean[f] + raw[f] / scale[f];
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
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(scale, s.scale)
                && rows == s.rows;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(scale)) + rows.name().hashCode();
    }
}
