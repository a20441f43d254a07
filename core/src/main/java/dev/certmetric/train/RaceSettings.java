package dev.certmetric.train;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link SettingsRace} races: the candidate settings, in tie-break order (an earlier candidate
 * wins a tie), the event budget of the first halving and the score's weights. Immutable; a bad value
 * names its config key and the accepted range.
 *
 * <p>Candidates may differ only in mu, lambda, tau, the learning rate and the row scaling (the checkpoint stores
 * just those per candidate). Built from config by {@link #around} and {@link #withRowsRace}; {@link #off} is the
 * race of one, i.e. the plain learner.
 *
 * @param candidates the settings raced; one = no race
 * @param firstBudget events before the first halving; the later ones come at 2, 4, 8... times it
 * @param certifiedWeight w in score = accuracy + w * certified accuracy
 * @param certifiedRadius a sampled event is certified-correct when predicted correctly with a
 *     certified radius of at least this (preprocessed units: rows are unit-norm)
 */
public record RaceSettings(List<LearnerSettings> candidates, int firstBudget, double certifiedWeight,
                           double certifiedRadius) {
    public static final int MAX_POPULATION = 8;
    /**
     * Certify-every of the candidates while they race (when the certified term counts): one event in
     * ten gives tens of certificates per candidate by the first halving, instead of a handful. The
     * leader goes back to its configured rate when the race is decided.
     */
    public static final int RACING_CERTIFY_EVERY = 10;
    /**
     * The grid after the configured settings, in order of inclusion: {mu, lambda, tau, learning rate}.
     * It spans the two axes that decide a stream's fate: the step size (0.01, 0.03, 0.1; too small
     * never gets anywhere, too large thrashes) and how hard robustness is pushed (lambda 0 = plain
     * LMNN up to 50 with tau from 0.05 to 0.4, the sensible margins for rows about 1 long).
     */
    static final double[][] GRID = {
            {0.5, 20, 0.27, 0.1},
            {0.5, 0, 0.27, 0.03},
            {0.2, 50, 0.4, 0.03},
            {0.2, 10, 0.1, 0.1},
            {0.5, 20, 0.05, 0.01},
            {0.2, 20, 0.27, 0.01},
            {0.5, 50, 0.2, 0.1},
    };

    public RaceSettings {
        candidates = List.copyOf(candidates);
        require(!candidates.isEmpty() && candidates.size() <= MAX_POPULATION, "population", candidates.size(),
                "[1, " + MAX_POPULATION + "]");
        require(firstBudget >= 1 && firstBudget <= 1_000_000, "first-budget", firstBudget, "[1, 1000000]");
        require(certifiedWeight >= 0 && certifiedWeight <= 10, "certified-weight", certifiedWeight, "[0, 10]");
        require(certifiedRadius >= 0 && certifiedRadius <= 10, "certified-radius", certifiedRadius, "[0, 10]");
        LearnerSettings first = candidates.get(0);
        for (LearnerSettings c : candidates) {
            if (!sameButRaced(c, first)) {
                throw new IllegalArgumentException("race candidates may differ only in mu, lambda, tau, learning-rate and rows: "
                        + c + " vs " + first);
            }
            if (candidates.indexOf(c) != candidates.lastIndexOf(c)) {
                throw new IllegalArgumentException("race candidate listed twice: " + c);
            }
        }
    }

    /**
     * The configured settings first, then the first population - 1 grid points that differ from them,
     * all with the configured k, impostors, window, batch, step rule and certify-every.
     */
    public static RaceSettings around(LearnerSettings configured, int population, int firstBudget,
                                      double certifiedWeight, double certifiedRadius) {
        require(population >= 1 && population <= MAX_POPULATION, "population", population, "[1, " + MAX_POPULATION + "]");
        List<LearnerSettings> candidates = new ArrayList<>();
        candidates.add(configured);
        for (int i = 0; i < GRID.length && candidates.size() < population; i++) {
            LearnerSettings c = configured.withObjective(GRID[i][0], GRID[i][1], GRID[i][2]).withLearningRate(GRID[i][3]);
            if (!candidates.contains(c)) {
                candidates.add(c);
            }
        }
        return new RaceSettings(candidates, firstBudget, certifiedWeight, certifiedRadius);
    }

    /** No race: the configured settings alone, exactly the plain learner. */
    public static RaceSettings off(LearnerSettings configured) {
        return new RaceSettings(List.of(configured), 1, 0, 0);
    }

    /**
     * This race with the first candidate's twin under the other row scaling as its second candidate (the last grid
     * point gives way if the population is full). A race of one becomes a race of two that drops its loser after
     * {@code events} events and scores prequential accuracy alone: over so few events the certified term's handful
     * of certificates would be noisier than the accuracy gap it decides. A larger race keeps its own budget and
     * score.
     */
    public RaceSettings withRowsRace(int events) {
        if (events < 1 || events > 1_000_000) {
            throw new IllegalArgumentException("rows-race = " + events + " is out of range; accepted: [1, 1000000] "
                    + "(0 = no race)");
        }
        LearnerSettings first = candidates.get(0);
        List<LearnerSettings> raced = new ArrayList<>(candidates);
        raced.add(1, first.withRows(first.rowScaling().other()));
        if (raced.size() > MAX_POPULATION) {
            raced.remove(raced.size() - 1);
        }
        return population() == 1 ? new RaceSettings(raced, events, 0, 0)
                : new RaceSettings(raced, firstBudget, certifiedWeight, certifiedRadius);
    }

    public int population() {
        return candidates.size();
    }

    /** Whether {@code events} (counted from the race's start) is a halving point: firstBudget * 2^r. */
    boolean isHalvingPoint(long events) {
        return events % firstBudget == 0 && Long.bitCount(events / firstBudget) == 1;
    }

    private static boolean sameButRaced(LearnerSettings a, LearnerSettings b) {
        return a.withObjective(b.mu(), b.lambda(), b.tau()).withLearningRate(b.learningRate())
                .withRows(b.rowScaling()).equals(b);
    }

    /** How often candidates certify while the race is undecided: more often than configured if the certified term counts. */
    int racingCertifyEvery() {
        int configured = candidates.get(0).certifyEvery();
        if (population() == 1 || certifiedWeight == 0) {
            return configured;
        }
        return configured == 0 ? RACING_CERTIFY_EVERY : Math.min(configured, RACING_CERTIFY_EVERY);
    }

    private static void require(boolean ok, String key, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("race." + key + " = " + value + " is out of range; accepted: " + range);
        }
    }
}
