package dev.certmetric.metric;

/** The few dense kernels on the hot paths, hand-written because they run per event. */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * out = A x for row-major A (rows x cols). Eight (then four) rows at a time, so that independent
     * sums are in flight instead of one latency-bound chain; each row's sum keeps the plain order.
     */
    public static void multiply(double[] a, int rows, int cols, double[] x, double[] out) {
        int r = 0;
        for (; r + 7 < rows; r += 8) {
            int b0 = r * cols;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double s4 = 0;
            double s5 = 0;
            double s6 = 0;
            double s7 = 0;
            for (int c = 0; c < cols; c++) {
                double xc = x[c];
                int i = b0 + c;
                s0 += a[i] * xc;
                s1 += a[i + cols] * xc;
                s2 += a[i + 2 * cols] * xc;
                s3 += a[i + 3 * cols] * xc;
                s4 += a[i + 4 * cols] * xc;
                s5 += a[i + 5 * cols] * xc;
                s6 += a[i + 6 * cols] * xc;
                s7 += a[i + 7 * cols] * xc;
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
            out[r + 4] = s4;
            out[r + 5] = s5;
            out[r + 6] = s6;
            out[r + 7] = s7;
        }
        for (; r + 3 < rows; r += 4) {
            int b0 = r * cols;
            int b1 = b0 + cols;
            int b2 = b1 + cols;
            int b3 = b2 + cols;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int c = 0; c < cols; c++) {
                double xc = x[c];
                s0 += a[b0 + c] * xc;
                s1 += a[b1 + c] * xc;
                s2 += a[b2 + c] * xc;
                s3 += a[b3 + c] * xc;
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
        }
        for (; r < rows; r++) {
            int base = r * cols;
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += a[base + c] * x[c];
            }
            out[r] = s;
        }
    }

    /** out = A^T y for row-major A (rows x cols); out has length cols. */
    public static void multiplyTransposed(double[] a, int rows, int cols, double[] y, double[] out) {
        java.util.Arrays.fill(out, 0, cols, 0.0);
        for (int r = 0; r < rows; r++) {
            double yr = y[r];
            if (yr == 0) {
                continue;
            }
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c] += a[base + c] * yr;
            }
        }
    }

    /**
     * out = A x for A given by its columns (so out has a column's length): the column form vectorises where
     * the row-major dot products cannot, with the same sums in the same order as {@link #multiply}.
     */
    public static void multiplyColumns(double[][] columns, double[] x, double[] out) {
        combine(columns, x, 0, out, 0, out.length);
    }

    /** The rows of a row-major matrix (rows x cols) as arrays, into {@code out} (rows arrays of cols). */
    public static void rows(double[] a, int rows, int cols, double[][] out) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(a, r * cols, out[r], 0, cols);
        }
    }

    /** The columns of a row-major matrix (rows x cols) as arrays, into {@code out} (cols arrays of rows). */
    public static void columns(double[] a, int rows, int cols, double[][] out) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c][r] = a[r * cols + c];
            }
        }
    }

    /**
     * out = A^T y for A given by its rows; out has the rows' length. The row form indexes out and the row
     * alike, which lets the JIT vectorise the update; the sums are those of the row-major form.
     */
    public static void multiplyTransposed(double[][] rows, double[] y, double[] out) {
        combine(rows, y, 0, out, 0, out.length);
    }

    /**
     * out[c] = sum_i w[offset + i] v[i][c] for c in [from, to), over all the vectors v: four vectors per pass over
     * out (fewer loads and stores of out, short loops amortised), each sum in index order like the
     * one-at-a-time loop, so bit for bit the row-major dot products.
     */
    public static void combine(double[][] v, double[] w, int offset, double[] out, int from, int to) {
        int i = 0;
        if (v.length < 4) {
            java.util.Arrays.fill(out, from, to, 0.0);
        } else {
            double w0 = w[offset];
            double w1 = w[offset + 1];
            double w2 = w[offset + 2];
            double w3 = w[offset + 3];
            double[] v0 = v[0];
            double[] v1 = v[1];
            double[] v2 = v[2];
            double[] v3 = v[3];
            for (int c = from; c < to; c++) {
                out[c] = 0.0 + v0[c] * w0 + v1[c] * w1 + v2[c] * w2 + v3[c] * w3;
            }
            i = 4;
        }
        for (; i + 3 < v.length; i += 4) {
            double w0 = w[offset + i];
            double w1 = w[offset + i + 1];
            double w2 = w[offset + i + 2];
            double w3 = w[offset + i + 3];
            double[] v0 = v[i];
            double[] v1 = v[i + 1];
            double[] v2 = v[i + 2];
            double[] v3 = v[i + 3];
            for (int c = from; c < to; c++) {
                out[c] = out[c] + v0[c] * w0 + v1[c] * w1 + v2[c] * w2 + v3[c] * w3;
            }
        }
        for (; i < v.length; i++) {
            double wi = w[offset + i];
            double[] vi = v[i];
            for (int c = from; c < to; c++) {
                out[c] += vi[c] * wi;
            }
        }
    }

    /** target += alpha * a b^T for a target of a.length x b.length, row-major. */
    public static void addOuter(double[] target, double alpha, double[] a, double[] b) {
        int cols = b.length;
        for (int r = 0; r < a.length; r++) {
            double ar = alpha * a[r];
            if (ar == 0) {
                continue;
            }
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                target[base + c] += ar * b[c];
            }
        }
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /**
     * out[i - from] = ||v - rows_i||^2 for the rows i in [from, to) of a flat row-major matrix of rows of
     * length {@code v.length}: four rows at a time so the four sums are independent (the loop is bound by the
     * add latency otherwise); each sum in index order, as {@link #squaredDistance}.
     */
    public static void squaredDistances(double[] v, double[] rows, int from, int to, double[] out) {
        int q = v.length;
        int i = from;
        for (int base = i * q; i + 4 <= to; i += 4, base += 4 * q) {
            double d0 = 0;
            double d1 = 0;
            double d2 = 0;
            double d3 = 0;
            for (int r = 0; r < q; r++) {
                double x = v[r];
                double e0 = x - rows[base + r];
                double e1 = x - rows[base + q + r];
                double e2 = x - rows[base + 2 * q + r];
                double e3 = x - rows[base + 3 * q + r];
                d0 += e0 * e0;
                d1 += e1 * e1;
                d2 += e2 * e2;
                d3 += e3 * e3;
            }
            out[i - from] = d0;
            out[i + 1 - from] = d1;
            out[i + 2 - from] = d2;
            out[i + 3 - from] = d3;
        }
        for (int base = i * q; i < to; i++, base += q) {
            double d = 0;
            for (int r = 0; r < q; r++) {
                double e = v[r] - rows[base + r];
                d += e * e;
            }
            out[i - from] = d;
        }
    }
}
