package dev.certmetric.bench;

import dev.certmetric.cli.ScoreBenchmark;
import dev.certmetric.scorer.Catalogue;
import dev.certmetric.scorer.CatalogueIndex;
import dev.certmetric.scorer.ServingModel;
import dev.certmetric.snapshot.MetricSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One catalogue search alone (no JSON): the k nearest of {@code references} items to a query, on the synthetic
 * model of {@code bench-score --search-references} (p = q, items and queries drawn from the data's mean and std,
 * indexed as on a hot swap). Searches per core-second = 1e3 / (ms per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class CatalogueSearchBenchmark {
    @Param({"100000"})
    int references;

    @Param({"64"})
    int p;

    @Param({"10"})
    int k;

    private CatalogueIndex index;
    private double[][] queries;
    private int next;

    @Setup
    public void setUp() {
        MetricSnapshot snapshot = ScoreBenchmark.syntheticSnapshot(p, p, 10, 50, 1);
        Catalogue catalogue = new Catalogue(256, new SimpleMeterRegistry());
        byte[][] records = ScoreBenchmark.requests(snapshot, references, 3);
        for (int i = 0; i < references; i++) {
            catalogue.offer("b" + i, records[i]);
        }
        index = ServingModel.of(snapshot, catalogue).catalogue();
        SplittableRandom rnd = new SplittableRandom(2);
        queries = new double[1024][p];
        for (double[] x : queries) {
            for (int f = 0; f < p; f++) {
                x[f] = snapshot.preprocessing().mean()[f] + snapshot.preprocessing().std()[f] * rnd.nextGaussian();
            }
        }
    }

    @Benchmark
    public CatalogueIndex.Match[] search() {
        next = (next + 1) & 1023;
        return index.search(queries[next], k);
    }
}
