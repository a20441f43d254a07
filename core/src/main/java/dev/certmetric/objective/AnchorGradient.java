package dev.certmetric.objective;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * Accumulates the objective and its gradient with respect to L (q x p) anchor by anchor: an anchor i
 * with targets j and impostors l brings the pull pairs (i, j) and all triplets (i, j, l).
 *
 * <p>Why by anchor: dF/dL = 2 L G, and every triplet adds rank-one terms to G in vectors that depend on
 * only one of j and l (u = x_i - x_l, v = x_i - x_j) or on their difference (w = x_j - x_l, M w). Summed
 * over the anchor's k v triplets, the coefficients of u u^T and v v^T collect per impostor and per target,
 * and the perturbation terms {@code h_jl (M w w^T + w w^T M)} expand into one rank-one pair per point
 * ({@code M x_j P_j^T + P_j x_j^T M}, {@code P_j = sum_l h_jl (x_j - x_l)}, and the same per impostor). So
 * an anchor costs a few rank-one updates per point instead of up to 4 per triplet, with the triplet terms
 * themselves in O(q + p) each. Where they accumulate is a {@link Form}, chosen by shape. The formulas are in
 * docs/ALGORITHM.md (section 4).
 *
 * <p>Callers pass L x and M x (= L^T L x) of each point along with x: a learner caches L x for its
 * window. Mutable and not thread-safe; one instance per learner (it owns its scratch buffers).
 */
public final class AnchorGradient {
    /** pull, hinge, perturbation, violated, triplets, minGamma: the scalars of {@link #accumulated()}. */
    private static final int SCALARS = 6;

    private final LmnnPlObjective objective;
    private final int q;
    private final int p;
    private final Form form;

    // Per-anchor scratch, grown on demand.
    private double[] targetD = new double[0];
    private double[] impostorD = new double[0];
    private double[] targetC = new double[0];
    private double[] impostorC = new double[0];
    private double[] h = new double[0];          // nt x ni perturbation coefficients
    private final double[] d;
    private final double[] ld;
    private final double[] pv;
    private final double[] lpv;

    private double pull;
    private double hinge;
    private double perturbation;
    private int violated;
    private int triplets;
    private double minGamma = Double.POSITIVE_INFINITY;

    public AnchorGradient(LmnnPlObjective objective, int q, int p) {
        this.objective = objective;
        this.q = q;
        this.p = p;
        // Per point, the factor form costs about 4 q p and the Gram form 2 p^2 (plus q p^2 per step).
        this.form = 2 * q >= p ? new GramForm(q, p) : new FactorForm(q, p);
        this.d = new double[p];
        this.ld = new double[q];
        this.pv = new double[p];
        this.lpv = new double[q];
    }

    public LmnnPlObjective objective() {
        return objective;
    }

    /** Starts a new accumulation at the given L (row-major q x p). */
    public void reset(double[] rowMajorL) {
        if (rowMajorL.length != q * p) {
            throw new IllegalArgumentException("L must have " + q * p + " entries");
        }
        form.reset(rowMajorL);
        pull = 0;
        hinge = 0;
        perturbation = 0;
        violated = 0;
        triplets = 0;
        minGamma = Double.POSITIVE_INFINITY;
    }

    /**
     * Adds one anchor: {@code pullWeight * d2(i, j)} for each of the first {@code nt} targets, and each of the
     * {@code nt * ni} triplets with weight {@code tripletWeight} (the caller's normalisation), its hinge
     * scaled by (1 - mu) and its perturbation loss by lambda. Rows of the point arrays beyond nt and ni are
     * ignored.
     *
     * @return the smallest adversarial margin gamma among the anchor's triplets (negative if one is violated),
     *     NaN without triplets
     */
    public double addAnchor(double[] xi, double[] lxi,
                            int nt, double[][] xj, double[][] lxj, double[][] mxj,
                            int ni, double[][] xl, double[][] lxl, double[][] mxl,
                            double pullWeight, double tripletWeight) {
        grow(nt, ni);
        for (int t = 0; t < nt; t++) {
            targetD[t] = LinearAlgebra.squaredDistance(lxi, lxj[t]);
            pull += pullWeight * targetD[t];
            targetC[t] = pullWeight;
        }
        for (int m = 0; m < ni; m++) {
            impostorD[m] = LinearAlgebra.squaredDistance(lxi, lxl[m]);
            impostorC[m] = 0;
        }
        double hingeWeight = (1 - objective.mu()) * tripletWeight;
        double pertWeight = objective.lambda() * tripletWeight;
        double anchorMin = Double.NaN;
        boolean anyPerturbation = false;
        for (int t = 0; t < nt; t++) {
            for (int m = 0; m < ni; m++) {
                triplets++;
                double delta = impostorD[m] - targetD[t];
                if (delta < 0) {
                    violated++;
                }
                double s = squaredDistance(mxj[t], mxl[m]);
                double gamma = delta / (2 * Math.sqrt(s) + MahalanobisMetric.EPS);
                anchorMin = Double.isNaN(anchorMin) ? gamma : Math.min(anchorMin, gamma);
                double gamma2 = delta >= 0 ? delta * delta / (4 * (s + MahalanobisMetric.EPS)) : 0;
                if (objective.lambda() > 0) {
                    perturbation += pertWeight * objective.psi(delta, gamma2);
                }
                // Coefficients of u u^T (impostor) and v v^T (target) in G, from the hinge and the perturbation.
                double cu = 0;
                double cv = 0;
                double hw = 0;
                if (delta < 1) {
                    hinge += hingeWeight * (1 - delta);
                    cu -= hingeWeight;
                    cv += hingeWeight;
                }
                if (objective.perturbationActive(delta, gamma2)) {
                    double ratio = delta / (s + MahalanobisMetric.EPS);
                    cu -= pertWeight * ratio / 2;
                    cv += pertWeight * ratio / 2;
                    // (lambda/|T|)(A^2/4) (M w w^T + w w^T M), A = delta / (s + eps).
                    hw = pertWeight * ratio * ratio / 4;
                    anyPerturbation = true;
                }
                impostorC[m] += cu;
                targetC[t] += cv;
                h[t * ni + m] = hw;
            }
        }
        if (!Double.isNaN(anchorMin)) {
            minGamma = Math.min(minGamma, anchorMin);
        }
        for (int t = 0; t < nt; t++) {
            addPoint(xi, lxi, xj[t], lxj[t], mxj[t], targetC[t], anyPerturbation, nt, ni, t, true, xl, lxl);
        }
        for (int m = 0; m < ni; m++) {
            addPoint(xi, lxi, xl[m], lxl[m], mxl[m], impostorC[m], anyPerturbation, nt, ni, m, false, xj, lxj);
        }
        return anchorMin;
    }

    /**
     * One point x of the anchor x_i: {@code c d d^T} with d = x_i - x in G, and for the perturbation
     * {@code M x P^T + P (M x)^T} with P = sum over the partners y (impostors of a target, targets of an
     * impostor) of h (x - y).
     */
    private void addPoint(double[] xi, double[] lxi, double[] x, double[] lx, double[] mx, double coefficient,
                          boolean perturbed, int nt, int ni, int index, boolean target,
                          double[][] partners, double[][] partnersL) {
        boolean factor = form.usesFactors();
        for (int c = 0; c < p; c++) {
            d[c] = xi[c] - x[c];
        }
        if (factor) {
            for (int r = 0; r < q; r++) {
                ld[r] = lxi[r] - lx[r];
            }
        }
        double total = 0;
        if (perturbed) {
            Arrays.fill(pv, 0);
            if (factor) {
                Arrays.fill(lpv, 0);
            }
            int n = target ? ni : nt;
            for (int o = 0; o < n; o++) {
                double w = target ? h[index * ni + o] : h[o * ni + index];
                if (w == 0) {
                    continue;
                }
                total += w;
                double[] y = partners[o];
                for (int c = 0; c < p; c++) {
                    pv[c] -= w * y[c];
                }
                if (factor) {
                    double[] ly = partnersL[o];
                    for (int r = 0; r < q; r++) {
                        lpv[r] -= w * ly[r];
                    }
                }
            }
            for (int c = 0; c < p; c++) {
                pv[c] += total * x[c];
            }
            if (factor) {
                for (int r = 0; r < q; r++) {
                    lpv[r] += total * lx[r];
                }
            }
        }
        if (coefficient != 0 || total != 0) {
            form.add(coefficient, d, ld, total != 0, mx, pv, lpv);
        }
    }

    /** |a - b|^2 in four partial sums: the triplets' one loop with a dependency chain as long as p otherwise. */
    private static double squaredDistance(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = a.length;
        int c = 0;
        for (; c + 3 < n; c += 4) {
            double d0 = a[c] - b[c];
            double d1 = a[c + 1] - b[c + 1];
            double d2 = a[c + 2] - b[c + 2];
            double d3 = a[c + 3] - b[c + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; c < n; c++) {
            double d = a[c] - b[c];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private void grow(int nt, int ni) {
        if (targetD.length < nt) {
            targetD = new double[nt];
            targetC = new double[nt];
        }
        if (impostorD.length < ni) {
            impostorD = new double[ni];
            impostorC = new double[ni];
        }
        if (h.length < nt * ni) {
            h = new double[nt * ni];
        }
    }

    /** dF/dL accumulated so far (row-major q x p, in a buffer this object reuses). */
    public double[] gradient() {
        return form.gradient();
    }

    public ObjectiveValue value() {
        return new ObjectiveValue(pull, hinge, perturbation, violated, triplets);
    }

    /** Smallest adversarial margin among the triplets added since the last reset. */
    public double minGamma() {
        return minGamma;
    }

    /**
     * Everything accumulated since the last {@link #reset} (the objective's terms and the form's sums, exactly as
     * held, pending block included), for a checkpoint taken in the middle of a batch: restored on an instance reset
     * at the same L, it continues bit for bit as this one would.
     */
    public double[] accumulated() {
        double[] sums = form.state();
        double[] state = new double[SCALARS + sums.length];
        state[0] = pull;
        state[1] = hinge;
        state[2] = perturbation;
        state[3] = violated;
        state[4] = triplets;
        state[5] = minGamma;
        System.arraycopy(sums, 0, state, SCALARS, sums.length);
        return state;
    }

    /**
     * Restores {@link #accumulated()} after a {@link #reset} at the L it was accumulated at.
     *
     * @throws IllegalArgumentException if the state is not of this shape
     */
    public void restoreAccumulated(double[] state) {
        if (state.length < SCALARS) {
            throw new IllegalArgumentException("gradient state of " + state.length + " numbers");
        }
        form.restore(Arrays.copyOfRange(state, SCALARS, state.length));
        pull = state[0];
        hinge = state[1];
        perturbation = state[2];
        violated = (int) state[3];
        triplets = (int) state[4];
        minGamma = state[5];
    }

    /** Where the rank-one terms of G go, and how dF/dL = 2 L G comes out of them. */
    private interface Form {
        void reset(double[] l);

        /** Whether {@link #add} reads L d and L P (the others skip computing them). */
        boolean usesFactors();

        /**
         * Adds {@code c d d^T}, and with the perturbation {@code M x P^T + P (M x)^T}, to G; {@code ld} = L d and
         * {@code lp} = L P come along for forms that work in L's space.
         */
        void add(double c, double[] d, double[] ld, boolean perturbed, double[] mx, double[] pv, double[] lp);

        double[] gradient();

        /** The sums added since the last reset, as held. */
        double[] state();

        /** Restores {@link #state()} after a reset at the same L. */
        void restore(double[] state);
    }

    /**
     * Accumulates dF/dL itself: per point {@code 2 c (L d) d^T + 2 (L M x) P^T + 2 (L P) (M x)^T}, O(q p) with
     * one L M x product. The choice when q is well below p.
     */
    private static final class FactorForm implements Form {
        private final int q;
        private final int p;
        /** dF/dL by rows: the rank-one updates then index every array alike, which the JIT vectorises. */
        private final double[][] rows;
        private final double[][] lColumns;
        private final double[] lmx;
        private final double[] out;

        FactorForm(int q, int p) {
            this.q = q;
            this.p = p;
            this.rows = new double[q][p];
            this.lColumns = new double[p][q];
            this.lmx = new double[q];
            this.out = new double[q * p];
        }

        @Override
        public boolean usesFactors() {
            return true;
        }

        @Override
        public void reset(double[] l) {
            LinearAlgebra.columns(l, q, p, lColumns);
            for (double[] row : rows) {
                Arrays.fill(row, 0);
            }
        }

        @Override
        public void add(double c, double[] d, double[] ld, boolean perturbed, double[] mx, double[] pv, double[] lp) {
            if (!perturbed) {
                for (int r = 0; r < q; r++) {
                    double u = 2 * c * ld[r];
                    double[] g = rows[r];
                    for (int k = 0; k < p; k++) {
                        g[k] += u * d[k];
                    }
                }
                return;
            }
            LinearAlgebra.multiplyColumns(lColumns, mx, lmx);
            for (int r = 0; r < q; r++) {
                double u = 2 * c * ld[r];
                double v = 2 * lmx[r];
                double w = 2 * lp[r];
                double[] g = rows[r];
                for (int k = 0; k < p; k++) {
                    g[k] += u * d[k] + v * pv[k] + w * mx[k];
                }
            }
        }

        @Override
        public double[] gradient() {
            for (int r = 0; r < q; r++) {
                System.arraycopy(rows[r], 0, out, r * p, p);
            }
            return out;
        }

        @Override
        public double[] state() {
            return gradient().clone();
        }

        @Override
        public void restore(double[] state) {
            if (state.length != q * p) {
                throw new IllegalArgumentException("factor-form state of " + state.length + " numbers, expected " + q * p);
            }
            for (int r = 0; r < q; r++) {
                System.arraycopy(state, r * p, rows[r], 0, p);
            }
        }
    }

    /**
     * Accumulates N = U / 2 + S in p x p, where G = N + N^T (U = sum c d d^T symmetric, S = sum M x P^T), at two
     * rank-one terms of p^2 per point and no product with L; dF/dL = 2 L G once per {@link #gradient()}. The
     * choice at or near full rank. Rank-one terms wait in a block of four and are added in one pass over N, which
     * reads and writes each row of N once per block instead of once per term.
     */
    private static final class GramForm implements Form {
        private static final int BLOCK = 4;
        private final int q;
        private final int p;
        private final double[][] n;
        private final double[][] lRows;
        private final double[][] g;
        private final double[] row;
        private final double[] out;
        /** Pending terms left[t] right[t]^T, t < pending. */
        private final double[][] left;
        private final double[][] right;
        private int pending;

        GramForm(int q, int p) {
            this.q = q;
            this.p = p;
            this.n = new double[p][p];
            this.lRows = new double[q][p];
            this.g = new double[p][p];
            this.row = new double[p];
            this.out = new double[q * p];
            this.left = new double[BLOCK][p];
            this.right = new double[BLOCK][p];
        }

        @Override
        public boolean usesFactors() {
            return false;
        }

        @Override
        public void reset(double[] l) {
            LinearAlgebra.rows(l, q, p, lRows);
            for (double[] row : n) {
                Arrays.fill(row, 0);
            }
            pending = 0;
        }

        @Override
        public void add(double c, double[] d, double[] ld, boolean perturbed, double[] mx, double[] pv, double[] lp) {
            if (c != 0) {
                push(c / 2, d, d);
            }
            if (perturbed) {
                push(1, mx, pv);
            }
        }

        private void push(double scale, double[] u, double[] v) {
            double[] lt = left[pending];
            for (int a = 0; a < p; a++) {
                lt[a] = scale * u[a];
            }
            System.arraycopy(v, 0, right[pending], 0, p);
            if (++pending == BLOCK) {
                flush();
            }
        }

        private void flush() {
            if (pending == BLOCK) {
                double[] l0 = left[0];
                double[] l1 = left[1];
                double[] l2 = left[2];
                double[] l3 = left[3];
                double[] r0 = right[0];
                double[] r1 = right[1];
                double[] r2 = right[2];
                double[] r3 = right[3];
                for (int a = 0; a < p; a++) {
                    double u0 = l0[a];
                    double u1 = l1[a];
                    double u2 = l2[a];
                    double u3 = l3[a];
                    double[] na = n[a];
                    for (int k = 0; k < p; k++) {
                        na[k] += (u0 * r0[k] + u1 * r1[k]) + (u2 * r2[k] + u3 * r3[k]);
                    }
                }
            } else {
                for (int t = 0; t < pending; t++) {
                    double[] lt = left[t];
                    double[] rt = right[t];
                    for (int a = 0; a < p; a++) {
                        double u = lt[a];
                        double[] na = n[a];
                        for (int k = 0; k < p; k++) {
                            na[k] += u * rt[k];
                        }
                    }
                }
            }
            pending = 0;
        }

        /** N by rows, then the pending terms (left, right); the count of pending terms follows from the length. */
        @Override
        public double[] state() {
            double[] state = new double[p * p + 2 * pending * p];
            for (int a = 0; a < p; a++) {
                System.arraycopy(n[a], 0, state, a * p, p);
            }
            for (int t = 0; t < pending; t++) {
                System.arraycopy(left[t], 0, state, p * p + 2 * t * p, p);
                System.arraycopy(right[t], 0, state, p * p + (2 * t + 1) * p, p);
            }
            return state;
        }

        @Override
        public void restore(double[] state) {
            int terms = (state.length - p * p) / (2 * p);
            if (state.length < p * p || terms >= BLOCK || state.length != p * p + 2 * terms * p) {
                throw new IllegalArgumentException("Gram-form state of " + state.length + " numbers at p = " + p);
            }
            for (int a = 0; a < p; a++) {
                System.arraycopy(state, a * p, n[a], 0, p);
            }
            for (int t = 0; t < terms; t++) {
                System.arraycopy(state, p * p + 2 * t * p, left[t], 0, p);
                System.arraycopy(state, p * p + (2 * t + 1) * p, right[t], 0, p);
            }
            pending = terms;
        }

        @Override
        public double[] gradient() {
            flush();
            for (int a = 0; a < p; a++) {
                for (int k = 0; k < p; k++) {
                    g[a][k] = n[a][k] + n[k][a];
                }
            }
            for (int r = 0; r < q; r++) {
                double[] lr = lRows[r];
                Arrays.fill(row, 0);
                for (int a = 0; a < p; a++) {
                    double coefficient = 2 * lr[a];
                    if (coefficient == 0) {
                        continue;
                    }
                    double[] ga = g[a];
                    for (int k = 0; k < p; k++) {
                        row[k] += coefficient * ga[k];
                    }
                }
                System.arraycopy(row, 0, out, r * p, p);
            }
            return out;
        }
    }
}
