package dev.certmetric.metric;

import java.util.Arrays;

/**
 * A Mahalanobis metric M = L^T L given by its linear map L (q x p, q <= p, row-major).
 *
 * <p>Instances are immutable: every factory copies its input. Per-call work is O(q p); no p x p
 * matrix is ever formed here.
 */
public final class MahalanobisMetric {
    /** Guards the 0/0 of a degenerate triplet (M w = 0; docs/ALGORITHM.md, section 3). */
    public static final double EPS = 1e-10;

    private final int q;
    private final int p;
    private final double[] l;

    private MahalanobisMetric(int q, int p, double[] l) {
        if (q < 1 || p < 1 || q > p) {
            throw new IllegalArgumentException("need 1 <= q <= p, got q=" + q + ", p=" + p);
        }
        if (l.length != q * p) {
            throw new IllegalArgumentException("L must have q*p = " + q * p + " entries, got " + l.length);
        }
        for (double v : l) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("L has a non-finite entry");
            }
        }
        this.q = q;
        this.p = p;
        this.l = l;
    }

    /** A metric from a row-major q x p array (copied). */
    public static MahalanobisMetric of(int q, int p, double[] rowMajorL) {
        return new MahalanobisMetric(q, p, rowMajorL.clone());
    }

    /** The Euclidean metric (L = I, q = p). */
    public static MahalanobisMetric euclidean(int p) {
        return new MahalanobisMetric(p, p, identity(p, p));
    }

    /** The first q rows of the identity. */
    public static double[] identity(int q, int p) {
        double[] l = new double[q * p];
        for (int r = 0; r < q; r++) {
            l[r * p + r] = 1.0;
        }
        return l;
    }

    /**
     * A learner's starting L: the identity at full rank (the Euclidean metric); below it, q orthonormal random
     * directions scaled by sqrt(p / q), which preserve squared distances in expectation whichever features carry
     * the signal, where the first q axes would see only the first q features (docs/ALGORITHM.md, section 7). The
     * directions depend only on (q, p), so data-parallel learners of one model start alike.
     */
    public static double[] initial(int q, int p) {
        if (q == p) {
            return identity(p, p);
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(0x5eedL * 1_000_003L + 31L * p + q);
        double[] l = new double[q * p];
        for (int r = 0; r < q; r++) {
            int row = r * p;
            for (int c = 0; c < p; c++) {
                l[row + c] = gaussian(rnd);
            }
            // Gram-Schmidt against the earlier rows, twice for orthogonality in floating point.
            for (int pass = 0; pass < 2; pass++) {
                for (int o = 0; o < r; o++) {
                    double dot = 0;
                    for (int c = 0; c < p; c++) {
                        dot += l[row + c] * l[o * p + c];
                    }
                    for (int c = 0; c < p; c++) {
                        l[row + c] -= dot * l[o * p + c];
                    }
                }
            }
            double norm = 0;
            for (int c = 0; c < p; c++) {
                norm += l[row + c] * l[row + c];
            }
            double scale = 1 / Math.sqrt(norm);
            for (int c = 0; c < p; c++) {
                l[row + c] *= scale;
            }
        }
        double stretch = Math.sqrt((double) p / q);
        for (int i = 0; i < l.length; i++) {
            l[i] *= stretch;
        }
        return l;
    }

    /**
     * A standard normal draw, sqrt(-2 ln u) cos(2 pi v) from two uniforms u in (0, 1] and v in [0, 1)
     * (SplittableRandom has no nextGaussian on Java 17).
     */
    private static double gaussian(java.util.SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /**
     * The metric of a PSD matrix M (p x p, row-major): L = Lambda^{1/2} V^T from its eigenvectors,
     * keeping the q largest eigenvalues (clipped at 0).
     */
    public static MahalanobisMetric fromM(double[] m, int p, int q) {
        return new MahalanobisMetric(q, p, PsdMatrices.factor(m, p, q));
    }

    public int rank() {
        return q;
    }

    public int dimension() {
        return p;
    }

    /** A copy of L, row-major. */
    public double[] l() {
        return l.clone();
    }

    /** M = L^T L, row-major p x p (O(q p^2): for reporting and the batch optimiser, not hot paths). */
    public double[] m() {
        double[] m = new double[p * p];
        for (int r = 0; r < q; r++) {
            int base = r * p;
            for (int a = 0; a < p; a++) {
                double la = l[base + a];
                if (la == 0) {
                    continue;
                }
                for (int b = 0; b < p; b++) {
                    m[a * p + b] += la * l[base + b];
                }
            }
        }
        return m;
    }

    /** out = L x (length q). */
    public void transform(double[] x, double[] out) {
        LinearAlgebra.multiply(l, q, p, x, out);
    }

    public double[] transform(double[] x) {
        double[] out = new double[q];
        transform(x, out);
        return out;
    }

    /** out = M x = L^T (L x) (length p); {@code scratch} has length q. */
    public void applyM(double[] x, double[] scratch, double[] out) {
        LinearAlgebra.multiply(l, q, p, x, scratch);
        LinearAlgebra.multiplyTransposed(l, q, p, scratch, out);
    }

    /** Squared distance d2(a, b) = ||L (a - b)||^2. */
    public double distanceSquared(double[] a, double[] b) {
        double sum = 0;
        for (int r = 0; r < q; r++) {
            int base = r * p;
            double s = 0;
            for (int c = 0; c < p; c++) {
                s += l[base + c] * (a[c] - b[c]);
            }
            sum += s * s;
        }
        return sum;
    }

    public double distance(double[] a, double[] b) {
        return Math.sqrt(distanceSquared(a, b));
    }

    /**
     * The adversarial margin gamma (docs/ALGORITHM.md, section 3): the Euclidean distance from the anchor
     * to the hyperplane where target and impostor are equally far. Negative when the triplet is
     * violated.
     */
    public double margin(double[] anchor, double[] target, double[] impostor) {
        double delta = distanceSquared(anchor, impostor) - distanceSquared(anchor, target);
        return delta / (2 * Math.sqrt(mwNormSquared(target, impostor)) + EPS);
    }

    /**
     * The closest adversarial example x_i - Delta / (2 ||M w||^2) M w, w = x_j - x_l: the nearest
     * input at which the impostor is exactly as close as the target (docs/ALGORITHM.md, section 3: the
     * step goes against M w, along which d2(x, l) - d2(x, j) grows).
     */
    public double[] closestAdversarial(double[] anchor, double[] target, double[] impostor) {
        double[] w = new double[p];
        for (int c = 0; c < p; c++) {
            w[c] = target[c] - impostor[c];
        }
        double[] mw = new double[p];
        applyM(w, new double[q], mw);
        double norm2 = LinearAlgebra.dot(mw, mw);
        double delta = distanceSquared(anchor, impostor) - distanceSquared(anchor, target);
        double step = -delta / (2 * norm2 + EPS);
        double[] x = anchor.clone();
        for (int c = 0; c < p; c++) {
            x[c] += step * mw[c];
        }
        return x;
    }

    /** ||M (a - b)||^2 = ||L^T L (a - b)||^2. */
    public double mwNormSquared(double[] a, double[] b) {
        double[] w = new double[p];
        for (int c = 0; c < p; c++) {
            w[c] = a[c] - b[c];
        }
        double[] mw = new double[p];
        applyM(w, new double[q], mw);
        return LinearAlgebra.dot(mw, mw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MahalanobisMetric m && m.q == q && m.p == p && Arrays.equals(m.l, l);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(l) * 31 + q * 17 + p;
    }

    @Override
    public String toString() {
        return "MahalanobisMetric[q=" + q + ", p=" + p + "]";
    }
}
