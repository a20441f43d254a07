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
            // The plain sum of squares overflowed or underflowed. Only this rare path pays for the careful
            // computation, so ordinary results stay bit for bit what they were.
            toLength(z, 1);
        }
    }

    /**
     * Scales a non-zero z to the given length (a zero z stays zero); dividing by the largest |z| first puts the sum
     * of squares in [1, p], so it neither overflows nor underflows.
     */
    static void toLength(double[] z, double length) {
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
        double s = length / Math.sqrt(norm2);
        for (int f = 0; f < z.length; f++) {
            z[f] *= s;
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
