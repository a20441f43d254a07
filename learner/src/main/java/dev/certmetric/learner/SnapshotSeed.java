package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The model a job started without Flink state continues from: the last committed snapshot of its
 * model that it trusts ({@link SnapshotTopicReader#lastTrusted}). Without it a fresh job would publish
 * a model younger than the last one under a higher version.
 *
 * <p>Counting stays exact at any parallelism because only one lineage carries the snapshot's counts
 * (events, tests, correct, updates): the <em>seed lineage</em>, with an id derived from the snapshot's
 * version, which worker 0 trains and which the publisher holds from the start (so a snapshot merged
 * before worker 0 has reported still counts the seed's events). The other workers start from the
 * same metric, preprocessing and exemplars with zero counts, and their preprocessing statistics
 * weigh as one event: merged, the seed's statistics keep their full weight once, not P times. Likewise
 * only the seed lineage's exemplar memory starts with the snapshot's exemplars.
 *
 * <p>A snapshot lists each class's window entries first (newest first), then its memory's; the window
 * starts with the first learner.window.per-class of them, the memory with all of them as if they were
 * the only events seen so far, so it leans towards the events after the restart until it turns over.
 */
final class SnapshotSeed {
    private SnapshotSeed() {
    }

    /** Never a random lineage id (those are non-negative): the seed lineage of version v is -v. */
    static long lineage(MetricSnapshot snapshot) {
        return -snapshot.version();
    }

    /** The seed lineage, with the snapshot's counts. */
    static WorkerModel withCounts(MetricSnapshot snapshot, CertmetricConfig config) {
        WorkerModel seed = WorkerModel.start(lineage(snapshot), SettingsRace.of(learner(snapshot, config)),
                config.exemplarMemoryPerClass());
        Standardizer pre = snapshot.preprocessing();
        for (Exemplar e : snapshot.exemplars()) {
            seed.memory().add(e.label(), snapshot.createdAt().toEpochMilli(), pre.invert(e.features()), 0);
        }
        return seed;
    }

    /** A further worker's lineage: the snapshot's model, none of its counts. */
    static WorkerModel withoutCounts(MetricSnapshot snapshot, CertmetricConfig config) {
        TrainingStats t = snapshot.trainingStats();
        MetricSnapshot uncounted = snapshot.toBuilder().trainingStats(new TrainingStats(0, 0, 0, t.meanLoss(),
                t.marginP10(), t.marginP50(), t.marginP90(), t.anomalyCalibration())).build();
        return WorkerModel.start(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE),
                SettingsRace.of(learner(uncounted, config)), config.exemplarMemoryPerClass());
    }

    /**
     * A learner with the snapshot's settings if they are among the candidates the config races (the
     * race is decided: the snapshot reports its winner), else the configured ones; what it seeds, also from a
     * snapshot that carries the Euclidean guard's identity, is {@link StreamingLearner#seededFrom}'s rule.
     */
    private static StreamingLearner learner(MetricSnapshot snapshot, CertmetricConfig config) {
        try {
            LearnerSettings settings = settingsOf(snapshot, config);
            return StreamingLearner.seededFrom(windowPart(snapshot, settings.windowPerClass()), settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot continue from snapshot v" + snapshot.version() + " of "
                    + config.modelName() + ": " + e.getMessage() + " (--from-scratch)", e);
        }
    }

    /** The snapshot with the first {@code perClass} exemplars of each class: its window's. */
    private static MetricSnapshot windowPart(MetricSnapshot snapshot, int perClass) {
        Map<String, Integer> counts = new HashMap<>();
        List<Exemplar> window = new ArrayList<>();
        for (Exemplar e : snapshot.exemplars()) {
            if (counts.merge(e.label(), 1, Integer::sum) <= perClass) {
                window.add(e);
            }
        }
        return window.size() == snapshot.exemplars().size() ? snapshot
                : snapshot.toBuilder().exemplars(window).build();
    }

    private static LearnerSettings settingsOf(MetricSnapshot snapshot, CertmetricConfig config) {
        Hyperparameters h = snapshot.hyperparameters();
        for (LearnerSettings s : config.raceSettings().candidates()) {
            if (s.mu() == h.mu() && s.lambda() == h.lambda() && s.tau() == h.tau()
                    && s.learningRate() == h.learningRate()) {
                return s;
            }
        }
        return config.learnerSettings();
    }
}
