package dev.certmetric.certify;

import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * Certified L2 radii of k-NN predictions (the rule and its proof: docs/SCORER.md, certified_radius), in the preprocessed input space.
 *
 * <p>For a query x predicted as class c, a same-class reference j and an other-class reference l,
 * x must cross the hyperplane where j and l are equally far before l can overtake j; its distance
 * to that hyperplane is rho(j, l) = max(0, d2(x,l) - d2(x,j)) / (2 ||M (x_l - x_j)||). For the
 * prediction to change, at least s = (k+1)/2 other-class points must each overtake all but at most
 * s - 1 class-c points, so the radius is the s-th smallest over l of the s-th largest over j of rho
 * (Wang et al., NeurIPS 2020); k = 1 gives the 1-NN bound min_l max_j rho. This is a lower bound on
 * the smallest prediction-changing perturbation; {@code CertifiedKnnTest} checks it with an
 * adversarial search.
 */
public final class CertifiedKnn {
    private final KnnClassifier knn;
    /** Reference sets up to this size get their pairwise ||M (x_l - x_j)|| precomputed (n^2 doubles, 32 MiB at most). */
    public static final int MAX_PRECOMPUTED_PAIRS = 2048;

    private final double[][] mx;
    private final double[][] lx;
    /** ||M (x_l - x_j)|| for every reference pair, row-major n x n; null for large reference sets. */
    private final double[] pairNorms;

    /** A prediction with its certified radius. */
    public record Certified(KnnClassifier.Prediction prediction, double radius) {
        public int label() {
            return prediction.label();
        }
    }

    /** For one or a few queries: nothing is precomputed beyond M x and L x of the references. */
    public CertifiedKnn(KnnClassifier knn) {
        this(knn, false);
    }

    /**
     * @param precomputePairs when serving many queries against the same references, precompute the
     *     query-independent ||M (x_l - x_j)|| of every reference pair (O(n^2 p) once; only if n <=
     *     {@link #MAX_PRECOMPUTED_PAIRS}), cutting a query's radius from O(n^2 p) to O(n^2 + n q p)
     */
    public CertifiedKnn(KnnClassifier knn, boolean precomputePairs) {
        this.knn = knn;
        MahalanobisMetric metric = knn.metric();
        double[][] refs = knn.references();
        int p = metric.dimension();
        int q = metric.rank();
        this.mx = new double[refs.length][p];
        this.lx = new double[refs.length][];
        double[] scratch = new double[q];
        for (int i = 0; i < refs.length; i++) {
            metric.applyM(refs[i], scratch, mx[i]);
            lx[i] = metric.transform(refs[i]);
            requireFinite(mx[i], "M x", i);
            requireFinite(lx[i], "L x", i);
        }
        this.pairNorms = precomputePairs && refs.length <= MAX_PRECOMPUTED_PAIRS ? pairNorms(mx) : null;
        if (pairNorms != null) {
            requireFinite(pairNorms, "||M (x_l - x_j)|| of pairs", 0);
        }
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

    /** The query-independent denominators of rho, once per model: O(n^2 p) instead of per query. */
    private static double[] pairNorms(double[][] mx) {
        int n = mx.length;
        double[] norms = new double[n * n];
        for (int a = 0; a < n; a++) {
            double[] ma = mx[a];
            for (int b = a + 1; b < n; b++) {
                double[] mb = mx[b];
                double norm2 = 0;
                for (int e = 0; e < ma.length; e++) {
                    double diff = ma[e] - mb[e];
                    norm2 += diff * diff;
                }
                double norm = Math.sqrt(norm2);
                norms[a * n + b] = norm;
                norms[b * n + a] = norm;
            }
        }
        return norms;
    }

    public KnnClassifier classifier() {
        return knn;
    }

    public Certified classify(double[] x) {
        KnnClassifier.Prediction prediction = knn.predict(x);
        return new Certified(prediction, radius(x, prediction.label()));
    }

    /** The certified radius of class c at x (0 if c is not what k-NN predicts there). */
    public double radius(double[] x, int c) {
        return radius(knn.metric().transform(x), lx, mx, knn::classOf, knn.k(), c, pairNorms);
    }

    /**
     * The radius from precomputed transforms: {@code lq} = L x of the query, {@code lx[i]} = L x_i
     * and {@code mx[i]} = M x_i of the references (e.g. a learner's cached window), their classes
     * and k. Same arithmetic as {@link #radius(double[], int)}.
     */
    public static double radius(double[] lq, double[][] lx, double[][] mx, int[] classes, int k, int c) {
        return radius(lq, lx, mx, i -> classes[i], k, c, null);
    }

    private static double radius(double[] lq, double[][] lx, double[][] mx, java.util.function.IntUnaryOperator classOf,
                                 int k, int c, double[] pairNorms) {
        int kk = Math.min(k, mx.length);
        int s = (kk + 1) / 2;
        int n = mx.length;
        double[] d2 = new double[n];
        boolean[] isC = new boolean[n];
        int same = 0;
        for (int i = 0; i < n; i++) {
            double d = 0;
            for (int r = 0; r < lq.length; r++) {
                double diff = lq[r] - lx[i][r];
                d += diff * diff;
            }
            d2[i] = d;
            if (classOf.applyAsInt(i) == c) {
                isC[i] = true;
                same++;
            }
        }
        if (same < s) {
            return 0;
        }
        // s-th smallest over l of the s-th largest over j.
        double[] perL = new double[s];
        Arrays.fill(perL, Double.POSITIVE_INFINITY);
        double[] perJ = new double[s];
        int p = mx[0].length;
        for (int l = 0; l < n; l++) {
            if (isC[l]) {
                continue;
            }
            Arrays.fill(perJ, 0);
            double[] ml = mx[l];
            for (int j = 0; j < n; j++) {
                if (!isC[j]) {
                    continue;
                }
                double gap = d2[l] - d2[j];
                if (gap <= 0) { // rho is 0: it cannot raise the top s, which start at 0
                    continue;
                }
                double norm;
                if (pairNorms != null) {
                    norm = pairNorms[l * n + j];
                } else {
                    double norm2 = 0;
                    double[] mj = mx[j];
                    for (int e = 0; e < p; e++) {
                        double diff = ml[e] - mj[e];
                        norm2 += diff * diff;
                    }
                    norm = Math.sqrt(norm2);
                }
                double rho = gap / (2 * norm + MahalanobisMetric.EPS);
                insertDescending(perJ, rho);
                if (perJ[s - 1] >= perL[s - 1]) {
                    break; // perJ[s-1] only grows: this l can no longer lower the s smallest
                }
            }
            insertAscending(perL, perJ[s - 1]);
        }
        double r = perL[s - 1];
        return Double.isInfinite(r) ? Double.MAX_VALUE : r;
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
