package dev.certmetric.preprocess;

/** The paper's rows: every standardised row divided by its L2 norm (a zero row stays zero). */
public final class UnitNormRows implements RowScaling {
    public static final String NAME = "unit-norm";

    UnitNormRows() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void scale(double[] z) {
        double norm2 = 0;
        for (double v : z) {
            norm2 += v * v;
        }
        if (norm2 >= Double.MIN_NORMAL && norm2 < Double.POSITIVE_INFINITY) {
            double inv = 1.0 / Math.sqrt(norm2);
            for (int f = 0; f < z.length; f++) {
                z[f] *= inv;
            }
        } else {
            scaleCarefully(z);
        }
    }

    /**
     * Unit norm when the plain sum of squares overflowed or underflowed: dividing by the largest |z| first puts the
     * sum in [1, p]. Only this rare path pays for it, so ordinary results stay bit for bit what they were.
     */
    private static void scaleCarefully(double[] z) {
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

    /** The row's length is lost; a unit-norm row is its own preimage. */
    @Override
    public void unscale(double[] y) {
    }

    @Override
    public RowScaling other() {
        return SCALED;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
