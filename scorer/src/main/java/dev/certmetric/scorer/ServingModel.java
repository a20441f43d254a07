package dev.certmetric.scorer;

import dev.certmetric.certify.CertifiedKnn;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.MetricSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A decoded snapshot prepared for serving: the metric, the snapshot's preprocessing, a
 * {@link CertifiedKnn} over its exemplars (k from the snapshot's hyperparameters) and the anomaly
 * calibration. Immutable and thread-safe; built once per accepted snapshot and swapped atomically by
 * {@link ModelRegistry}.
 */
public final class ServingModel {
    private final MetricSnapshot snapshot;
    private final Standardizer preprocessing;
    private final MahalanobisMetric metric;
    private final CertifiedKnn certified;
    private final List<String> classes;
    private final AnomalyCalibration calibration;
    private final Instant loadedAt;

    /** One scored query (preprocessed-space quantities). */
    public record Score(String label, String[] neighbourLabels, double[] neighbourDistances,
            double nearestDistance, double anomalyScore, double certifiedRadius) {
    }

    private ServingModel(MetricSnapshot snapshot, Instant loadedAt) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.loadedAt = loadedAt;
        List<Exemplar> exemplars = snapshot.exemplars();
        if (exemplars.isEmpty()) {
            throw new IllegalArgumentException("snapshot " + snapshot + " has no exemplars to classify against");
        }
        this.preprocessing = snapshot.preprocessing();
        this.metric = snapshot.metric();
        this.classes = snapshot.classes();
        double[][] refs = new double[exemplars.size()][];
        int[] codes = new int[exemplars.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = exemplars.get(i).features();
            codes[i] = classes.indexOf(exemplars.get(i).label());
        }
        this.certified = new CertifiedKnn(new KnnClassifier(metric, refs, codes, snapshot.hyperparameters().k()));
        double[] quantiles = snapshot.trainingStats().anomalyCalibration();
        if (quantiles.length >= 2) {
            this.calibration = AnomalyCalibration.ofQuantiles(quantiles);
        } else if (refs.length >= 2) {
            this.calibration = AnomalyCalibration.fromExemplars(metric, refs);
        } else {
            throw new IllegalArgumentException("snapshot " + snapshot
                    + " has no anomaly calibration and fewer than 2 exemplars to compute one");
        }
    }

    /**
     * Prepares a snapshot for serving.
     *
     * @throws IllegalArgumentException if it cannot serve (no exemplars, no way to calibrate)
     */
    public static ServingModel of(MetricSnapshot snapshot) {
        return new ServingModel(snapshot, Instant.now());
    }

    public MetricSnapshot snapshot() {
        return snapshot;
    }

    public String name() {
        return snapshot.modelName();
    }

    public long version() {
        return snapshot.version();
    }

    /** Number of raw input features. */
    public int dimension() {
        return snapshot.p();
    }

    public int k() {
        return certified.classifier().k();
    }

    public AnomalyCalibration calibration() {
        return calibration;
    }

    public CertifiedKnn certifiedKnn() {
        return certified;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** Seconds since the snapshot was created (by the learner), at {@code now}. */
    public double ageSeconds(Instant now) {
        return Duration.between(snapshot.createdAt(), now).toNanos() / 1e9;
    }

    /** The snapshot's preprocessing of a raw input (length p). */
    public double[] preprocess(double[] raw) {
        return preprocessing.apply(raw);
    }

    /** Scores a raw input: preprocess, then {@link #scorePreprocessed}. */
    public Score score(double[] raw) {
        return scorePreprocessed(preprocess(raw));
    }

    /** k-NN label, neighbours, anomaly score and certified radius of a preprocessed vector. */
    public Score scorePreprocessed(double[] z) {
        CertifiedKnn.Certified c = certified.classify(z);
        int[] nb = c.prediction().neighbours();
        double[] d2 = c.prediction().squaredDistances();
        String[] labels = new String[nb.length];
        double[] dist = new double[nb.length];
        for (int i = 0; i < nb.length; i++) {
            labels[i] = classes.get(certified.classifier().classOf(nb[i]));
            dist[i] = Math.sqrt(Math.max(0, d2[i]));
        }
        double nearest = dist[0];
        return new Score(classes.get(c.label()), labels, dist, nearest, calibration.score(nearest), c.radius());
    }

    /** Mahalanobis distance between two raw inputs after preprocessing. */
    public double distance(double[] rawA, double[] rawB) {
        return metric.distance(preprocess(rawA), preprocess(rawB));
    }

    @Override
    public String toString() {
        return "ServingModel[" + snapshot.modelName() + " v" + snapshot.version() + ", p=" + snapshot.p() + ", q="
                + snapshot.q() + ", " + snapshot.exemplars().size() + " exemplars, k=" + k() + "]";
    }
}
