package dev.certmetric.bench;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.train.BatchOptimizer;
import dev.certmetric.train.BatchOptimizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** A full LMNN-PL batch fit, by each batch optimiser, on the 70% training part of a bundled dataset. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchFitBenchmark {
    /**
     * A bundled dataset or a CSV file (its 70% training part; bench/debian-sets.sh writes sonar, new-thyroid,
     * house-votes and penguins), or "synthetic-NxP": N two-class Gaussian rows, all fitted.
     */
    @Param({"iris", "wine", "heart-scale", "breast-cancer", "ionosphere", "vehicle", "wdbc",
        "synthetic-690x14", "synthetic-208x60", "synthetic-483x14", "synthetic-146x60"})
    String dataset;

    /** A name of {@link BatchOptimizers}. */
    @Param({"lbfgs", "reference"})
    String optimizer;

    private double[][] x;
    private int[] y;

    @Setup
    public void setUp() throws java.io.IOException {
        if (dataset.startsWith("synthetic-")) {
            String[] shape = dataset.substring("synthetic-".length()).split("x");
            synthetic(Integer.parseInt(shape[0]), Integer.parseInt(shape[1]));
            return;
        }
        CsvDataset data = dataset.endsWith(".csv") ? CsvDataset.read(java.nio.file.Path.of(dataset))
                : CsvDataset.readResource(dataset);
        int[] rows = dev.certmetric.data.Splits.randomSplit(data.rows(), 0.3, 1).train();
        CsvDataset train = data.subset(rows);
        x = Standardizer.fit(train.features()).applyAll(train.features());
        y = train.classCodes();
    }

    /** The shapes of the sets the reference was timed on (690 x 14 and 208 x 60), with overlapping classes. */
    private void synthetic(int n, int p) {
        java.util.Random rnd = new java.util.Random(7);
        double[][] raw = new double[n][p];
        y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int c = 0; c < p; c++) {
                raw[i][c] = rnd.nextGaussian() + (c < 3 && y[i] == 1 ? 0.8 : 0);
            }
        }
        x = Standardizer.fit(raw).applyAll(raw);
    }

    @Benchmark
    public BatchOptimizer.Fit fit() {
        return BatchOptimizers.byName(optimizer).create(new LmnnPlObjective(0.34, 20, 0.27), 3, 10).fit(x, y);
    }
}
