package dev.certmetric.drift;

/**
 * Watches the prequential error (1 = the learner's test prediction was wrong, 0 = right) and says when it
 * has risen significantly. Mutable; its whole state is {@link #state()} so a learner can checkpoint it.
 */
public interface DriftDetector {
    /** Adds one test outcome; true when a drift is detected (the detector then starts afresh). */
    boolean add(boolean error);

    /**
     * After an alarm: how many outcomes ago the change is estimated to have begun (the learner keeps
     * about that much of its memory); {@code Long.MAX_VALUE} when the detector cannot tell.
     */
    long changeAge();

    /** The detector's state, for checkpoints; {@link DriftDetectors#restore} takes it back. */
    double[] state();

    /** The configuration name of this kind of detector. */
    String name();
}
