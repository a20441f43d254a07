package dev.certmetric.preprocess;

/**
 * Rows that keep their magnitude: every standardised row divided by sqrt(p). A standardised row's squared norm
 * averages p over the data (each feature has variance 1), so these rows are 1 long on average, like unit-norm
 * ones, and the preprocessing is affine, except that a row longer than {@link #MAX_NORM} is shortened to it.
 */
public final class ScaledRows implements RowScaling {
    public static final String NAME = "scaled";
    /**
     * The longest scaled row: 1,000 times the average. Statistics of a few events can put a new event at any
     * distance (the first event's standard deviations are 0, so the second is standardised in raw units, up to
     * 1e140); bounded rows keep every distance and gradient finite, as unit norm does.
     */
    public static final double MAX_NORM = 1000;

    ScaledRows() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void scale(double[] z) {
        double inv = 1.0 / Math.sqrt(z.length);
        double norm2 = 0;
        for (int f = 0; f < z.length; f++) {
            z[f] *= inv;
            norm2 += z[f] * z[f];
        }
        if (norm2 > MAX_NORM * MAX_NORM) {
            UnitNormRows.toLength(z, MAX_NORM);
        }
    }

    /** Exact for rows within {@link #MAX_NORM}; a shortened row maps back to itself, like a unit-norm one. */
    @Override
    public void unscale(double[] y) {
        double s = Math.sqrt(y.length);
        for (int f = 0; f < y.length; f++) {
            y[f] *= s;
        }
    }

    @Override
    public RowScaling other() {
        return UNIT_NORM;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
