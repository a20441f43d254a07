package dev.certmetric.eval;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Prequential (test-then-train) evaluation of the streaming learner on a dataset replayed in row order,
 * as MOA's {@code EvaluatePrequential}: every row is first classified by the learner, then trained on.
 *
 * <p>The rows carry no time, so row i gets event time i ms: a {@code learner.window.millis} bound then
 * keeps the last that many events. The certified radius is only computed for the events the learner
 * certifies ({@code learner.certify-every}), so certified accuracy is estimated on that sample.
 */
public final class Prequential {
    /** Radii of the reported certified accuracy (preprocessed input space). */
    public static final List<Double> RADII = List.of(0.05, 0.1);
    /** Points of the accuracy curve: one every 1% of the events. */
    static final int CURVE_POINTS = 100;

    /** Called after each curve point (at most {@value #CURVE_POINTS} times) and so cheap to honour. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total, double accuracy, double seconds);
    }

    private Prequential() {
    }

    /**
     * Replays {@code data} through a learner made by {@code learners} (given the feature count).
     *
     * @return whole-stream accuracy and kappa, the sampled certified accuracy, the speed and the curve
     */
    public static PrequentialResult run(CsvDataset data, IntFunction<SettingsRace> learners, Progress progress) {
        int n = data.rows();
        List<String> classes = data.classes();
        int[] truth = data.classCodes();
        SettingsRace learner = learners.apply(data.featureCount());
        long[] trueCount = new long[classes.size()];
        long[] predictedCount = new long[classes.size()];
        long correct = 0;
        long certifiedSample = 0;
        long[] certified = new long[RADII.size()];
        List<PrequentialResult.Point> curve = new ArrayList<>();
        long windowStart = 0;
        long windowCorrect = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            StreamingLearner.Outcome o = learner.testThenTrain(data.row(i), data.label(i), i);
            trueCount[truth[i]]++;
            if (o.tested()) {
                predictedCount[classes.indexOf(o.predicted())]++;
            }
            if (o.correct()) {
                correct++;
                windowCorrect++;
            }
            double radius = o.certifiedRadius();
            if (!Double.isNaN(radius)) {
                certifiedSample++;
                for (int r = 0; r < certified.length; r++) {
                    if (o.correct() && radius >= RADII.get(r)) {
                        certified[r]++;
                    }
                }
            }
            long done = i + 1L;
            // The k-th point closes at floor(k n / 100) events; with n < 100 some would be empty, and are skipped.
            if (done * CURVE_POINTS / n > (done - 1) * CURVE_POINTS / n) {
                double[] certifiedSoFar = new double[certified.length];
                for (int r = 0; r < certified.length; r++) {
                    certifiedSoFar[r] = certifiedSample == 0 ? Double.NaN : (double) certified[r] / certifiedSample;
                }
                curve.add(new PrequentialResult.Point(done, (double) windowCorrect / (done - windowStart),
                        (double) correct / done, certifiedSoFar));
                windowStart = done;
                windowCorrect = 0;
                progress.update(done, n, (double) correct / done, (System.nanoTime() - start) / 1e9);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] certifiedAccuracy = curve.get(curve.size() - 1).certified();
        return new PrequentialResult(data.name(), n, data.featureCount(), classes.size(), (double) correct / n,
                kappa(correct, n, trueCount, predictedCount), certifiedAccuracy, certifiedSample, n / seconds,
                learner.leader().settings(), chosen(learner.leader()), curve);
    }

    private static PrequentialResult.Chosen chosen(StreamingLearner learner) {
        return new PrequentialResult.Chosen(learner.voteK(), learner.voteDepth(), learner.rank(),
                learner.settings().rowScaling(),
                StreamingLearner.publishesEuclidean(List.of(learner)), learner.counters().drifts());
    }

    /**
     * Cohen's kappa of predictions against truths: (p_o - p_e) / (1 - p_e), p_e from the marginals.
     * Events without a prediction form a class of their own that no truth has, so they lower p_o and add
     * nothing to p_e.
     */
    static double kappa(long agree, long n, long[] trueCount, long[] predictedCount) {
        double po = (double) agree / n;
        double pe = 0;
        for (int c = 0; c < trueCount.length; c++) {
            pe += (double) trueCount[c] / n * predictedCount[c] / n;
        }
        return (po - pe) / (1 - pe);  // p_e < 1: a dataset has at least two classes
    }
}
