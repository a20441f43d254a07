package dev.certmetric.bench;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.train.ReferenceOptimizer;
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

/** A full LMNN-PL batch fit (reference optimiser) on the 70% training part of a bundled dataset. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchFitBenchmark {
    @Param({"iris", "wine", "heart-scale", "breast-cancer", "ionosphere", "vehicle", "wdbc"})
    String dataset;

    private double[][] x;
    private int[] y;

    @Setup
    public void setUp() {
        CsvDataset data = CsvDataset.readResource(dataset);
        int[] rows = dev.certmetric.data.Splits.randomSplit(data.rows(), 0.3, 1).train();
        CsvDataset train = data.subset(rows);
        x = Standardizer.fit(train.features()).applyAll(train.features());
        y = train.classCodes();
    }

    @Benchmark
    public ReferenceOptimizer.Fit fit() {
        return new ReferenceOptimizer(new LmnnPlObjective(0.34, 20, 0.27), ReferenceOptimizer.Settings.DEFAULT).fit(x, y);
    }
}
