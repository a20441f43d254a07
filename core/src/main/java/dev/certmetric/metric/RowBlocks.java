package dev.certmetric.metric;

/**
 * n rows of length q laid out for a vectorised distance pass: blocks of {@link #BLOCK} consecutive rows, each
 * block stored by column (one array per coordinate, holding that coordinate of the block's rows). The pass then
 * runs, per coordinate, one loop over the block's rows in which the running sums and the column are read at the
 * same index, which the JIT compiles to SIMD instructions; with the column in one flat array, or the sums in the
 * caller's array, at different offsets it could not rule out overlap and stayed scalar (2.4 times slower,
 * measured). A row-major pass sums one row at a
 * time, bound by the add latency. Each row's sum still adds its coordinates in index order, so the distances are
 * bit for bit those of {@link LinearAlgebra#squaredDistance}. Immutable.
 */
public final class RowBlocks {
    /** Rows per block: the block's running sums (2 KiB) stay in the L1 cache while its columns stream past. */
    static final int BLOCK = 256;

    private final int n;
    /** columns[b][r][j]: coordinate r of row b * BLOCK + j. */
    private final double[][][] columns;

    /** @param rows row-major n x q */
    public RowBlocks(double[] rows, int n, int q) {
        if (rows.length != n * q) {
            throw new IllegalArgumentException("expected " + n + " x " + q + " values, got " + rows.length);
        }
        if (q < 1) {
            throw new IllegalArgumentException("rows need at least one coordinate, got q = " + q);
        }
        this.n = n;
        this.columns = new double[(n + BLOCK - 1) / BLOCK][q][];
        for (int b = 0; b < columns.length; b++) {
            int start = b * BLOCK;
            int width = Math.min(BLOCK, n - start);
            for (int r = 0; r < q; r++) {
                double[] column = new double[width];
                for (int j = 0; j < width; j++) {
                    column[j] = rows[(start + j) * q + r];
                }
                columns[b][r] = column;
            }
        }
    }

    public int rows() {
        return n;
    }

    /** out[i] = ||v - row_i||^2 for every row (out has length >= n). */
    public void squaredDistances(double[] v, double[] out) {
        double[] sums = new double[Math.min(n, BLOCK)];
        for (int b = 0; b < columns.length; b++) {
            double[][] block = columns[b];
            double[] column = block[0];
            int width = column.length;
            double x = v[0];
            for (int j = 0; j < width; j++) {
                double e = x - column[j];
                sums[j] = e * e; // 0 + e * e, as the row-major sum starts
            }
            int r = 1;
            // Four coordinates per pass over the sums: a quarter of their loads and stores. Java adds left to
            // right, so each sum still takes its coordinates one at a time in index order.
            for (; r + 3 < block.length; r += 4) {
                double[] c0 = block[r];
                double[] c1 = block[r + 1];
                double[] c2 = block[r + 2];
                double[] c3 = block[r + 3];
                double x0 = v[r];
                double x1 = v[r + 1];
                double x2 = v[r + 2];
                double x3 = v[r + 3];
                for (int j = 0; j < width; j++) {
                    double e0 = x0 - c0[j];
                    double e1 = x1 - c1[j];
                    double e2 = x2 - c2[j];
                    double e3 = x3 - c3[j];
                    sums[j] = sums[j] + e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3;
                }
            }
            for (; r < block.length; r++) {
                column = block[r];
                x = v[r];
                for (int j = 0; j < width; j++) {
                    double e = x - column[j];
                    sums[j] += e * e;
                }
            }
            System.arraycopy(sums, 0, out, b * BLOCK, width);
        }
    }
}
