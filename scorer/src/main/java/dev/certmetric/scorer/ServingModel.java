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
 * {@link CertifiedKnn} over its exemplars (k from the snapshot's hyperparameters), the anomaly
 * calibration and the catalogue indexed under this metric. Immutable and thread-safe but for the
 * catalogue index, which follows the catalogue's changes under its own lock; built once per accepted
 * snapshot and swapped atomically by {@link ModelRegistry}, so a model and its index always serve together.
 */
public final class ServingModel {
    private final MetricSnapshot snapshot;
    private final Standardizer preprocessing;
    private final MahalanobisMetric metric;
    private final CertifiedKnn certified;
    private final List<String> classes;
    private final AnomalyCalibration calibration;
    private final Instant loadedAt;
    private final CatalogueIndex catalogue;

    /** One scored query (preprocessed-space quantities). */
    public record Score(String label, String[] neighbourLabels, double[] neighbourDistances,
            double nearestDistance, double anomalyScore, double certifiedRadius) {
    }

    /** @param catalogue indexed last, once the snapshot is known to serve; null: an empty index of its own */
    private ServingModel(MetricSnapshot snapshot, Instant loadedAt, Catalogue catalogue) {
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
        this.catalogue = catalogue == null ? new CatalogueIndex(preprocessing, metric, 0)
                : catalogue.index(preprocessing, metric);
    }

    /**
     * Prepares a snapshot for serving.
     *
     * @throws IllegalArgumentException if it cannot serve (no exemplars, no way to calibrate)
     */
    public static ServingModel of(MetricSnapshot snapshot) {
        return new ServingModel(snapshot, Instant.now(), null);
    }

    /**
     * Prepares a snapshot for serving with the catalogue indexed under its metric (the index then follows the
     * catalogue's changes); a null catalogue gives an empty index.
     *
     * @throws IllegalArgumentException if it cannot serve (no exemplars, no way to calibrate)
     */
    public static ServingModel of(MetricSnapshot snapshot, Catalogue catalogue) {
        return new ServingModel(snapshot, Instant.now(), catalogue);
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

    /** The catalogue under this model's metric. */
    public CatalogueIndex catalogue() {
        return catalogue;
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
