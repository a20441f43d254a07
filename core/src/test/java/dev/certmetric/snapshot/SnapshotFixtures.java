package dev.certmetric.snapshot;

import dev.certmetric.preprocess.Standardizer;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Snapshots for the codec tests; {@link #example()} is the one in docs/SNAPSHOT_FORMAT.md. */
final class SnapshotFixtures {
    private SnapshotFixtures() {
    }

    static Hyperparameters hyperparameters(int rank, int window) {
        TreeMap<String, String> extra = new TreeMap<>();
        extra.put("dataset", "iris");
        extra.put("seed", "42");
        return new Hyperparameters(3, 5, 0.5, 0.1, 0.05, rank, "adagrad", 0.01, window, 16, extra);
    }

    static MetricSnapshot example() {
        return MetricSnapshot.builder()
                .modelName("iris-demo")
                .version(7)
                .createdAt(Instant.parse("2025-01-02T03:04:05Z"))
                .l(2, 3, new double[] {1.0, 0.5, 0.0, -0.25, 2.0, 1.0E-5})
                .preprocessing(new Standardizer(new double[] {5.8, 3.0, 0.0}, new double[] {0.8, 0.5, 0.0}))
                .hyperparameters(hyperparameters(2, 2))
                .trainingStats(new TrainingStats(1200, 75, 0.95, 0.125, -0.1, 0.2, 0.5,
                        new double[] {0.0, 0.1, 0.25, 0.5, 1.5}))
                .classes(List.of("setosa", "versicolor"))
                .exemplars(List.of(new Exemplar("setosa", new double[] {-0.6, 0.8, 0.0}),
                        new Exemplar("versicolor", new double[] {0.6, -0.8, 0.0})))
                .build();
    }

    /** A snapshot of random doubles, to show the round trip is bit-exact. */
    static MetricSnapshot random(long seed, int q, int p) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-30, 7)); // |L| <= MAX_ABS_L
        }
        double[] mean = new double[p];
        double[] std = new double[p];
        double[] x = new double[p];
        for (int f = 0; f < p; f++) {
            mean[f] = r.nextGaussian() * 100;
            std[f] = f == 0 ? 0 : Math.exp(r.nextDouble(-20, 20));
            x[f] = r.nextGaussian();
        }
        double[] calibration = new double[101];
        for (int i = 1; i < calibration.length; i++) {
            calibration[i] = calibration[i - 1] + r.nextDouble();
        }
        return MetricSnapshot.builder()
                .modelName("random \"model\" \u00e9\u4e2d")
                .version(Long.MAX_VALUE)
                .createdAt(Instant.ofEpochSecond(1_700_000_000L, 123_456_789))
                .l(q, p, l)
                .preprocessing(new Standardizer(mean, std))
                .hyperparameters(hyperparameters(q, 1))
                .trainingStats(new TrainingStats(10, 3, 1.0 / 3, Math.PI, -0.0, 0.0, Double.MIN_VALUE, calibration))
                .classes(List.of("a", "b"))
                .exemplars(List.of(new Exemplar("b", x)))
                .build();
    }
}
