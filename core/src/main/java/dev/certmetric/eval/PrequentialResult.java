package dev.certmetric.eval;

import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.train.LearnerSettings;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of a {@link Prequential} run.
 *
 * @param accuracy correct predictions / events; an event the learner could not predict yet (empty
 *     window) counts as wrong
 * @param kappa Cohen's kappa of the predictions, "no prediction" being a class of its own
 * @param certified per radius of {@link Prequential#RADII}: of the events whose certified radius was
 *     computed, the fraction predicted correctly with radius >= r (NaN if none was)
 * @param certifiedSample how many events had their certified radius computed
 * @param settings the settings of the learner that made the predictions
 * @param chosen what that learner chose on the stream, as of its end
 * @param curve one point every 1% of the events
 */
public record PrequentialResult(String dataset, long events, int features, int classes, double accuracy, double kappa,
        double[] certified, long certifiedSample, double eventsPerSecond, LearnerSettings settings, Chosen chosen,
        List<Point> curve) {

    public PrequentialResult {
        certified = certified.clone();
        curve = List.copyOf(curve);
    }

    @Override
    public double[] certified() {
        return certified.clone();
    }

    /**
     * What the learner settled on: the k of its vote (learner.k, or its k race's leader), the events per class of the
     * memory tier it votes on, the rank of L (learner.rank, or the automatic one), its rows' scaling (learner.rows, or
     * the race's leader), whether its Euclidean guard serves the identity rather than the learned metric, and how
     * many drifts its detector signalled.
     */
    public record Chosen(int k, int depth, int rank, RowScaling rows, boolean euclidean, long drifts) {
        /**
         * One line for people, e.g. "Chosen on the stream: k = 7 of the last 300 events a class, rank 32 of 180,
         * scaled rows, the learned metric, 2 drifts."
         */
        public String describe(int features) {
            return String.format(Locale.ROOT, "Chosen on the stream: k = %d of the last %d events a class, rank %d of %d, "
                    + "%s rows, %s, %d drift%s.", k, depth, rank, features, rows.name(),
                    euclidean ? "the Euclidean metric (the guard prefers it)" : "the learned metric", drifts,
                    drifts == 1 ? "" : "s");
        }
    }

    /**
     * The stream after {@code events} events.
     *
     * @param accuracy over the events since the previous point
     * @param runningAccuracy over all events so far
     * @param certified certified accuracy per radius over the sample so far (NaN before the first)
     */
    public record Point(long events, double accuracy, double runningAccuracy, double[] certified) {
        public Point {
            certified = certified.clone();
        }

        @Override
        public double[] certified() {
            return certified.clone();
        }
    }
}
