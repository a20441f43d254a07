package dev.certmetric.events;

import java.util.Locale;

/** Why an input record was rejected; {@link #wireName()} is stable and goes into DLQ headers and metrics. */
public enum InvalidReason {
    MALFORMED_JSON,
    MISSING_FIELD,
    WRONG_DIMENSION,
    NON_FINITE,
    OVERSIZED,
    EMPTY,
    /** The label is empty or only whitespace: it cannot name a class. */
    EMPTY_LABEL,
    /** The label is longer than {@code events.max-label-chars}. */
    LABEL_TOO_LONG,
    /** The label holds a control character or an unpaired UTF-16 surrogate. */
    UNPRINTABLE_LABEL,
    /** The id is longer than {@code events.max-id-chars}. */
    ID_TOO_LONG,
    /**
     * A finite feature beyond {@link dev.certmetric.preprocess.OnlineStandardizer#MAX_ABS_FEATURE}, or an event time
     * more than {@link EventDecoder#MAX_TS_AHEAD_MILLIS} ahead of the decoder's clock.
     */
    OUT_OF_RANGE,
    /**
     * A valid event whose label would be a class beyond {@code learner.max-classes}; decided by the learner
     * job, which knows the classes admitted so far, never by the decoder.
     */
    TOO_MANY_CLASSES;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}
