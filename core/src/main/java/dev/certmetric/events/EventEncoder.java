package dev.certmetric.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/** Writes {@link LabeledEvent}s in the JSON form {@link EventDecoder} reads. */
public final class EventEncoder {
    private static final JsonFactory JSON = new JsonFactory();

    private EventEncoder() {
    }

    /**
     * Encodes {@code {"id":..., "label":..., "features":[...], "ts":...}} as UTF-8; ts is omitted when null.
     *
     * @throws IllegalArgumentException if a feature is NaN or infinite, which JSON cannot carry
     */
    public static byte[] toJson(LabeledEvent event) {
        double[] features = event.features();
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                throw new IllegalArgumentException("event " + event.id() + ": features[" + i + "] is " + features[i]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 24 * features.length);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", event.id());
            g.writeStringField("label", event.label());
            g.writeArrayFieldStart("features");
            for (double f : features) {
                g.writeNumber(f);
            }
            g.writeEndArray();
            if (event.ts() != null) {
                g.writeNumberField("ts", event.ts());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode event " + event.id(), e);
        }
        return out.toByteArray();
    }
}
