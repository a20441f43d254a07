package dev.certmetric.snapshot;

import dev.certmetric.preprocess.RowScaling;

import java.util.List;
import java.util.Objects;

/**
 * How the snapshot's settings were chosen: the learner's settings race (every candidate with its
 * prequential record since the race began) and the leader whose model and hyperparameters the
 * snapshot carries. Absent from snapshots of a learner that did not race.
 *
 * @param certifiedWeight w in score = accuracy + w * certifiedAccuracy
 * @param certifiedRadius the radius an event's certificate must reach to count as certified-correct
 * @param leader index into candidates of the snapshot's settings; alive
 * @param candidates every candidate raced, in tie-break order
 */
public record RaceStandings(double certifiedWeight, double certifiedRadius, int leader, List<Candidate> candidates) {

    /**
     * One candidate's settings and record.
     *
     * @param rows the row scaling of its preprocessing
     * @param events events it tested then trained on (summed over data-parallel workers)
     * @param accuracy prequential accuracy over them
     * @param certifiedAccuracy among the events whose radius was computed, the fraction predicted
     *     correctly with a radius of at least certifiedRadius
     * @param score accuracy + certifiedWeight * certifiedAccuracy
     * @param eliminatedAt the event count at which the race dropped it; 0 = alive
     */
    public record Candidate(double mu, double lambda, double tau, double learningRate, RowScaling rows, long events,
                            double accuracy, double certifiedAccuracy, double score, long eliminatedAt) {
        public Candidate {
            Objects.requireNonNull(rows, "rows");
            for (double v : new double[] {mu, lambda, tau, learningRate, score}) {
                if (!(v >= 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("race candidate values must be finite and >= 0, got " + v);
                }
            }
            if (!(accuracy >= 0 && accuracy <= 1) || !(certifiedAccuracy >= 0 && certifiedAccuracy <= 1)) {
                throw new IllegalArgumentException("race candidate accuracies must be in [0, 1], got " + accuracy
                        + ", " + certifiedAccuracy);
            }
            if (events < 0 || eliminatedAt < 0) {
                throw new IllegalArgumentException("race candidate events and eliminatedAt must be >= 0");
            }
        }

        public boolean alive() {
            return eliminatedAt == 0;
        }
    }

    public RaceStandings {
        candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
        if (!(certifiedWeight >= 0) || !Double.isFinite(certifiedWeight) || !(certifiedRadius >= 0)
                || !Double.isFinite(certifiedRadius)) {
            throw new IllegalArgumentException("race certifiedWeight and certifiedRadius must be finite and >= 0");
        }
        if (leader < 0 || leader >= candidates.size() || !candidates.get(leader).alive()) {
            throw new IllegalArgumentException("race leader " + leader + " is not an alive candidate of "
                    + candidates.size());
        }
    }

    public Candidate leaderCandidate() {
        return candidates.get(leader);
    }

    /** True once one candidate is left. */
    public boolean decided() {
        return candidates.stream().filter(Candidate::alive).count() == 1;
    }
}
