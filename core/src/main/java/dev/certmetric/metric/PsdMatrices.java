package dev.certmetric.metric;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** Symmetric eigen-decompositions (EJML): PSD projection and factoring, principal axes. */
public final class PsdMatrices {
    /** Eigenvalues below this are clipped to zero, as in the reference implementation. */
    public static final double CLIP = 1e-10;

    private PsdMatrices() {
    }

    /** Projects a symmetric p x p matrix (row-major) onto the PSD cone, in place. */
    public static void projectInPlace(double[] m, int p) {
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(m, p);
        java.util.Arrays.fill(m, 0.0);
        for (int k = 0; k < p; k++) {
            double lambda = eig.getEigenvalue(k).getReal();
            if (lambda < CLIP) {
                continue;
            }
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int a = 0; a < p; a++) {
                double va = lambda * v.data[a];
                for (int b = 0; b < p; b++) {
                    m[a * p + b] += va * v.data[b];
                }
            }
        }
    }

    /** L (q x p) with L^T L the best rank-q PSD approximation of the symmetric matrix m. */
    static double[] factor(double[] m, int p, int q) {
        double[] lambda = new double[p];
        double[] l = principalAxes(m, p, lambda);
        for (int r = 0; r < q; r++) {
            double s = Math.sqrt(Math.max(0, lambda[r]));
            for (int c = 0; c < p; c++) {
                l[r * p + c] *= s;
            }
        }
        return java.util.Arrays.copyOf(l, q * p);
    }

    /**
     * The unit eigenvectors of the symmetric matrix m (p x p, row-major) as the rows of an orthogonal p x p matrix,
     * by decreasing eigenvalue; {@code eigenvalues} (length p) receives the eigenvalues in that order.
     */
    public static double[] principalAxes(double[] m, int p, double[] eigenvalues) {
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(m, p);
        Integer[] order = new Integer[p];
        for (int k = 0; k < p; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(
                eig.getEigenvalue(y).getReal(), eig.getEigenvalue(x).getReal()));
        double[] axes = new double[p * p];
        for (int r = 0; r < p; r++) {
            eigenvalues[r] = eig.getEigenvalue(order[r]).getReal();
            System.arraycopy(eig.getEigenVector(order[r]).data, 0, axes, r * p, p);
        }
        return axes;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> decompose(double[] m, int p) {
        DMatrixRMaj a = new DMatrixRMaj(p, p);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                a.data[i * p + j] = 0.5 * (m[i * p + j] + m[j * p + i]);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, true, true);
        if (!eig.decompose(a)) {
            throw new ArithmeticException("eigen-decomposition did not converge");
        }
        return eig;
    }
}
