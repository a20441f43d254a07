package dev.certmetric.train;

import dev.certmetric.objective.LmnnPlObjective;

/**
 * Hyperparameters of the stochastic (streaming) learner. Immutable; every value is checked and a
 * bad one names its key and the accepted range (the keys are those of config/certmetric.yaml).
 *
 * @param k target neighbours per anchor
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
 */
public record LearnerSettings(int k, int impostors, double mu, double lambda, double tau, int rank,
                              int windowPerClass, long windowMillis, int batchSize, String stepRule,
                              double learningRate, int certifyEvery) {
    public static final LearnerSettings DEFAULT =
            new LearnerSettings(3, 10, 0.34, 20, 0.27, 0, 100, 0, 8, "adam", 0.03, 100);

    public LearnerSettings {
        require(k >= 1 && k <= 50, "k", k, "[1, 50]");
        require(impostors >= 1 && impostors <= 200, "impostors", impostors, "[1, 200]");
        require(mu >= 0 && mu <= 1, "mu", mu, "[0, 1]");
        require(lambda >= 0 && lambda <= 1e6, "lambda", lambda, "[0, 1e6]");
        require(tau >= 0 && tau <= 10, "tau", tau, "[0, 10]");
        require(rank >= 0, "rank", rank, ">= 0 (0 = full rank)");
        require(windowPerClass > k && windowPerClass <= 100_000, "window.per-class", windowPerClass,
                "[k+1, 100000]");
        require(windowMillis >= 0, "window.millis", windowMillis, ">= 0 (0 = no time bound)");
        require(batchSize >= 1 && batchSize <= 10_000, "batch-size", batchSize, "[1, 10000]");
        require("adam".equals(stepRule) || "adagrad".equals(stepRule), "step-rule", stepRule, "adam | adagrad");
        require(learningRate > 0 && learningRate <= 10, "learning-rate", learningRate, "(0, 10]");
        require(certifyEvery >= 0, "certify-every", certifyEvery, ">= 0");
    }

    private static void require(boolean ok, String key, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(key + " = " + value + " is out of range; accepted: " + range);
        }
    }

    public LmnnPlObjective objective() {
        return new LmnnPlObjective(mu, lambda, tau);
    }

    public int rankFor(int p) {
        return rank == 0 ? p : Math.min(rank, p);
    }

    public LearnerSettings withObjective(double mu, double lambda, double tau) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, learningRate, certifyEvery);
    }

    public LearnerSettings withLearningRate(double rate) {
        return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                stepRule, rate, certifyEvery);
    }
}
