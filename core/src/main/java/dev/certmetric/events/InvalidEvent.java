package dev.certmetric.events;

import java.util.Objects;

/** A rejected record: the machine-readable reason plus a short human-readable detail. */
public record InvalidEvent(InvalidReason reason, String detail) implements Decoded {
    public InvalidEvent {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
