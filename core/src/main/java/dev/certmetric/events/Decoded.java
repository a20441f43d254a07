package dev.certmetric.events;

import java.util.Objects;

/** Outcome of decoding one record: a {@link Valid} event or an {@link InvalidEvent}. */
public sealed interface Decoded permits Decoded.Valid, InvalidEvent {

    /** A record that decoded to a well-formed event. */
    record Valid(LabeledEvent event) implements Decoded {
        public Valid {
            Objects.requireNonNull(event, "event");
        }
    }
}
