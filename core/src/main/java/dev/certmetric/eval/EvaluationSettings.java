package dev.certmetric.eval;

import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.train.BatchOptimizers;
import dev.certmetric.train.RaceSettings;

import java.util.List;

/**
 * What {@link Evaluation} runs: methods, rounds of random splits, the objective (or tuning), and the
 * noise levels and radii to report. Immutable.
 *
 * @param methods any of {@link Evaluation#METHODS}
 * @param k neighbours for k-NN and targets per point
 * @param impostors impostors per point (v)
 * @param passes passes of the shuffled training split for {@code sgd-pl}
 * @param optimizer what fits {@code lmnn} and {@code lmnn-pl} (and the {@code --tune} candidates)
 * @param streaming what {@code sgd-pl} runs: the streaming learner as made from config, settings race
 *     included ({@code CertmetricConfig.raceSettings()}), every candidate on {@code rows}
 * @param rows the row scaling of every method's preprocessing: certified radii compare only in one space
 */
public record EvaluationSettings(List<String> methods, int rounds, long seed, double testFraction, int k,
                                 int impostors, LmnnPlObjective objective, boolean tune, double[] noise,
                                 double[] radii, int passes, BatchOptimizers.Kind optimizer,
                                 RaceSettings streaming, RowScaling rows) {
    public EvaluationSettings {
        java.util.Objects.requireNonNull(optimizer, "optimizer");
        java.util.Objects.requireNonNull(streaming, "streaming");
        java.util.Objects.requireNonNull(rows, "rows");
        for (var c : streaming.candidates()) {
            if (c.rowScaling() != rows) {
                throw new IllegalArgumentException("--rows: sgd-pl must run on the evaluation's rows (" + rows
                        + "), not " + c.rows() + " (set learner.rows and learner.rows-race: 0)");
            }
        }
        methods = List.copyOf(methods);
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("--methods: give at least one of " + Evaluation.METHODS);
        }
        for (String m : methods) {
            if (!Evaluation.METHODS.contains(m)) {
                throw new IllegalArgumentException("--methods: unknown method '" + m + "'; accepted: " + Evaluation.METHODS);
            }
        }
        check(rounds >= 1 && rounds <= 1000, "--rounds", rounds, "[1, 1000]");
        check(testFraction > 0 && testFraction < 1, "--test-fraction", testFraction, "(0, 1)");
        check(k >= 1 && k <= 50, "--k", k, "[1, 50]");
        check(impostors >= 1, "--impostors", impostors, ">= 1");
        check(passes >= 1 && passes <= 1000, "--passes", passes, "[1, 1000]");
        noise = noise.clone();
        radii = radii.clone();
        for (double s : noise) {
            check(s > 0 && Double.isFinite(s), "--noise", s, "finite values > 0");
        }
        for (double r : radii) {
            check(r > 0 && Double.isFinite(r), "--radii", r, "finite values > 0");
        }
    }

    private static void check(boolean ok, String option, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(option + " = " + value + " is out of range; accepted: " + range);
        }
    }

    @Override
    public double[] noise() {
        return noise.clone();
    }

    @Override
    public double[] radii() {
        return radii.clone();
    }
}
