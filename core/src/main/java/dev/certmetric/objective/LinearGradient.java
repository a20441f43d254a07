package dev.certmetric.objective;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * Accumulates the objective and its gradient with respect to L (q x p) over pull pairs and
 * triplets given as vectors, in O(q p) per term: every term of dF/dL = 2 L G is built from the
 * vectors L u, L v, L w, M w and L M w, never from a p x p matrix.
 *
 * <p>Callers pass the transforms L x of the points along with the points, so a learner that caches
 * them for a window pays O(q) for a satisfied triplet and O(q p) only for active ones. Mutable and
 * not thread-safe; reuse one instance per learner (it owns its scratch buffers).
 */
public final class LinearGradient {
    private final LmnnPlObjective objective;
    private final int q;
    private final int p;
    private final double[] gradient;
    private final double[] lu;
    private final double[] lv;
    private final double[] lw;
    private final double[] u;
    private final double[] v;
    private final double[] w;
    private final double[] mw;
    private final double[] lmw;
    private final double[] scratchMxj;
    private final double[] scratchMxl;
    private double[] l;

    private double pull;
    private double hinge;
    private double perturbation;
    private int violated;
    private int triplets;
    private double minGamma = Double.POSITIVE_INFINITY;

    public LinearGradient(LmnnPlObjective objective, int q, int p) {
        this.objective = objective;
        this.q = q;
        this.p = p;
        this.gradient = new double[q * p];
        this.lu = new double[q];
        this.lv = new double[q];
        this.lw = new double[q];
        this.u = new double[p];
        this.v = new double[p];
        this.w = new double[p];
        this.mw = new double[p];
        this.lmw = new double[q];
        this.scratchMxj = new double[p];
        this.scratchMxl = new double[p];
    }

    public LmnnPlObjective objective() {
        return objective;
    }

    /** Starts a new accumulation at the given L (row-major q x p; read, not copied). */
    public void reset(double[] rowMajorL) {
        if (rowMajorL.length != q * p) {
            throw new IllegalArgumentException("L must have " + q * p + " entries");
        }
        this.l = rowMajorL;
        Arrays.fill(gradient, 0);
        pull = 0;
        hinge = 0;
        perturbation = 0;
        violated = 0;
        triplets = 0;
        minGamma = Double.POSITIVE_INFINITY;
    }

    /** Adds weight * d2(i, j) (the caller passes mu/|P| as the weight). */
    public void addPull(double[] xi, double[] lxi, double[] xj, double[] lxj, double weight) {
        double d2 = 0;
        for (int r = 0; r < q; r++) {
            lv[r] = lxi[r] - lxj[r];
            d2 += lv[r] * lv[r];
        }
        pull += weight * d2;
        for (int c = 0; c < p; c++) {
            v[c] = xi[c] - xj[c];
        }
        LinearAlgebra.addOuter(gradient, 2 * weight, lv, v);
    }

    /**
     * Adds one triplet with weight 1/|T| (the caller's normalisation): the hinge scaled by (1 - mu)
     * and the perturbation loss by lambda.
     *
     * @return the triplet's adversarial margin gamma (negative if violated)
     */
    public double addTriplet(double[] xi, double[] lxi, double[] xj, double[] lxj,
                             double[] xl, double[] lxl, double weight) {
        LinearAlgebra.multiplyTransposed(l, q, p, lxj, scratchMxj);
        LinearAlgebra.multiplyTransposed(l, q, p, lxl, scratchMxl);
        return addTriplet(xi, lxi, xj, lxj, scratchMxj, xl, lxl, scratchMxl, weight);
    }

    /**
     * {@link #addTriplet(double[], double[], double[], double[], double[], double[], double)} with M x_j and
     * M x_l given: M w = M x_j - M x_l then costs O(p), so an anchor with k targets and v impostors pays
     * k + v products with L^T instead of k v.
     */
    public double addTriplet(double[] xi, double[] lxi, double[] xj, double[] lxj, double[] mxj,
                             double[] xl, double[] lxl, double[] mxl, double weight) {
        triplets++;
        double dil = 0;
        double dij = 0;
        for (int r = 0; r < q; r++) {
            lu[r] = lxi[r] - lxl[r];
            lv[r] = lxi[r] - lxj[r];
            lw[r] = lxj[r] - lxl[r];
            dil += lu[r] * lu[r];
            dij += lv[r] * lv[r];
        }
        double delta = dil - dij;
        if (delta < 0) {
            violated++;
        }
        boolean hingeActive = delta < 1;
        // M w is needed for gamma, which is reported for every triplet, and for the perturbation gradient.
        for (int c = 0; c < p; c++) {
            mw[c] = mxj[c] - mxl[c];
        }
        double s = LinearAlgebra.dot(mw, mw);
        double gamma = delta / (2 * Math.sqrt(s) + MahalanobisMetric.EPS);
        minGamma = Math.min(minGamma, gamma);
        double gamma2 = delta >= 0 ? delta * delta / (4 * (s + MahalanobisMetric.EPS)) : 0;
        double hingeWeight = (1 - objective.mu()) * weight;
        double pertWeight = objective.lambda() * weight;
        if (objective.lambda() > 0) {
            perturbation += pertWeight * objective.psi(delta, gamma2);
        }
        boolean pertActive = objective.perturbationActive(delta, gamma2);
        if (!hingeActive && !pertActive) {
            return gamma;
        }
        for (int c = 0; c < p; c++) {
            u[c] = xi[c] - xl[c];
            v[c] = xi[c] - xj[c];
        }
        // Coefficients of 2 L (u u^T) and 2 L (v v^T) from the hinge and the perturbation term.
        double cu = 0;
        double cv = 0;
        if (hingeActive) {
            hinge += hingeWeight * (1 - delta);
            cu -= hingeWeight;
            cv += hingeWeight;
        }
        double cw = 0;
        if (pertActive) {
            double a = delta / (s + MahalanobisMetric.EPS);
            cu -= pertWeight * a / 2;
            cv += pertWeight * a / 2;
            // + (lambda/|T|)(A^2/4) * 2 L (M w w^T + w w^T M) = c [ (L M w) w^T + (L w)(M w)^T ]
            cw = pertWeight * a * a / 2;
            LinearAlgebra.multiply(l, q, p, mw, lmw);
            for (int c = 0; c < p; c++) {
                w[c] = xj[c] - xl[c];
            }
        }
        // All rank-one terms in one pass over the gradient: it is the per-triplet hot loop.
        double[] g = gradient;
        for (int r = 0; r < q; r++) {
            double au = 2 * cu * lu[r];
            double av = 2 * cv * lv[r];
            int base = r * p;
            if (cw == 0) {
                for (int c = 0; c < p; c++) {
                    g[base + c] += au * u[c] + av * v[c];
                }
            } else {
                double aw = cw * lmw[r];
                double am = cw * lw[r];
                for (int c = 0; c < p; c++) {
                    g[base + c] += au * u[c] + av * v[c] + aw * w[c] + am * mw[c];
                }
            }
        }
        return gamma;
    }

    /** dF/dL accumulated so far (live view, row-major q x p). */
    public double[] gradient() {
        return gradient;
    }

    public ObjectiveValue value() {
        return new ObjectiveValue(pull, hinge, perturbation, violated, triplets);
    }

    /** Smallest adversarial margin among the triplets added since the last reset. */
    public double minGamma() {
        return minGamma;
    }
}
