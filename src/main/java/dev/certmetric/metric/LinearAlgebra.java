package dev.certmetric.metric;

/** The few dense kernels on the hot paths, hand-written because they run per event. */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /** out = A x for row-major A (rows x cols). */
    public static void multiply(double[] a, int rows, int cols, double[] x, double[] out) {
        for (int r = 0; r < rows; r++) {
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
}
