package dev.certmetric.metric;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Orthogonal Procrustes alignment of two factors of Mahalanobis metrics: the same metric
 * M = L^T L has every L' = R L (R orthogonal) as a factor; this picks the one closest to a
 * reference, so an optimiser's per-entry state (e.g. Adam moments) stays meaningful when L is
 * replaced.
 */
public final class Procrustes {
    private Procrustes() {
    }

    /** R L with R = argmin ||R L - reference||_F over orthogonal q x q R; both q x p row-major. */
    public static double[] align(double[] l, double[] reference, int q, int p) {
        DMatrixRMaj a = DMatrixRMaj.wrap(q, p, l.clone());
        DMatrixRMaj b = DMatrixRMaj.wrap(q, p, reference.clone());
        DMatrixRMaj c = new DMatrixRMaj(q, q);
        CommonOps_DDRM.multTransB(b, a, c); // C = B A^T
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(q, q, true, true, false);
        if (!svd.decompose(c)) {
            return l.clone();
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj vt = svd.getV(null, true);
        DMatrixRMaj r = new DMatrixRMaj(q, q);
        CommonOps_DDRM.mult(u, vt, r); // R = U V^T maximises tr(R A B^T)
        DMatrixRMaj out = new DMatrixRMaj(q, p);
        CommonOps_DDRM.mult(r, a, out);
        return out.getData().clone();
    }
}
