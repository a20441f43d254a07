package dev.certmetric.bench;

import dev.certmetric.cli.ScoreBenchmark;
import dev.certmetric.scorer.Scorer;
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

import java.util.concurrent.TimeUnit;

/**
 * One scorer answer in process, on the synthetic model of {@code bench-score} (10 Gaussian classes,
 * {@code perClass} exemplars each): {@code answer} is the whole request to
 * answer path (JSON in, k-NN, radius, JSON out), {@code score} the preprocessed arithmetic alone.
 * Answers/s per core = 1e6 / (us per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScorerBenchmark {
    @Param({"16:16", "784:64"})
    String shape;

    /** 50: 500 exemplars (the in-process targets); 260: 2,600, as many as the letter demo's snapshot. */
    @Param({"50", "260"})
    int perClass;

    private ServingModel model;
    private Scorer scorer;
    private byte[][] bodies;
    private double[][] features;
    private int next;

    @Setup
    public void setUp() {
        String[] pq = shape.split(":");
        MetricSnapshot snapshot = ScoreBenchmark.syntheticSnapshot(Integer.parseInt(pq[0]), Integer.parseInt(pq[1]),
                10, perClass, 1);
        model = ServingModel.of(snapshot);
        scorer = new Scorer(new SimpleMeterRegistry());
        bodies = ScoreBenchmark.requests(snapshot, 1024, 2);
        features = new double[bodies.length][];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < features.length; i++) {
            features[i] = new double[snapshot.p()];
            for (int f = 0; f < snapshot.p(); f++) {
                features[i][f] = snapshot.preprocessing().mean()[f] + snapshot.preprocessing().std()[f] * rnd.nextGaussian();
            }
        }
    }

    @Benchmark
    public Scorer.Answer answer() {
        next = (next + 1) & 1023;
        return scorer.answer(bodies[next], model, "bench");
    }

    @Benchmark
    public ServingModel.Score score() {
        next = (next + 1) & 1023;
        return model.score(features[next]);
    }
}
