package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.metric.RowBlocks;

import java.util.Arrays;

/**
 * Certified L2 radii of k-NN predictions (the rule and its proof: docs/SCORER.md, certified_radius), in the preprocessed input space.
 *
 * <p>For a query x predicted as class c, a same-class reference j and an other-class reference l,
 * x must cross the hyperplane where j and l are equally far before l can overtake j; its distance
 * to that hyperplane is rho(j, l) = max(0, d2(x,l) - d2(x,j)) / (2 ||M (x_l - x_j)||). For the
 * prediction to change, at least s = (k+1)/2 other-class points must each overtake all but at most
 * s - 1 class-c points, so the radius is the s-th smallest over l of the s-th largest over j of rho
 * (Wang et al., NeurIPS 2020); k = 1 gives the 1-NN bound min_l max_j rho.
 *
 * <p>The radius is exact but does not visit all n^2 pairs (docs/SCORER.md, "cost of an answer"): only
 * j nearer than l can give rho &gt; 0, and with sigma &gt;= ||L||_2 every l at distance d_l has r(l) &gt;=
 * (d_l^2 - d_cs^2) / (2 sigma (d_l + d_cs)) (d_cs: the s-th nearest class-c distance), so once s
 * near other-class references fix a bound T, only the other-class references with that lower bound
 * under T are visited. L x_i are held in column blocks ({@link RowBlocks}) for one vectorised pass of O(n q)
 * per query.
 *
 * <p>Pair norms cost O(q), not O(p): with the thin QR factorisation L^T = Q R (Q p x q with orthonormal columns,
 * R q x q), ||M v|| = ||L^T (L v)|| = ||R (L v)||, so w_i = R L x_i (q numbers) gives ||M (x_l - x_j)|| =
 * ||w_l - w_j||. Householder QR is backward stable (the computed R is exact for L^T perturbed by O(p eps ||L||)),
 * so this norm errs by no more than one computed from M x_i, whose rounding is O(p eps ||L|| ||L x||) as well;
 * at p = 784, q = 64 it is 12 times fewer operations per pair, and the radius was mostly pair norms.
 */
public final class CertifiedKnn {
    /** Relative slack on the pruning bound so rounding can never skip a reference that counts. */
    private static final double PRUNE_SLACK = 1e-9;

    private final KnnClassifier knn;
    private final MahalanobisMetric metric;
    private final int n;
    private final int p;
    private final int q;
    /** L x_i, n x q. */
    private final RowBlocks lx;
    /** w_i = R L x_i (L^T = Q R), row-major n x q: ||M (x_l - x_j)|| = ||w_l - w_j||. */
    private final double[] wx;
    private final int[] classes;
    /** An upper bound on the spectral norm of L, so ||M v|| <= sigma ||L v||. */
    private final double sigma;
    /**
     * Per reference an upper bound on ||w_i - w_bar|| (w_bar the mean of the w_i), so ||M (x_l - x_j)|| <=
     * spread[l] + spread[j] without the query: for a query far from the references, the bound through the query
     * (sigma (d_l + d_j)) grows with its distance and prunes nothing.
     */
    private final double[] spread;

    /** A prediction with its certified radius. */
    public record Certified(KnnClassifier.Prediction prediction, double radius) {
        public int label() {
            return prediction.label();
        }
    }

    /** ||M (x_l - x_j)|| of two references, by index. */
    @FunctionalInterface
    public interface PairNorm {
        double of(int l, int j);
    }

    public CertifiedKnn(KnnClassifier knn) {
        this.knn = knn;
        this.metric = knn.metric();
        double[][] refs = knn.references();
        this.n = refs.length;
        this.p = metric.dimension();
        this.q = metric.rank();
        double[] lxRows = new double[n * q];
        this.wx = new double[n * q];
        this.classes = new int[n];
        double[] r = triangularFactor(metric.l(), q, p);
        double[] scratch = new double[q];
        double[] w = new double[q];
        for (int i = 0; i < n; i++) {
            metric.transform(refs[i], scratch);
            requireFinite(scratch, "L x", i);
            System.arraycopy(scratch, 0, lxRows, i * q, q);
            LinearAlgebra.multiply(r, q, q, scratch, w);
            requireFinite(w, "R L x", i);
            System.arraycopy(w, 0, wx, i * q, q);
            classes[i] = knn.classOf(i);
        }
        this.lx = new RowBlocks(lxRows, n, q);
        this.sigma = spectralNormBound(metric.l(), q, p);
        this.spread = spreads(wx, n, q);
    }

    /**
     * ||w_i - w_bar|| for every row of w (n x q, row-major), widened so rounding cannot put it under the distance
     * the pair norms compute: relatively by 1e-9, and absolutely by 1e-10 (||w_i|| + ||w_bar||), which covers
     * the cancellation in w_l - w_j of rows far from the origin and close to each other.
     */
    static double[] spreads(double[] w, int n, int q) {
        double[] mean = new double[q];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < q; e++) {
                mean[e] += w[i * q + e] / n;
            }
        }
        double meanNorm = Math.sqrt(LinearAlgebra.dot(mean, mean));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double distance = 0;
            double norm = 0;
            for (int e = 0; e < q; e++) {
                double v = w[i * q + e];
                distance += (v - mean[e]) * (v - mean[e]);
                norm += v * v;
            }
            out[i] = (Math.sqrt(distance) + 1e-10 * (Math.sqrt(norm) + meanNorm)) * (1 + 1e-9);
        }
        return out;
    }

    /** A metric that overflows on its own references would answer "Infinity": refuse it up front. */
    private static void requireFinite(double[] values, String what, int reference) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " of reference " + reference + " is not finite (" + v
                        + "): the metric overflows");
            }
        }
    }

    /**
     * R of the thin QR factorisation L^T = Q R by Householder reflections (row-major q x q, upper triangular; a
     * zero column of what remains gives a zero row), from L row-major q x p: column a of L^T is row a of L.
     * O(p q^2) once per model.
     */
    static double[] triangularFactor(double[] l, int q, int p) {
        double[][] cols = new double[q][];
        for (int a = 0; a < q; a++) {
            cols[a] = java.util.Arrays.copyOfRange(l, a * p, (a + 1) * p);
        }
        double[] r = new double[q * q];
        double[] v = new double[p];
        for (int k = 0; k < q && k < p; k++) {
            double[] x = cols[k];
            double scale = 0;
            for (int e = k; e < p; e++) {
                scale = Math.max(scale, Math.abs(x[e]));
            }
            if (scale == 0) {
                for (int j = k + 1; j < q; j++) {
                    r[k * q + j] = cols[j][k]; // nothing to reflect: R[k][k] = 0, the row as it stands
                }
                continue;
            }
            double norm2 = 0;
            for (int e = k; e < p; e++) {
                double y = x[e] / scale;
                norm2 += y * y;
            }
            double unit = x[k] > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2); // the sign that avoids cancellation
            double alpha = scale * unit;
            double vnorm2 = 0;
            for (int e = k; e < p; e++) {
                v[e] = e == k ? x[e] / scale - unit : x[e] / scale; // the reflection does not depend on v's scale
                vnorm2 += v[e] * v[e];
            }
            for (int j = k; j < q; j++) {
                double[] c = cols[j];
                double dot = 0;
                for (int e = k; e < p; e++) {
                    dot += v[e] * c[e];
                }
                double tau = 2 * dot / vnorm2;
                for (int e = k; e < p; e++) {
                    c[e] -= tau * v[e];
                }
                r[k * q + j] = c[k];
            }
            r[k * q + k] = alpha;
        }
        return r;
    }

    /**
     * An upper bound on ||L||_2 = sqrt(lambda_max(G)), G = L L^T: lambda_max^32 <= tr(G^32) = ||G^16||_F^2,
     * at most q^(1/64) above the true norm (1.07x for q = 64; it was tr(G^8), up to 1.3x, and every 1% of slack
     * here widens the radius search's pruning threshold by about as much); O(q^2 p + q^3) once per model.
     */
    public static double spectralNormBound(double[] l, int q, int p) {
        double[] g = new double[q * q];
        double trace = 0;
        for (int a = 0; a < q; a++) {
            for (int b = a; b < q; b++) {
                double dot = 0;
                for (int e = 0; e < p; e++) {
                    dot += l[a * p + e] * l[b * p + e];
                }
                g[a * q + b] = dot;
                g[b * q + a] = dot;
            }
            trace += g[a * q + a];
        }
        if (trace == 0) {
            return 0;
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= trace; // eigenvalues in [0, 1], the largest >= 1/q: the powers neither overflow nor vanish
        }
        double[] g16 = square(square(square(square(g, q), q), q), q);
        double frob2 = 0;
        for (double v : g16) {
            frob2 += v * v;
        }
        return Math.sqrt(trace * Math.pow(frob2, 1.0 / 32)) * (1 + 1e-6);
    }

    private static double[] square(double[] a, int q) {
        double[] out = new double[q * q];
        for (int i = 0; i < q; i++) {
            for (int m = 0; m < q; m++) {
                double aim = a[i * q + m];
                if (aim == 0) {
                    continue;
                }
                for (int j = 0; j < q; j++) {
                    out[i * q + j] += aim * a[m * q + j];
                }
            }
        }
        return out;
    }

    public KnnClassifier classifier() {
        return knn;
    }

    /** k-NN prediction (same neighbours, order and vote as {@link KnnClassifier#predict}) and its radius. */
    public Certified classify(double[] x) {
        double[] d2 = squaredDistances(x);
        KnnClassifier.Prediction prediction = KnnClassifier.fromSquaredDistances(d2, classes, knn.k(), knn.numClasses());
        return new Certified(prediction,
                radius(d2, classes, knn.k(), prediction.label(), this::pairNorm, sigma, spread));
    }

    /** The certified radius of class c at x (0 if c is not what k-NN predicts there). */
    public double radius(double[] x, int c) {
        return radius(squaredDistances(x), classes, knn.k(), c, this::pairNorm, sigma, spread);
    }

    /** d2(x, x_i) for every reference: one pass over the L x_i. */
    private double[] squaredDistances(double[] x) {
        double[] d2 = new double[n];
        lx.squaredDistances(metric.transform(x), d2);
        return d2;
    }

    /** ||w_l - w_j|| in four partial sums: one running sum is bound by the add latency. */
    private double pairNorm(int l, int j) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int bl = l * q;
        int bj = j * q;
        int e = 0;
        for (; e + 4 <= q; e += 4) {
            double d0 = wx[bl + e] - wx[bj + e];
            double d1 = wx[bl + e + 1] - wx[bj + e + 1];
            double d2 = wx[bl + e + 2] - wx[bj + e + 2];
            double d3 = wx[bl + e + 3] - wx[bj + e + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; e < q; e++) {
            double d = wx[bl + e] - wx[bj + e];
            s0 += d * d;
        }
        return Math.sqrt((s0 + s1) + (s2 + s3));
    }

    /**
     * The radius from precomputed transforms: {@code lq} = L x of the query, {@code lx[i]} = L x_i
     * and {@code mx[i]} = M x_i of the references (e.g. a learner's cached window), their classes
     * and k. Same result as {@link #radius(double[], int)}; without the metric's norm bound it prunes
     * only the pairs with rho = 0.
     */
    public static double radius(double[] lq, double[][] lx, double[][] mx, int[] classes, int k, int c) {
        double[] d2 = new double[lx.length];
        for (int i = 0; i < lx.length; i++) {
            d2[i] = LinearAlgebra.squaredDistance(lq, lx[i]);
        }
        PairNorm norm = (l, j) -> Math.sqrt(LinearAlgebra.squaredDistance(mx[l], mx[j]));
        return radius(d2, classes, k, c, norm, Double.POSITIVE_INFINITY);
    }

    /**
     * The radius from the query's squared learned distances {@code d2[i]} to the references, their classes, k,
     * and the pair norms, which the search asks for only on the pairs it cannot prune (so a caller can compute
     * M x of a reference when first needed). Same result as {@link #radius(double[], int)}. {@code sigma} &gt;=
     * ||L||_2 of the metric behind d2 and the norms ({@link #spectralNormBound}, 1 for the identity, or
     * +infinity for none) lets it skip the other-class references whose lower bound on r(l) already exceeds
     * the s-th smallest so far.
     */
    public static double radius(double[] d2, int[] classes, int k, int c, PairNorm norm, double sigma) {
        return radius(d2, classes, k, c, norm, sigma, null);
    }

    /**
     * As {@link #radius(double[], int[], int, int, PairNorm, double)}, also skipping the other-class references
     * l whose bound through the spreads, r(l) &gt;= (d2_l - d_cs^2) / (2 (spread[l] + the largest spread of the
     * s nearest class-c references) + EPS), already reaches the s-th smallest ({@code spread} null: no such
     * bound). {@code spread[l] + spread[j]} must bound the pair norm of (l, j) from above.
     */
    static double radius(double[] d2, int[] classes, int k, int c, PairNorm norm, double sigma, double[] spread) {
        int n = d2.length;
        int s = (Math.min(k, n) + 1) / 2;
        // The s nearest class-c distances and the s nearest other-class references, by (d2, index).
        double[] sameLow = new double[s];
        Arrays.fill(sameLow, Double.POSITIVE_INFINITY);
        int[] nearL = new int[s];
        double[] nearLd = new double[s];
        Arrays.fill(nearLd, Double.POSITIVE_INFINITY);
        int[] sameClass = new int[n];
        int same = 0;
        for (int i = 0; i < n; i++) {
            if (classes[i] == c) {
                sameClass[same++] = i;
                insertAscending(sameLow, d2[i]);
            } else if (d2[i] < nearLd[s - 1]) {
                int t = s - 1;
                while (t > 0 && nearLd[t - 1] > d2[i]) {
                    nearLd[t] = nearLd[t - 1];
                    nearL[t] = nearL[t - 1];
                    t--;
                }
                nearLd[t] = d2[i];
                nearL[t] = i;
            }
        }
        if (same < s) {
            return 0;
        }
        if (nearLd[s - 1] == Double.POSITIVE_INFINITY) {
            return Double.MAX_VALUE; // fewer than s other-class references
        }
        // s-th smallest over l of the s-th largest over j, first over the s nearest l.
        double[] perL = new double[s];
        Arrays.fill(perL, Double.POSITIVE_INFINITY);
        double[] perJ = new double[s];
        int[] js = below(sameClass, same, d2, nearLd[s - 1]);
        for (int t = 0; t < s; t++) {
            insertAscending(perL, r(nearL[t], d2, js, norm, perJ, perL[s - 1]));
        }
        // Then every other l whose lower bound on r(l) is under the s-th smallest so far. The bound grows
        // with d2(l), so it is first applied as one threshold on d2 (no square root per reference); the
        // survivors are visited in index order, each against the s-th smallest as it stands then (it only
        // falls, so a skipped l could not have lowered it): no sort, O(n) besides the visited pairs.
        double dcs2 = sameLow[s - 1];
        double dcs = Math.sqrt(dcs2);
        double threshold = d2Threshold(perL[s - 1] * (1 + PRUNE_SLACK), dcs, sigma);
        int[] ls = new int[n];
        int count = 0;
        double maxD2 = 0;
        for (int l = 0; l < n; l++) {
            if (d2[l] < threshold && classes[l] != c
                    && (d2[l] > nearLd[s - 1] || (d2[l] == nearLd[s - 1] && l > nearL[s - 1]))) {
                ls[count++] = l; // not class c, not one of the s nearest, bound possibly under the s-th smallest
                maxD2 = Math.max(maxD2, d2[l]);
            }
        }
        if (count > 0) {
            js = below(sameClass, same, d2, maxD2);
            // js is nearest first: its first s are the s nearest class-c references (d2 <= d_cs^2). It has fewer
            // only when maxD2 <= d_cs^2, and then every bound below is 0 anyway.
            double spreadJ = 0;
            if (spread != null) {
                for (int t = 0; t < Math.min(s, js.length); t++) {
                    spreadJ = Math.max(spreadJ, spread[js[t]]);
                }
            }
            for (int t = 0; t < count; t++) {
                int l = ls[t];
                double limit = perL[s - 1] * (1 + PRUNE_SLACK);
                if (lowerBound(d2[l], dcs2, dcs, sigma) < limit
                        && (spread == null || spreadBound(d2[l], dcs2, spread[l] + spreadJ) < limit)) {
                    insertAscending(perL, r(l, d2, js, norm, perJ, perL[s - 1]));
                }
            }
        }
        return perL[s - 1];
    }

    /**
     * A d2 above which {@link #lowerBound} is at least {@code t}: with c = dcs, E = EPS and d = sqrt(d2),
     * (d^2 - c^2) &lt; t (2 sigma (d + c) + E) holds exactly for d &lt; sigma t + sqrt((sigma t + c)^2 + t E);
     * the square is widened by 1e-9 so rounding never excludes a reference the exact test keeps.
     */
    private static double d2Threshold(double t, double dcs, double sigma) {
        if (sigma == Double.POSITIVE_INFINITY || t == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        double st = sigma * t;
        double d = st + Math.sqrt((st + dcs) * (st + dcs) + t * MahalanobisMetric.EPS);
        return d * d * (1 + PRUNE_SLACK) + Double.MIN_NORMAL;
    }

    /**
     * A lower bound on r(l) from the s nearest class-c references j (d2(x, j) &lt;= dcs2):
     * ||M (x_l - x_j)|| &lt;= sigma ||L (x_l - x_j)|| &lt;= sigma (d_l + d_j), so rho(j, l) &gt;=
     * (d2_l - dcs2) / (2 sigma (d_l + dcs) + EPS), which grows with d_l.
     */
    private static double lowerBound(double d2l, double dcs2, double dcs, double sigma) {
        if (d2l <= dcs2 || sigma == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return (d2l - dcs2) / (2 * sigma * (Math.sqrt(d2l) + dcs) + MahalanobisMetric.EPS);
    }

    /**
     * A lower bound on r(l) when the pair norms from l to the s nearest class-c references are at most
     * {@code norms}: each of their rho is at least (d2_l - dcs2) / (2 norms + EPS).
     */
    private static double spreadBound(double d2l, double dcs2, double norms) {
        return d2l <= dcs2 ? 0 : (d2l - dcs2) / (2 * norms + MahalanobisMetric.EPS);
    }

    /** The s-th largest rho(j, l) over class-c j, or any value >= {@code limit} once it is known to reach it. */
    private static double r(int l, double[] d2, int[] js, PairNorm norm, double[] perJ, double limit) {
        int s = perJ.length;
        for (int t = 0; t < s; t++) {
            perJ[t] = 0; // a loop, not Arrays.fill: this runs per visited reference, and the call was not inlined
        }
        double d2l = d2[l];
        for (int j : js) {
            double gap = d2l - d2[j];
            if (gap <= 0) {
                break; // js is nearest first: rho is 0 from here on and cannot raise the top s
            }
            insertDescending(perJ, gap / (2 * norm.of(l, j) + MahalanobisMetric.EPS));
            if (perJ[s - 1] >= limit) {
                break; // perJ[s-1] only grows: this l can no longer lower the s smallest
            }
        }
        return perJ[s - 1];
    }

    /** The first {@code len} of {@code sameClass} with d2 below {@code bound}, nearest first (only they can give rho > 0). */
    private static int[] below(int[] sameClass, int len, double[] d2, double bound) {
        int[] js = new int[len];
        int count = 0;
        for (int t = 0; t < len; t++) {
            int j = sameClass[t];
            if (d2[j] < bound) {
                js[count++] = j;
            }
        }
        sortByKey(js, count, d2);
        return Arrays.copyOf(js, count);
    }

    /** Sorts idx[0..len) by key[idx], ascending (shell sort: no boxing, few elements in practice). */
    private static void sortByKey(int[] idx, int len, double[] key) {
        for (int gap = len / 2; gap > 0; gap = gap == 2 ? 1 : (int) (gap / 2.2)) {
            for (int i = gap; i < len; i++) {
                int v = idx[i];
                double kv = key[v];
                int j = i;
                while (j >= gap && key[idx[j - gap]] > kv) {
                    idx[j] = idx[j - gap];
                    j -= gap;
                }
                idx[j] = v;
            }
        }
    }

    private static void insertDescending(double[] top, double value) {
        int last = top.length - 1;
        if (value <= top[last]) {
            return;
        }
        int i = last;
        while (i > 0 && top[i - 1] < value) {
            top[i] = top[i - 1];
            i--;
        }
        top[i] = value;
    }

    private static void insertAscending(double[] low, double value) {
        int last = low.length - 1;
        if (value >= low[last]) {
            return;
        }
        int i = last;
        while (i > 0 && low[i - 1] > value) {
            low[i] = low[i - 1];
            i--;
        }
        low[i] = value;
    }
}
