package dev.certmetric.metric;

/**
 * n rows of length q in one flat array laid out for a vectorised distance pass: blocks of {@link #BLOCK}
 * consecutive rows, each block column-major (coordinate r of the block's rows side by side). The pass then runs,
 * per coordinate, one simple loop over the block's rows, which the JIT compiles to SIMD instructions; a
 * row-major pass sums one row at a time, bound by the add latency. Each row's sum still adds its coordinates
 * in index order, so the distances are bit for bit those of {@link LinearAlgebra#squaredDistance}. Immutable.
 */
public final class RowBlocks {
    /** Rows per block: the block's running sums (2 KiB) stay in the L1 cache while its columns stream past. */
    static final int BLOCK = 256;

    private final int n;
    private final int q;
    private final double[] data;

    /** @param rows row-major n x q */
    public RowBlocks(double[] rows, int n, int q) {
        if (rows.length != n * q) {
            throw new IllegalArgumentException("expected " + n + " x " + q + " values, got " + rows.length);
        }
        this.n = n;
        this.q = q;
        this.data = new double[n * q];
        for (int start = 0; start < n; start += BLOCK) {
            int width = Math.min(BLOCK, n - start);
            int base = start * q;
            for (int j = 0; j < width; j++) {
                for (int r = 0; r < q; r++) {
                    data[base + r * width + j] = rows[(start + j) * q + r];
                }
            }
        }
    }

    public int rows() {
        return n;
    }

    /** out[i] = ||v - row_i||^2 for every row (out has length >= n). */
    public void squaredDistances(double[] v, double[] out) {
        for (int start = 0; start < n; start += BLOCK) {
            int width = Math.min(BLOCK, n - start);
            int base = start * q;
            double x = v[0];
            for (int j = 0; j < width; j++) {
                double e = x - data[base + j];
                out[start + j] = e * e; // 0 + e * e, as the row-major sum starts
            }
            for (int r = 1; r < q; r++) {
                x = v[r];
                int col = base + r * width;
                for (int j = 0; j < width; j++) {
                    double e = x - data[col + j];
                    out[start + j] += e * e;
                }
            }
        }
    }
}
