package dev.certmetric.objective;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;

/**
 * The objective and its gradient with respect to a symmetric M over a fixed triplet set: the form
 * the reference (batch, projected-gradient) optimiser uses.
 *
 * <p>Every gradient term is a weighted sum of pair outer products (x_a - x_b)(x_a - x_b)^T or of
 * (M w) w^T, so instead of adding one p x p matrix per triplet the weights are collected per point
 * (a graph Laplacian applied to X) and the gradient is formed once: O(T p + n p^2) per evaluation
 * rather than O(T p^2).
 */
public final class MatrixGradient {
    private final LmnnPlObjective objective;
    private final double[][] x;
    private final TripletSet triplets;
    private final int n;
    private final int p;

    public MatrixGradient(LmnnPlObjective objective, double[][] x, TripletSet triplets) {
        this.objective = objective;
        this.x = x;
        this.triplets = triplets;
        this.n = x.length;
        this.p = n == 0 ? 0 : x[0].length;
    }

    /** Result of one evaluation: value and gradient (p x p, row-major, symmetric). */
    public record Result(ObjectiveValue value, double[] gradient) {
    }

    public ObjectiveValue value(double[] m) {
        return evaluate(m, false).value();
    }

    public Result evaluate(double[] m) {
        return evaluate(m, true);
    }

    private Result evaluate(double[] m, boolean withGradient) {
        double[][] z = new double[n][];
        double[] zNorm = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = multiplySymmetric(m, x[i]);
            zNorm[i] = Math.sqrt(LinearAlgebra.dot(z[i], z[i]));
        }
        double tau2 = objective.tau() * objective.tau();
        int pairs = triplets.pullSize();
        int impostorPairs = triplets.impostorPairs();
        double[] targetD2 = new double[pairs];
        double[] impostorD2 = new double[impostorPairs];
        for (int k = 0; k < pairs; k++) {
            targetD2[k] = d2(triplets.pullAnchor(k), triplets.pullTarget(k), z);
        }
        for (int k = 0; k < impostorPairs; k++) {
            impostorD2[k] = d2(triplets.impostorAnchor(k), triplets.impostorOf(k), z);
        }
        // Gradient weights per pair; the (M w) w^T terms go straight into r2 (their pairs are (j, l)).
        double pullWeight = pairs == 0 ? 0 : objective.mu() / pairs;
        double[] targetWeight = new double[pairs];
        double[] impostorWeight = new double[impostorPairs];
        double[][] r2 = withGradient ? new double[n][p] : null;

        double pull = 0;
        for (int k = 0; k < pairs; k++) {
            pull += targetD2[k];
            targetWeight[k] = pullWeight;
        }
        pull *= pullWeight;

        int size = triplets.size();
        double tripletWeight = size == 0 ? 0 : 1.0 / size;
        TripletTerms terms = new TripletTerms(z, zNorm, targetD2, impostorD2, targetWeight, impostorWeight, r2,
                (1 - objective.mu()) * tripletWeight, objective.lambda() * tripletWeight, tau2);
        for (int t = 0; t < size; t++) {
            terms.add(t);
        }
        ObjectiveValue value = new ObjectiveValue(pull, terms.hinge * terms.hingeWeight,
                terms.pert * terms.pertWeight, terms.violated, size);
        if (!withGradient) {
            return new Result(value, null);
        }
        double[][] r1 = new double[n][p];
        for (int k = 0; k < pairs; k++) {
            addPair(r1, triplets.pullAnchor(k), triplets.pullTarget(k), targetWeight[k]);
        }
        for (int k = 0; k < impostorPairs; k++) {
            if (impostorWeight[k] != 0) {
                addPair(r1, triplets.impostorAnchor(k), triplets.impostorOf(k), impostorWeight[k]);
            }
        }
        // X^T R1 is symmetric (R1 = Laplacian X), so G = X^T R1 + Z^T R2 + R2^T Z is the symmetric part of
        // A = X^T R1 + 2 Z^T R2: one accumulation over the rows of both products instead of two.
        double[][] left = new double[2 * n][];
        double[][] right = new double[2 * n][];
        int rows = 0;
        for (int i = 0; i < n; i++) {
            left[rows] = x[i];
            right[rows++] = r1[i];
        }
        if (terms.anyR2) {
            for (int i = 0; i < n; i++) {
                if (nonZero(r2[i])) {
                    left[rows] = z[i];
                    right[rows++] = scaled(r2[i], 2);
                }
            }
        }
        double[] a = new double[p * p];
        accumulateTransposeProduct(left, right, rows, a);
        double[] g = new double[p * p];
        for (int c1 = 0; c1 < p; c1++) {
            for (int c2 = 0; c2 < p; c2++) {
                g[c1 * p + c2] = 0.5 * (a[c1 * p + c2] + a[c2 * p + c1]);
            }
        }
        return new Result(value, g);
    }

    /**
     * One evaluation's sums over the triplets, a triplet per call: a small method the JIT compiles after the
     * first evaluations, where a loop inside the large evaluate would stay in profiled code for a short fit.
     */
    private final class TripletTerms {
        private final double[][] z;
        private final double[] zNorm;
        private final double[] targetD2;
        private final double[] impostorD2;
        private final double[] targetWeight;
        private final double[] impostorWeight;
        private final double[][] r2;
        private final double hingeWeight;
        private final double pertWeight;
        private final double tau2;
        private double hinge;
        private double pert;
        private int violated;
        private boolean anyR2;

        TripletTerms(double[][] z, double[] zNorm, double[] targetD2, double[] impostorD2, double[] targetWeight,
                     double[] impostorWeight, double[][] r2, double hingeWeight, double pertWeight, double tau2) {
            this.z = z;
            this.zNorm = zNorm;
            this.targetD2 = targetD2;
            this.impostorD2 = impostorD2;
            this.targetWeight = targetWeight;
            this.impostorWeight = impostorWeight;
            this.r2 = r2;
            this.hingeWeight = hingeWeight;
            this.pertWeight = pertWeight;
            this.tau2 = tau2;
        }

        void add(int t) {
            int tp = triplets.targetPair(t);
            int ip = triplets.impostorPair(t);
            double delta = impostorD2[ip] - targetD2[tp];
            if (delta < 0) {
                violated++;
            }
            if (delta < 1) {
                hinge += 1 - delta;
                targetWeight[tp] += hingeWeight;
                impostorWeight[ip] -= hingeWeight;
            }
            if (objective.lambda() == 0) {
                return;
            }
            if (delta < 0) {
                pert += objective.psi(delta, 0);
                return;
            }
            int j = triplets.pullTarget(tp);
            int l = triplets.impostorOf(ip);
            // ||M w|| <= |M x_j| + |M x_l|, so a margin that clears tau under that bound has psi = 0.
            double bound = zNorm[j] + zNorm[l];
            if (delta * delta >= 4 * tau2 * (bound * bound + MahalanobisMetric.EPS)) {
                return;
            }
            double[] zj = z[j];
            double[] zl = z[l];
            double s = 0;
            for (int c = 0; c < p; c++) {
                double d = zj[c] - zl[c];
                s += d * d;
            }
            double gamma2 = delta * delta / (4 * (s + MahalanobisMetric.EPS));
            pert += objective.psi(delta, gamma2);
            if (r2 != null && objective.perturbationActive(delta, gamma2)) {
                double a = delta / (s + MahalanobisMetric.EPS);
                // -(lambda/|T|) [ (A/2)(uu^T - vv^T) - (A^2/4)(M w w^T + w w^T M) ]
                impostorWeight[ip] -= pertWeight * a / 2;
                targetWeight[tp] += pertWeight * a / 2;
                addPair(r2, j, l, pertWeight * a * a / 4);
                anyR2 = true;
            }
        }
    }

    private double d2(int a, int b, double[][] z) {
        double[] xa = x[a];
        double[] xb = x[b];
        double[] za = z[a];
        double[] zb = z[b];
        double s = 0;
        for (int c = 0; c < p; c++) {
            s += (xa[c] - xb[c]) * (za[c] - zb[c]);
        }
        return s;
    }

    /** Adds weight * (x_a - x_b)(x_a - x_b)^T in Laplacian form: rows a and b of L X. */
    private void addPair(double[][] r, int a, int b, double weight) {
        double[] xa = x[a];
        double[] xb = x[b];
        double[] ra = r[a];
        double[] rb = r[b];
        for (int c = 0; c < p; c++) {
            double d = weight * (xa[c] - xb[c]);
            ra[c] += d;
            rb[c] -= d;
        }
    }

    /**
     * g += sum over the first {@code rows} of a_i r_i^T. Four rows at a time, so each pass over a row of g
     * does four multiply-adds per load and store (the loop is bound by g's traffic, not by arithmetic).
     */
    private void accumulateTransposeProduct(double[][] a, double[][] r, int rows, double[] g) {
        int i = 0;
        for (; i + 3 < rows; i += 4) {
            double[] a0 = a[i];
            double[] a1 = a[i + 1];
            double[] a2 = a[i + 2];
            double[] a3 = a[i + 3];
            double[] r0 = r[i];
            double[] r1 = r[i + 1];
            double[] r2 = r[i + 2];
            double[] r3 = r[i + 3];
            for (int c1 = 0; c1 < p; c1++) {
                double s0 = a0[c1];
                double s1 = a1[c1];
                double s2 = a2[c1];
                double s3 = a3[c1];
                int base = c1 * p;
                for (int c2 = 0; c2 < p; c2++) {
                    g[base + c2] += s0 * r0[c2] + s1 * r1[c2] + s2 * r2[c2] + s3 * r3[c2];
                }
            }
        }
        for (; i < rows; i++) {
            double[] ai = a[i];
            double[] ri = r[i];
            for (int c1 = 0; c1 < p; c1++) {
                double s0 = ai[c1];
                int base = c1 * p;
                for (int c2 = 0; c2 < p; c2++) {
                    g[base + c2] += s0 * ri[c2];
                }
            }
        }
    }

    /** M v for symmetric M (p x p): a sum of M's rows weighted by v, four rows per pass over the result. */
    private double[] multiplySymmetric(double[] m, double[] v) {
        double[] out = new double[p];
        int k = 0;
        for (; k + 3 < p; k += 4) {
            double s0 = v[k];
            double s1 = v[k + 1];
            double s2 = v[k + 2];
            double s3 = v[k + 3];
            int o0 = k * p;
            int o1 = o0 + p;
            int o2 = o1 + p;
            int o3 = o2 + p;
            for (int c = 0; c < p; c++) {
                out[c] += s0 * m[o0 + c] + s1 * m[o1 + c] + s2 * m[o2 + c] + s3 * m[o3 + c];
            }
        }
        for (; k < p; k++) {
            double s0 = v[k];
            int o0 = k * p;
            for (int c = 0; c < p; c++) {
                out[c] += s0 * m[o0 + c];
            }
        }
        return out;
    }

    private static boolean nonZero(double[] v) {
        for (double e : v) {
            if (e != 0) {
                return true;
            }
        }
        return false;
    }

    private static double[] scaled(double[] v, double factor) {
        double[] out = new double[v.length];
        for (int c = 0; c < v.length; c++) {
            out[c] = factor * v[c];
        }
        return out;
    }
}
