package dev.certmetric.bench;

import dev.certmetric.objective.LinearGradient;
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
 * The streaming learner's hot path. {@code event}: one labelled event through test-then-train
 * (k-NN on the window, target/impostor search, k x v triplets, and every batchSize events a step
 * and a window refresh). {@code triplet}: one triplet's objective and L-gradient term alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StochasticUpdateBenchmark {
    @Param({"16", "64", "784"})
    int p;

    private StreamingLearner learner;
    private double[][] events;
    private String[] labels;
    private int next;

    private LinearGradient gradient;
    private double[][] x;
    private double[][] lx;
    private int tripletIndex;

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(1);
        int q = Math.min(p, 64);
        LearnerSettings settings = new LearnerSettings(3, 10, 0.34, 20, 0.27, q, 50, 0, 8, "adam", 0.03, 0, 100, "none", 50, 0);
        learner = new StreamingLearner(settings, p);
        events = new double[4096][p];
        labels = new String[events.length];
        for (int i = 0; i < events.length; i++) {
            int c = rnd.nextInt(4);
            labels[i] = "c" + c;
            for (int f = 0; f < p; f++) {
                events[i][f] = rnd.nextGaussian() + (f % 4 == c ? 1 : 0);
            }
        }
        for (int i = 0; i < 1000; i++) {
            step();
        }
        gradient = new LinearGradient(new LmnnPlObjective(0.34, 20, 0.27), q, p);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian() * 0.2 + (i % (p + 1) == 0 ? 1 : 0);
        }
        gradient.reset(l);
        x = new double[64][];
        lx = new double[64][q];
        for (int i = 0; i < x.length; i++) {
            x[i] = events[i];
            dev.certmetric.metric.LinearAlgebra.multiply(l, q, p, x[i], lx[i]);
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
    public double triplet() {
        int t = tripletIndex++ & 63;
        return gradient.addTriplet(x[t], lx[t], x[(t + 1) & 63], lx[(t + 1) & 63], x[(t + 7) & 63], lx[(t + 7) & 63], 1e-3);
    }
}
