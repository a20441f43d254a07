package dev.certmetric.bench;

import dev.certmetric.objective.AnchorGradient;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.StreamingLearner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The streaming learner's hot path at the default configuration. {@code event}: one labelled event
 * through test-then-train (k-NN on the window, target/impostor search, k x v triplets, and every
 * batchSize events a step and a window refresh). {@code anchor}: one anchor's k = 3 targets and v = 10 impostors (30 triplets and 3
 * pull pairs) through the gradient accumulator alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StochasticUpdateBenchmark {
    @Param({"16", "180", "784"})
    int p;

    @Param({"4", "26"})
    int classes;

    private StreamingLearner learner;
    private double[][] events;
    private String[] labels;
    private int next;

    private AnchorGradient gradient;
    private double[][] x;
    private double[][] lx;
    private double[][] mx;
    /** Per anchor a: x, L x, M x of its targets (rows a+1..a+3), then of its impostors (a+4..a+13). */
    private double[][][][] points;
    private int anchorIndex;

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(1);
        // The default configuration (window 100 per class, certificates one event in 100, the Euclidean guard,
        // drift detection, automatic rank), past the guard's dense first 1,000 events.
        learner = new StreamingLearner(LearnerSettings.DEFAULT, p);
        int q = learner.rank();
        events = new double[8192][p];
        labels = new String[events.length];
        for (int i = 0; i < events.length; i++) {
            int c = rnd.nextInt(classes);
            labels[i] = "c" + c;
            for (int f = 0; f < p; f++) {
                events[i][f] = rnd.nextGaussian() + (f % classes == c ? 1.5 : 0);
            }
        }
        for (int i = 0; i < 2000; i++) {
            step();
        }
        gradient = new AnchorGradient(new LmnnPlObjective(0.34, 20, 0.27), q, p);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian() * 0.2 + (i % (p + 1) == 0 ? 1 : 0);
        }
        gradient.reset(l);
        x = new double[64][];
        lx = new double[64][q];
        mx = new double[64][p];
        for (int i = 0; i < x.length; i++) {
            x[i] = events[i];
            dev.certmetric.metric.LinearAlgebra.multiply(l, q, p, x[i], lx[i]);
            dev.certmetric.metric.LinearAlgebra.multiplyTransposed(l, q, p, lx[i], mx[i]);
        }
        points = new double[32][][][];
        for (int a = 0; a < 32; a++) {
            points[a] = new double[][][] {
                java.util.Arrays.copyOfRange(x, a + 1, a + 4), java.util.Arrays.copyOfRange(lx, a + 1, a + 4),
                java.util.Arrays.copyOfRange(mx, a + 1, a + 4), java.util.Arrays.copyOfRange(x, a + 4, a + 14),
                java.util.Arrays.copyOfRange(lx, a + 4, a + 14), java.util.Arrays.copyOfRange(mx, a + 4, a + 14)};
        }
    }

    private StreamingLearner.Outcome step() {
        int i = next++ & (events.length - 1);
        return learner.testThenTrain(events[i], labels[i], next);
    }

    @Benchmark
    public StreamingLearner.Outcome event() {
        return step();
    }

    @Benchmark
    public double anchor() {
        int a = anchorIndex++ & 31;
        return gradient.addAnchor(x[a], lx[a], 3, points[a][0], points[a][1], points[a][2], 10, points[a][3],
                points[a][4], points[a][5], 1e-3, 1e-3);
    }
}
