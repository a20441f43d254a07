package dev.certmetric.objective;

/**
 * The objective as a function of L (p x p, row-major) through M = L^T L, with dF/dL = 2 L G where
 * G = dF/dM (docs/ALGORITHM.md, section 4): the unconstrained form a quasi-Newton optimiser can step
 * in without projecting onto the PSD cone. G comes from {@link MatrixGradient} (Laplacian form), so the
 * per-evaluation cost is that of the M form plus two p x p products.
 */
public final class FactorGradient {
    private final MatrixGradient inner;
    private final int p;

    public FactorGradient(LmnnPlObjective objective, double[][] x, TripletSet triplets) {
        this.inner = new MatrixGradient(objective, x, triplets);
        this.p = x[0].length;
    }

    /** Value at L and dF/dL (p x p, row-major). */
    public record Result(ObjectiveValue value, double[] gradient) {
    }

    public Result evaluate(double[] l) {
        MatrixGradient.Result r = inner.evaluate(gram(l));
        double[] g = r.gradient();
        double[] out = new double[p * p];
        // 2 L G, row by row with G read along its rows: unit-stride inner loop.
        for (int a = 0; a < p; a++) {
            int rowA = a * p;
            for (int k = 0; k < p; k++) {
                double lak = 2 * l[rowA + k];
                if (lak == 0) {
                    continue;
                }
                int rowK = k * p;
                for (int b = 0; b < p; b++) {
                    out[rowA + b] += lak * g[rowK + b];
                }
            }
        }
        return new Result(r.value(), out);
    }

    public ObjectiveValue value(double[] l) {
        return inner.value(gram(l));
    }

    /** M = L^T L as a sum of the outer products of L's rows. */
    private double[] gram(double[] l) {
        double[] m = new double[p * p];
        for (int r = 0; r < p; r++) {
            int rowR = r * p;
            for (int a = 0; a < p; a++) {
                double la = l[rowR + a];
                if (la == 0) {
                    continue;
                }
                int rowA = a * p;
                for (int b = 0; b < p; b++) {
                    m[rowA + b] += la * l[rowR + b];
                }
            }
        }
        return m;
    }
}
