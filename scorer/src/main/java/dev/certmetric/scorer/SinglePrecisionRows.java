package dev.certmetric.scorer;

import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * A single-precision copy of a {@link CatalogueIndex}'s rows, used only to rule rows out: a row is given up
 * when its float squared distance to the query exceeds {@link #bound}, which is chosen so that its exact
 * (double) squared distance then exceeds the k-th best one. The rows that are not given up are measured in
 * double, so a search answers exactly what the double brute force answers.
 *
 * <p>Each row y is held as X = float((y - c) s): c a centre (the items' mean, so that the float rounding is
 * relative to the spread of the items rather than to their distance from the origin) and s a power of two that
 * brings the coordinates to about 1. The first {@link #HEAD} coordinates (the leading principal axes) are held as
 * columns, one array per coordinate, and every row is measured on them in one streaming pass per block of
 * {@link #BLOCK} rows; the other coordinates are held row by row and read, {@link #STEP} at a time, only for the
 * rows still within the bound (with R, under 1% of them on the benchmark's items: reading a row out of order
 * costs more than streaming it, so the head is wide enough to leave few).
 *
 * <p>Why the bound is safe (docs/SCORER.md, "Single precision"): e_row >= ||X - (y - c) s|| is recorded for
 * every row, and the block's largest one is used; with e_query alike for the query, e = e_query + e_block,
 * g = (q + 8) 2^-23 and d_k the k-th best exact distance, the bound is the float at or above
 * T = (1 + g) (s (nextUp(d_k) + 2^-500) (1 + (q + 1) 2^-52) + e)^2 + 2^-100.
 */
final class SinglePrecisionRows {
    /** Rows per block: one bound per block, and the block's sums stay in L1 while its rows are ruled out. */
    static final int BLOCK = 256;
    /** Coordinates every row is measured on. */
    static final int HEAD = 32;
    /** Further coordinates added between two comparisons with the bound (one cache line of floats). */
    static final int STEP = 16;
    /**
     * Largest scaled coordinate the bound covers: with |X| <= 2^32 no float difference, square or sum can
     * overflow. Rows are within about 4 (s ||L||_F <= 1, ||z|| <= 1); a row or query beyond is never ruled out.
     */
    private static final double LIMIT = 0x1p32;

    /** A query in the rows' frame, with the bound on its rounding. */
    record Query(float[] head, float[] tail, double error) {
    }

    private final int q;
    private final int head;
    private final int tail;
    private final double scale;
    private final double[] center;
    /** g: a float sum of squares exceeds the real one by at most the factor 1 + g (see the class comment). */
    private final double growth;
    /** The factor on the k-th distance: a double sum of q squares is at least the real one times 1 - (q + 1) 2^-53. */
    private final double slack;
    /** Column r of the head: coordinate r of every row. */
    private final float[][] heads;
    /** Row-major n x (q - head). */
    private float[] tails;
    /** Per row, the bound on its rounding; per block, the largest of its rows'. */
    private double[] rowErrors;
    private double[] blockErrors;

    SinglePrecisionRows(int q, double scale, double[] center, int capacity) {
        this.q = q;
        this.head = Math.min(HEAD, q);
        this.tail = q - head;
        this.scale = scale;
        this.center = center.clone();
        this.growth = (q + 8) * 0x1p-23;
        this.slack = 1 + (q + 1) * 0x1p-52;
        this.heads = new float[head][capacity];
        this.tails = new float[capacity * tail];
        this.rowErrors = new double[capacity];
        this.blockErrors = new double[blocks(capacity)];
    }

    /**
     * s for a metric: 1 / ||L||_F rounded down to a power of two (rows are at most ||L||_F ||z||, ||z|| <= 1), the
     * norm computed without overflow or underflow of the squares.
     */
    static double scale(MahalanobisMetric metric) {
        double[] l = metric.l();
        double max = 0;
        for (double v : l) {
            max = Math.max(max, Math.abs(v));
        }
        double norm = 0;
        if (max > 0) {
            double sum = 0;
            for (double v : l) {
                sum += (v / max) * (v / max);
            }
            norm = max * Math.sqrt(sum);
        }
        return Math.scalb(1.0, -Math.getExponent(Math.max(norm, Double.MIN_NORMAL)) - 1);
    }

    private static int blocks(int rows) {
        return (rows + BLOCK - 1) / BLOCK;
    }

    void grow(int capacity) {
        for (int r = 0; r < head; r++) {
            heads[r] = Arrays.copyOf(heads[r], capacity);
        }
        tails = Arrays.copyOf(tails, capacity * tail);
        rowErrors = Arrays.copyOf(rowErrors, capacity);
        blockErrors = Arrays.copyOf(blockErrors, blocks(capacity));
    }

    /**
     * Writes X = float((y - c) s) into {@code out} and returns a bound on ||X - (y - c) s|| (real arithmetic):
     * |X_r - v_r| + 2^-52 |v_r| per coordinate, v_r the double (y_r - c_r) s (within 2^-52 |v_r| of the real
     * one), summed (the L1 norm bounds the L2 norm), enlarged for the rounding of the sum and any subnormal
     * scaling; infinite when a coordinate is beyond {@link #LIMIT}.
     */
    private double single(double[] y, float[] out) {
        double sum = 0;
        for (int r = 0; r < q; r++) {
            double v = (y[r] - center[r]) * scale;
            if (!(Math.abs(v) <= LIMIT)) {
                return Double.POSITIVE_INFINITY;
            }
            float x = (float) v;
            out[r] = x;
            sum += Math.abs(x - v) + 0x1p-52 * Math.abs(v);
        }
        return sum * (1 + (q + 1) * 0x1p-50) + 0x1p-1000;
    }

    Query query(double[] y) {
        float[] x = new float[q];
        double error = single(y, x);
        return new Query(Arrays.copyOf(x, head), Arrays.copyOfRange(x, head, q), error);
    }

    /** Sets row i to y; n: rows in use afterwards. */
    void set(int i, double[] y, int n) {
        float[] x = new float[q];
        double error = single(y, x);
        for (int r = 0; r < head; r++) {
            heads[r][i] = x[r];
        }
        System.arraycopy(x, head, tails, i * tail, tail);
        setError(i, error, n);
    }

    /** Moves row {@code from} (possibly {@code to} itself) into slot {@code to}; n: rows in use afterwards, not {@code from}. */
    void move(int from, int to, int n) {
        for (float[] column : heads) {
            column[to] = column[from];
        }
        System.arraycopy(tails, from * tail, tails, to * tail, tail);
        setError(to, rowErrors[from], n);
        refresh(from / BLOCK, n);
    }

    private void setError(int i, double error, int n) {
        int b = i / BLOCK;
        double old = rowErrors[i];
        rowErrors[i] = error;
        if (error >= blockErrors[b]) {
            blockErrors[b] = error;
        } else if (old >= blockErrors[b]) {
            refresh(b, n);
        }
    }

    private void refresh(int b, int n) {
        double max = 0;
        for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
            max = Math.max(max, rowErrors[i]);
        }
        blockErrors[b] = max;
    }

    /**
     * out[j] = the float squared distance of the query's head to the head of row from + j, j < len. Four columns
     * per pass over the rows, with the same index on each (a loop the JIT keeps simple and the memory streams).
     */
    void head(Query y, int from, int len, float[] out) {
        float[] yh = y.head;
        Arrays.fill(out, 0, len, 0f);
        int r = 0;
        for (; r + 4 <= head; r += 4) {
            float y0 = yh[r];
            float y1 = yh[r + 1];
            float y2 = yh[r + 2];
            float y3 = yh[r + 3];
            float[] c0 = heads[r];
            float[] c1 = heads[r + 1];
            float[] c2 = heads[r + 2];
            float[] c3 = heads[r + 3];
            for (int j = 0; j < len; j++) {
                int i = from + j;
                float e0 = y0 - c0[i];
                float e1 = y1 - c1[i];
                float e2 = y2 - c2[i];
                float e3 = y3 - c3[i];
                out[j] += (e0 * e0 + e1 * e1) + (e2 * e2 + e3 * e3);
            }
        }
        for (; r < head; r++) {
            float yr = yh[r];
            float[] c = heads[r];
            for (int j = 0; j < len; j++) {
                float e = yr - c[from + j];
                out[j] += e * e;
            }
        }
    }

    /**
     * Adds row i's other coordinates to {@code sum} (its head's), {@link #STEP} at a time while the total does
     * not exceed {@code bound}; returns the total reached.
     */
    float tail(Query y, int i, float sum, float bound) {
        float[] yt = y.tail;
        int base = i * tail;
        for (int from = 0; from < tail && sum <= bound; from += STEP) {
            int to = Math.min(tail, from + STEP);
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int r = from;
            for (; r + 4 <= to; r += 4) {
                float e0 = yt[r] - tails[base + r];
                float e1 = yt[r + 1] - tails[base + r + 1];
                float e2 = yt[r + 2] - tails[base + r + 2];
                float e3 = yt[r + 3] - tails[base + r + 3];
                s0 += e0 * e0;
                s1 += e1 * e1;
                s2 += e2 * e2;
                s3 += e3 * e3;
            }
            for (; r < to; r++) {
                float e = yt[r] - tails[base + r];
                s0 += e * e;
            }
            sum += (s0 + s1) + (s2 + s3);
        }
        return sum;
    }

    /**
     * The float above which a row of the block is farther than {@code kth}, the k-th best distance (exact, not
     * squared; infinite while fewer than k rows are known), even after its distance is rounded: it can neither
     * be among the k best nor tie with the k-th.
     */
    float bound(double kth, int block, Query y) {
        double t = scale * (Math.nextUp(kth) + 0x1p-500) * slack + (y.error + blockErrors[block]);
        return Math.nextUp((float) (((1 + growth) * (t * t) + 0x1p-100) * (1 + 0x1p-40)));
    }
}
