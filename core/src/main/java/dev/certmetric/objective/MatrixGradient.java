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
        double[][] z = new double[n][p];
        double[] zNorm = new double[n];
        for (int i = 0; i < n; i++) {
            LinearAlgebra.multiply(m, p, p, x[i], z[i]);
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
        boolean anyR2 = false;

        double pull = 0;
        for (int k = 0; k < pairs; k++) {
            pull += targetD2[k];
            targetWeight[k] = pullWeight;
        }
        pull *= pullWeight;

        int size = triplets.size();
        double tripletWeight = size == 0 ? 0 : 1.0 / size;
        double hingeWeight = (1 - objective.mu()) * tripletWeight;
        double pertWeight = objective.lambda() * tripletWeight;
        double hinge = 0;
        double pert = 0;
        int violated = 0;
        for (int t = 0; t < size; t++) {
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
                continue;
            }
            if (delta < 0) {
                pert += objective.psi(delta, 0);
                continue;
            }
            int j = triplets.pullTarget(tp);
            int l = triplets.impostorOf(ip);
            // ||M w|| <= |M x_j| + |M x_l|, so a margin that clears tau under that bound has psi = 0.
            double bound = zNorm[j] + zNorm[l];
            if (delta * delta >= 4 * tau2 * (bound * bound + MahalanobisMetric.EPS)) {
                continue;
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
            if (withGradient && objective.perturbationActive(delta, gamma2)) {
                double a = delta / (s + MahalanobisMetric.EPS);
                // -(lambda/|T|) [ (A/2)(uu^T - vv^T) - (A^2/4)(M w w^T + w w^T M) ]
                impostorWeight[ip] -= pertWeight * a / 2;
                targetWeight[tp] += pertWeight * a / 2;
                addPair(r2, j, l, pertWeight * a * a / 4);
                anyR2 = true;
            }
        }
        ObjectiveValue value = new ObjectiveValue(pull, hinge * hingeWeight, pert * pertWeight, violated, size);
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
        double[] g = new double[p * p];
        accumulateTransposeProduct(x, r1, g);
        if (anyR2) {
            double[] zr = new double[p * p];
            accumulateTransposeProduct(z, r2, zr);
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    g[a * p + b] += zr[a * p + b] + zr[b * p + a];
                }
            }
        }
        return new Result(value, g);
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

    /** g += A^T R, where A and R are n x p. */
    private void accumulateTransposeProduct(double[][] a, double[][] r, double[] g) {
        for (int i = 0; i < n; i++) {
            double[] ai = a[i];
            double[] ri = r[i];
            for (int c1 = 0; c1 < p; c1++) {
                double v = ai[c1];
                if (v == 0) {
                    continue;
                }
                int base = c1 * p;
                for (int c2 = 0; c2 < p; c2++) {
                    g[base + c2] += v * ri[c2];
                }
            }
        }
    }
}
