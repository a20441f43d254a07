package dev.certmetric.snapshot;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable model the learner publishes and the scorer loads: the metric's linear map L with the
 * preprocessing it expects, plus provenance (hyperparameters, training statistics, creation time)
 * so every score can be traced to how the model was made. The wire format is {@link SnapshotCodec}.
 *
 * <p>Build with {@link #builder()}; the constructor validates everything a decoder would otherwise
 * have to trust.
 */
public final class MetricSnapshot {
    /** The schema version this code writes and the only one it reads. */
    public static final int SCHEMA_VERSION = 1;
    /** Upper bound on the input dimension p, far above any dataset here; bounds a decoder's allocation. */
    public static final int MAX_DIMENSION = 1 << 16;
    /**
     * Largest |L_ij| a reader accepts (checked by {@link SnapshotCodec#decode}). With |L_ij| <= 1e6,
     * |exemplar entries| <= {@link #MAX_ABS_EXEMPLAR} and p <= 65536, every entry of M = L^T L is at most
     * 6.6e16 and every projection, squared distance and ||M (x_l - x_j)|| stays below 1e40: a finite L
     * whose M overflows (L_ij ~ 1e200) cannot be served. Learned metrics on standardised, unit-norm
     * data are many orders of magnitude smaller.
     */
    public static final double MAX_ABS_L = 1e6;
    /** Largest |entry| of an exemplar a reader accepts; exemplars are preprocessed, so in practice <= 1. */
    public static final double MAX_ABS_EXEMPLAR = 1e6;

    private final String modelName;
    private final long version;
    private final Instant createdAt;
    private final int p;
    private final int q;
    private final double[] l;
    private final Standardizer preprocessing;
    private final Hyperparameters hyperparameters;
    private final TrainingStats trainingStats;
    private final List<Exemplar> exemplars;
    private final List<String> classes;
    private final RaceStandings race;

    private MetricSnapshot(Builder b) {
        if (b.modelName == null || b.modelName.isBlank()) {
            throw new IllegalArgumentException("modelName must be a non-blank name");
        }
        if (b.version < 1) {
            throw new IllegalArgumentException("version must be > 0, got " + b.version);
        }
        if (b.p < 1 || b.p > MAX_DIMENSION || b.q < 1 || b.q > b.p) {
            throw new IllegalArgumentException("need 1 <= q <= p <= " + MAX_DIMENSION + ", got q=" + b.q + ", p=" + b.p);
        }
        Objects.requireNonNull(b.l, "L");
        if (b.l.length != b.q * b.p) {
            throw new IllegalArgumentException("L has " + b.l.length + " entries, expected q*p=" + b.q * b.p);
        }
        for (int i = 0; i < b.l.length; i++) {
            if (!Double.isFinite(b.l[i])) {
                throw new IllegalArgumentException("L entry " + i + " is not finite: " + b.l[i]);
            }
        }
        if (Objects.requireNonNull(b.preprocessing, "preprocessing").dimension() != b.p) {
            throw new IllegalArgumentException("preprocessing has " + b.preprocessing.dimension() + " features, expected p="
                    + b.p);
        }
        if (Objects.requireNonNull(b.hyperparameters, "hyperparameters").rank() != b.q) {
            throw new IllegalArgumentException("hyperparameter rank " + b.hyperparameters.rank() + " differs from q=" + b.q);
        }
        List<String> classes = List.copyOf(Objects.requireNonNull(b.classes, "classes"));
        if (classes.isEmpty() || new HashSet<>(classes).size() != classes.size() || classes.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("classes must be non-empty, distinct and non-empty strings, got " + classes);
        }
        List<Exemplar> exemplars = List.copyOf(Objects.requireNonNull(b.exemplars, "exemplars"));
        Map<String, Integer> perClass = new HashMap<>();
        for (Exemplar e : exemplars) {
            if (!classes.contains(e.label())) {
                throw new IllegalArgumentException("exemplar label '" + e.label() + "' is not one of the classes " + classes);
            }
            if (e.dimension() != b.p) {
                throw new IllegalArgumentException("exemplar of class '" + e.label() + "' has " + e.dimension()
                        + " features, expected p=" + b.p);
            }
            int n = perClass.merge(e.label(), 1, Integer::sum);
            if (n > b.hyperparameters.windowPerClass()) {
                throw new IllegalArgumentException("class '" + e.label() + "' has more than windowPerClass="
                        + b.hyperparameters.windowPerClass() + " exemplars");
            }
        }
        if (b.race != null) {
            RaceStandings.Candidate c = b.race.leaderCandidate();
            Hyperparameters h = b.hyperparameters;
            if (c.mu() != h.mu() || c.lambda() != h.lambda() || c.tau() != h.tau() || c.learningRate() != h.learningRate()) {
                throw new IllegalArgumentException("the race leader's settings (mu " + c.mu() + ", lambda " + c.lambda()
                        + ", tau " + c.tau() + ", learning rate " + c.learningRate() + ") differ from the hyperparameters");
            }
            if (b.preprocessing != null && c.rows() != b.preprocessing.rows()) {
                throw new IllegalArgumentException("the race leader's rows (" + c.rows() + ") differ from the "
                        + "preprocessing's (" + b.preprocessing.rows() + ")");
            }
        }
        this.modelName = b.modelName;
        this.version = b.version;
        this.createdAt = Objects.requireNonNull(b.createdAt, "createdAt");
        this.p = b.p;
        this.q = b.q;
        this.l = b.l.clone();
        this.preprocessing = b.preprocessing;
        this.hyperparameters = b.hyperparameters;
        this.trainingStats = Objects.requireNonNull(b.trainingStats, "trainingStats");
        this.exemplars = exemplars;
        this.classes = classes;
        this.race = b.race;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this snapshot's values, e.g. to publish the next version. */
    public Builder toBuilder() {
        return new Builder().modelName(modelName).version(version).createdAt(createdAt)
                .l(q, p, l).preprocessing(preprocessing).hyperparameters(hyperparameters).trainingStats(trainingStats)
                .exemplars(exemplars).classes(classes).race(race);
    }

    /** The metric M = L^T L, applied to preprocessed vectors. */
    public MahalanobisMetric metric() {
        return MahalanobisMetric.of(q, p, l);
    }

    /** Always {@link #SCHEMA_VERSION}: the decoder rejects every other version. */
    public int schemaVersion() {
        return SCHEMA_VERSION;
    }

    public String modelName() {
        return modelName;
    }

    /** Monotone per model name: a consumer keeps the highest version it has seen. */
    public long version() {
        return version;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Input dimension (number of raw features). */
    public int p() {
        return p;
    }

    /** Rank of L. */
    public int q() {
        return q;
    }

    /** A copy of L, q x p row-major. */
    public double[] l() {
        return l.clone();
    }

    public Standardizer preprocessing() {
        return preprocessing;
    }

    public Hyperparameters hyperparameters() {
        return hyperparameters;
    }

    public TrainingStats trainingStats() {
        return trainingStats;
    }

    /** The settings race that chose the hyperparameters; empty if the learner did not race. */
    public Optional<RaceStandings> race() {
        return Optional.ofNullable(race);
    }

    /** At most {@code hyperparameters().windowPerClass()} per class, preprocessed. */
    public List<Exemplar> exemplars() {
        return exemplars;
    }

    public List<String> classes() {
        return classes;
    }

    /**
     * SHA-256 (lowercase hex) of this snapshot's encoded body, as carried by {@link SnapshotCodec#encode}.
     * Equal snapshots have equal checksums. Recomputed on each call: O(size of the snapshot).
     */
    public String checksum() {
        return SnapshotCodec.checksum(this);
    }

    /** Equality on every field; doubles compare bit for bit. */
    @Override
    public boolean equals(Object o) {
        return o instanceof MetricSnapshot s && modelName.equals(s.modelName)
                && version == s.version && createdAt.equals(s.createdAt) && p == s.p && q == s.q
                && Arrays.equals(l, s.l) && preprocessing.equals(s.preprocessing)
                && hyperparameters.equals(s.hyperparameters) && trainingStats.equals(s.trainingStats)
                && exemplars.equals(s.exemplars) && classes.equals(s.classes) && Objects.equals(race, s.race);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelName, version, createdAt, Arrays.hashCode(l));
    }

    @Override
    public String toString() {
        return "MetricSnapshot[" + modelName + " v" + version + ", q=" + q + ", p=" + p + ", created " + createdAt + "]";
    }

    /** Collects the fields; {@link #build()} validates them. */
    public static final class Builder {
        private String modelName;
        private long version;
        private Instant createdAt;
        private int p;
        private int q;
        private double[] l;
        private Standardizer preprocessing;
        private Hyperparameters hyperparameters;
        private TrainingStats trainingStats;
        private List<Exemplar> exemplars = List.of();
        private List<String> classes;
        private RaceStandings race;

        private Builder() {
        }

        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        public Builder version(long version) {
            this.version = version;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        /** L as q x p row-major (copied on build). */
        public Builder l(int q, int p, double[] rowMajorL) {
            this.q = q;
            this.p = p;
            this.l = rowMajorL;
            return this;
        }

        public Builder metric(MahalanobisMetric metric) {
            return l(metric.rank(), metric.dimension(), metric.l());
        }

        public Builder preprocessing(Standardizer preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        public Builder hyperparameters(Hyperparameters hyperparameters) {
            this.hyperparameters = hyperparameters;
            return this;
        }

        public Builder trainingStats(TrainingStats trainingStats) {
            this.trainingStats = trainingStats;
            return this;
        }

        public Builder exemplars(List<Exemplar> exemplars) {
            this.exemplars = exemplars;
            return this;
        }

        public Builder classes(List<String> classes) {
            this.classes = classes;
            return this;
        }

        /** Optional; null = the learner did not race. */
        public Builder race(RaceStandings race) {
            this.race = race;
            return this;
        }

        public MetricSnapshot build() {
            return new MetricSnapshot(this);
        }
    }
}
