package dev.certmetric.train;

import dev.certmetric.drift.DriftDetectors;
import dev.certmetric.drift.PageHinkley;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.ScaledRows;

/**
 * Hyperparameters of the stochastic (streaming) learner. Immutable; every value is checked and a
 * bad one names its key and the accepted range (the keys are those of config/certmetric.yaml).
 *
 * @param k target neighbours per anchor, and the k of the k-NN vote unless {@code kRace} picks another
 * @param impostors impostors per anchor (v)
 * @param mu pull weight in [0, 1]
 * @param lambda perturbation-loss weight, >= 0
 * @param tau desired adversarial margin, >= 0
 * @param rank q, the rows of L; 0 means q = p
 * @param windowPerClass most recent events kept per class
 * @param windowMillis events older than this (by event time) leave the window; 0 = no time bound
 * @param batchSize anchors per gradient step
 * @param stepRule "adam" or "adagrad"
 * @param learningRate step size of the rule
 * @param certifyEvery compute the prequential certified radius for one event in this many (it costs
 *     O(window^2 p)); 0 = never
 * @param averageSteps horizon, in gradient steps, of the running average of L that the learner publishes
 *     (iterate averaging: it removes most of the step noise of a constant step size); 0 = publish the last
 *     iterate
 * @param driftDetector detector of a rise in the prequential error ({@link DriftDetectors#NAMES}); on a drift
 *     the window keeps about the events since the estimated change and the average restarts from the current L
 * @param driftThreshold the Page-Hinkley alarm threshold (larger = fewer, later alarms)
 * @param guardRadius R of the {@link EuclideanGuard}: the identity metric is published instead of the learned one
 *     unless the learned one scores clearly higher on the stream in certified accuracy up to R (preprocessed
 *     units); 0 = no guard
 * @param kRace race the k of the k-NN vote on the stream ({@link VoteRace}): the leader predicts, is certified
 *     and is published for scoring; false = always k
 * @param memoryPerClass the deepest tier of the vote's memory: most recent events per class that the k-NN vote
 *     reads; the vote races the tiers of {@link #memoryTiers()}
 * @param memoryBudget most events the vote's memory keeps over all classes, so that the vote's cost does not grow
 *     with the classes: every class keeps its newest d events, with d as large as the budget allows (classes with
 *     fewer events leave their share to the others), and at most {@code memoryPerClass}
 * @param rows how a standardised row is scaled ({@link RowScaling#NAMES}): the paper's unit norm, or scaled to keep
 *     its magnitude
 */
public record LearnerSettings(int k, int impostors, double mu, double lambda, double tau, int rank,
                              int windowPerClass, long windowMillis, int batchSize, String stepRule,
                              double learningRate, int certifyEvery, int averageSteps, String driftDetector,
                              double driftThreshold, double guardRadius, boolean kRace, int memoryPerClass,
                              int memoryBudget, String rows) {
    public static final LearnerSettings DEFAULT =
            new LearnerSettings(3, 10, 0.34, 20, 0.27, 0, 100, 0, 8, "adam", 0.03, 100, 100, PageHinkley.NAME, PageHinkley.DEFAULT_THRESHOLD, 0.1,
                    true, 3000, 5000, ScaledRows.NAME);

    public LearnerSettings {
        require(k >= 1 && k <= 50, "k", k, "[1, 50]");
        require(impostors >= 1 && impostors <= 200, "impostors", impostors, "[1, 200]");
        require(mu >= 0 && mu <= 1, "mu", mu, "[0, 1]");
        require(lambda >= 0 && lambda <= 1e6, "lambda", lambda, "[0, 1e6]");
        require(tau >= 0 && tau <= 10, "tau", tau, "[0, 10]");
        require(rank >= 0, "rank", rank, ">= 0 (0 = automatic)");
        require(windowPerClass > k && windowPerClass <= 100_000, "window.per-class", windowPerClass,
                "[k+1, 100000]");
        require(windowMillis >= 0, "window.millis", windowMillis, ">= 0 (0 = no time bound)");
        require(batchSize >= 1 && batchSize <= 10_000, "batch-size", batchSize, "[1, 10000]");
        require("adam".equals(stepRule) || "adagrad".equals(stepRule), "step-rule", stepRule, "adam | adagrad");
        require(learningRate > 0 && learningRate <= 10, "learning-rate", learningRate, "(0, 10]");
        require(certifyEvery >= 0, "certify-every", certifyEvery, ">= 0");
        require(averageSteps >= 0 && averageSteps <= 1_000_000, "average-steps", averageSteps,
                "[0, 1000000] (0 = no averaging)");
        require(DriftDetectors.NAMES.contains(driftDetector), "drift.detector", driftDetector,
                String.join(" | ", DriftDetectors.NAMES));
        require(driftThreshold > 0 && driftThreshold <= 1e6, "drift.threshold", driftThreshold, "(0, 1e6]");
        require(guardRadius >= 0 && guardRadius <= 10, "guard.radius", guardRadius, "[0, 10] (0 = no guard)");
        require(memoryPerClass >= 1 && memoryPerClass <= 100_000, "memory.per-class", memoryPerClass, "[1, 100000]");
        require(memoryBudget >= 1 && memoryBudget <= 10_000_000, "memory.budget", memoryBudget, "[1, 10000000]");
        require(RowScaling.NAMES.contains(rows), "rows", rows, String.join(" | ", RowScaling.NAMES));
    }

    /**
     * The depths per class of the vote's memory tiers, ascending: a thirtieth, a tenth, three tenths and all of
     * {@code memoryPerClass} (at least 1). A shallow tier follows a drifting stream, a deep one has more
     * neighbours on a stationary one; the stream decides ({@link VoteRace}).
     */
    public int[] memoryTiers() {
        return new int[] {Math.max(1, memoryPerClass / 30), Math.max(1, memoryPerClass / 10),
                Math.max(1, 3 * memoryPerClass / 10), memoryPerClass};
    }

    private static void require(boolean ok, String key, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(key + " = " + value + " is out of range; accepted: " + range);
        }
    }

    public LmnnPlObjective objective() {
        return new LmnnPlObjective(mu, lambda, tau);
    }

    /** Up to this many features, the automatic rank is full rank. */
    public static final int AUTO_FULL_RANK_UP_TO = 64;
    /** The automatic rank beyond {@link #AUTO_FULL_RANK_UP_TO} features. */
    public static final int AUTO_LOW_RANK = 32;

    /**
     * The rank q of L for p features: the configured rank (at most p), or with rank 0 full rank up to
     * {@value #AUTO_FULL_RANK_UP_TO} features and {@value #AUTO_LOW_RANK} beyond. Why: at full rank an event
     * costs O(p^2) per target and impostor and a step O(p^3), about 600 us an event at p = 180; 32 directions
     * cost about 90 us there and measured as accurate on the 180- and 784-feature sets (BENCHMARKS.md).
     */
    public int rankFor(int p) {
        if (rank == 0) {
            return p <= AUTO_FULL_RANK_UP_TO ? p : AUTO_LOW_RANK;
        }
        return Math.min(rank, p);
    }

    public LearnerSettings withObjective(double mu, double lambda, double tau) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, learningRate, certifyEvery, averageSteps, driftDetector, driftThreshold, guardRadius,
                kRace, memoryPerClass, memoryBudget, rows);
    }

    public LearnerSettings withCertifyEvery(int every) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, learningRate, every, averageSteps, driftDetector, driftThreshold, guardRadius,
                kRace, memoryPerClass, memoryBudget, rows);
    }

    public LearnerSettings withLearningRate(double rate) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, rate, certifyEvery, averageSteps, driftDetector, driftThreshold, guardRadius,
                kRace, memoryPerClass, memoryBudget, rows);
    }

    public LearnerSettings withMemory(int perClass, int budget) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, learningRate, certifyEvery, averageSteps, driftDetector, driftThreshold, guardRadius,
                kRace, perClass, budget, rows);
    }

    public LearnerSettings withRows(RowScaling scaling) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, learningRate, certifyEvery, averageSteps, driftDetector, driftThreshold, guardRadius,
                kRace, memoryPerClass, memoryBudget, scaling.name());
    }

    /** The row scaling of {@link #rows}, as a type. */
    public RowScaling rowScaling() {
        return RowScaling.of(rows);
    }
}
