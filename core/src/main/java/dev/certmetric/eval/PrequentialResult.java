package dev.certmetric.eval;

import dev.certmetric.train.LearnerSettings;

import java.util.List;

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
 * @param curve one point every 1% of the events
 */
public record PrequentialResult(String dataset, long events, int features, int classes, double accuracy, double kappa,
        double[] certified, long certifiedSample, double eventsPerSecond, LearnerSettings settings, List<Point> curve) {

    public PrequentialResult {
        certified = certified.clone();
        curve = List.copyOf(curve);
    }

    @Override
    public double[] certified() {
        return certified.clone();
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
