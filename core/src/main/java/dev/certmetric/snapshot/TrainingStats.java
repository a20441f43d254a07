package dev.certmetric.snapshot;

import java.util.Arrays;

/**
 * What the learner observed up to the snapshot.
 *
 * @param eventsSeen labelled events consumed
 * @param updates gradient steps applied
 * @param prequentialAccuracy test-then-train accuracy over the events seen, in [0, 1]
 * @param meanLoss mean training loss
 * @param marginP10 10th percentile of recent triplet margins (negative: violated)
 * @param marginP50 median margin
 * @param marginP90 90th percentile margin
 * @param anomalyCalibration non-decreasing quantiles of training nearest-neighbour distances in the
 *     learned metric (entry i is the i/(n-1) quantile; 101 entries give percentiles). The scorer
 *     maps a distance to an anomaly score by its position here. Empty when not yet calibrated.
 */
public record TrainingStats(long eventsSeen, long updates, double prequentialAccuracy, double meanLoss,
        double marginP10, double marginP50, double marginP90, double[] anomalyCalibration) {

    public TrainingStats {
        if (eventsSeen < 0 || updates < 0) {
            throw new IllegalArgumentException("eventsSeen and updates must be >= 0, got " + eventsSeen + ", " + updates);
        }
        if (!(prequentialAccuracy >= 0 && prequentialAccuracy <= 1)) {
            throw new IllegalArgumentException("prequentialAccuracy must be in [0, 1], got " + prequentialAccuracy);
        }
        if (!(meanLoss >= 0) || !Double.isFinite(meanLoss)) {
            throw new IllegalArgumentException("meanLoss must be finite and >= 0, got " + meanLoss);
        }
        if (!Double.isFinite(marginP10) || !Double.isFinite(marginP90) || !(marginP10 <= marginP50 && marginP50 <= marginP90)) {
            throw new IllegalArgumentException("margin quantiles must be finite with p10 <= p50 <= p90, got "
                    + marginP10 + ", " + marginP50 + ", " + marginP90);
        }
        anomalyCalibration = anomalyCalibration.clone();
        if (anomalyCalibration.length == 1) {
            throw new IllegalArgumentException("anomalyCalibration needs 0 or at least 2 quantiles, got 1");
        }
        for (int i = 0; i < anomalyCalibration.length; i++) {
            double d = anomalyCalibration[i];
            if (!(d >= 0) || !Double.isFinite(d) || (i > 0 && d < anomalyCalibration[i - 1])) {
                throw new IllegalArgumentException("anomalyCalibration must be finite, >= 0 and non-decreasing; entry " + i
                        + " is " + d);
            }
        }
    }

    @Override
    public double[] anomalyCalibration() {
        return anomalyCalibration.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingStats t && eventsSeen == t.eventsSeen && updates == t.updates
                && Double.compare(prequentialAccuracy, t.prequentialAccuracy) == 0
                && Double.compare(meanLoss, t.meanLoss) == 0 && Double.compare(marginP10, t.marginP10) == 0
                && Double.compare(marginP50, t.marginP50) == 0 && Double.compare(marginP90, t.marginP90) == 0
                && Arrays.equals(anomalyCalibration, t.anomalyCalibration);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(eventsSeen) * 31 + Arrays.hashCode(anomalyCalibration);
    }

    @Override
    public String toString() {
        return "TrainingStats[eventsSeen=" + eventsSeen + ", updates=" + updates + ", prequentialAccuracy="
                + prequentialAccuracy + ", meanLoss=" + meanLoss + ", margins=" + marginP10 + "/" + marginP50 + "/"
                + marginP90 + ", calibration=" + anomalyCalibration.length + " quantiles]";
    }
}
