package dev.certmetric.events;

import java.util.Locale;

/** Why an input record was rejected; {@link #wireName()} is stable and goes into DLQ headers and metrics. */
public enum InvalidReason {
    MALFORMED_JSON,
    MISSING_FIELD,
    WRONG_DIMENSION,
    NON_FINITE,
    OVERSIZED,
    EMPTY;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}
