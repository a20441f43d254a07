package dev.certmetric.drift;

/** Never reports a drift: the learner's memory is bounded only by its window. */
public final class NoDriftDetection implements DriftDetector {
    public static final String NAME = "none";

    @Override
    public boolean add(boolean error) {
        return false;
    }

    @Override
    public long changeAge() {
        return Long.MAX_VALUE;
    }

    @Override
    public double[] state() {
        return new double[0];
    }

    @Override
    public String name() {
        return NAME;
    }
}
