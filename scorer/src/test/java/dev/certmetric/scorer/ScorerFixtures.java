package dev.certmetric.scorer;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.TrainingStats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Snapshots built from real data, and a polling wait, for the scorer tests. */
final class ScorerFixtures {
    static final CsvDataset IRIS = CsvDataset.readResource("iris");

    private ScorerFixtures() {
    }

    static Hyperparameters hyperparameters(int k, int rank, int window) {
        return new Hyperparameters(k, 10, 0.5, 1.0, 0.1, rank, "adam", 0.03, window, 8, new TreeMap<>());
    }

    /** A snapshot of a metric over the given data: every row an exemplar, calibration from the exemplars. */
    static MetricSnapshot snapshot(String name, long version, CsvDataset data, MahalanobisMetric metric, int k) {
        Standardizer pre = Standardizer.fit(data.features());
        double[][] z = pre.applyAll(data.features());
        List<Exemplar> exemplars = new ArrayList<>();
        int maxPerClass = 0;
        int[] perClass = new int[data.classes().size()];
        for (int i = 0; i < z.length; i++) {
            exemplars.add(new Exemplar(data.label(i), z[i]));
            maxPerClass = Math.max(maxPerClass, ++perClass[data.classCodes()[i]]);
        }
        double[] calibration = AnomalyCalibration.fromExemplars(metric, z).quantiles();
        return MetricSnapshot.builder()
                .modelName(name)
                .version(version)
                .createdAt(Instant.now())
                .metric(metric)
                .preprocessing(pre)
                .hyperparameters(hyperparameters(k, metric.rank(), maxPerClass))
                .trainingStats(new TrainingStats(z.length, 1, 0.9, 0.1, -0.1, 0.1, 0.3, calibration))
                .classes(data.classes())
                .exemplars(exemplars)
                .build();
    }

    /** Iris with L = scale * I: distances scale with the version, so answers show which version made them. */
    static MetricSnapshot iris(String name, long version) {
        int p = IRIS.featureCount();
        double[] l = MahalanobisMetric.identity(p, p);
        for (int i = 0; i < l.length; i++) {
            l[i] *= version;
        }
        return snapshot(name, version, IRIS, MahalanobisMetric.of(p, p, l), 3);
    }

    /** Iris under a random L (q x 4, fixed seed): rankings differ from the Euclidean ones, unlike {@link #iris}. */
    static MetricSnapshot irisRandomMetric(String name, long version, int q, long seed) {
        return randomMetric(IRIS, name, version, q, seed);
    }

    /** A snapshot of the data under a random L (q x p, fixed seed). */
    static MetricSnapshot randomMetric(CsvDataset data, String name, long version, int q, long seed) {
        int p = data.featureCount();
        java.util.Random rnd = new java.util.Random(seed);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian();
        }
        return snapshot(name, version, data, MahalanobisMetric.of(q, p, l), 3);
    }

    /** A catalogue item as the references topic carries it. */
    static String item(String id, String label, double[] x) {
        StringBuilder sb = new StringBuilder("{\"id\":\"").append(id).append('"');
        if (label != null) {
            sb.append(",\"label\":\"").append(label).append('"');
        }
        sb.append(",\"features\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", x[i]));
        }
        return sb.append("]}").toString();
    }

    static String searchRequest(String id, double[] x, int k) {
        String score = scoreRequest(id, x);
        return score.substring(0, score.length() - 1) + ",\"k\":" + k + ",\"search\":true}";
    }

    /** One expected search result. */
    record Near(String id, double distance) {
    }

    /**
     * The k nearest items by brute force, written out from the definition: z = the snapshot's preprocessing of
     * each raw vector, d = ||L (z_query - z_item)|| with L as published, ordered by distance then id.
     */
    static List<Near> bruteForce(MetricSnapshot s, java.util.Map<String, double[]> items, double[] query, int k) {
        Standardizer pre = s.preprocessing();
        double[] l = s.metric().l();
        int q = s.q();
        int p = s.p();
        double[] zq = pre.apply(query);
        List<Near> all = new ArrayList<>();
        for (java.util.Map.Entry<String, double[]> e : items.entrySet()) {
            double[] z = pre.apply(e.getValue());
            double sum = 0;
            for (int r = 0; r < q; r++) {
                double v = 0;
                for (int c = 0; c < p; c++) {
                    v += l[r * p + c] * (zq[c] - z[c]);
                }
                sum += v * v;
            }
            all.add(new Near(e.getKey(), Math.sqrt(sum)));
        }
        all.sort(java.util.Comparator.comparingDouble(Near::distance).thenComparing(Near::id));
        return all.subList(0, Math.min(k, all.size()));
    }

    static String scoreRequest(String id, double[] x) {
        StringBuilder sb = new StringBuilder("{\"id\":\"").append(id).append("\",\"features\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", x[i]));
        }
        return sb.append("]}").toString();
    }

    /** Polls {@code condition} every 20 ms; fails the test after {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
