package dev.certmetric.metric;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** Symmetric eigen-decompositions (EJML) for the batch optimiser: PSD projection and factoring. */
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
        EigenDecomposition_F64<DMatrixRMaj> eig = decompose(m, p);
        Integer[] order = new Integer[p];
        for (int k = 0; k < p; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(
                eig.getEigenvalue(y).getReal(), eig.getEigenvalue(x).getReal()));
        double[] l = new double[q * p];
        for (int r = 0; r < q; r++) {
            double lambda = Math.max(0, eig.getEigenvalue(order[r]).getReal());
            DMatrixRMaj v = eig.getEigenVector(order[r]);
            double s = Math.sqrt(lambda);
            for (int c = 0; c < p; c++) {
                l[r * p + c] = s * v.data[c];
            }
        }
        return l;
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
