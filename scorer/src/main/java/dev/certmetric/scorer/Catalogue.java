package dev.certmetric.scorer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The user's catalogue for similarity search: the items of the references topic as they stand (latest record
 * per id; a tombstone or a rejected record leaves the id without an item), and the index of the newest model.
 *
 * <p>Items change on the thread that reads the topic; {@link #index} runs where a model is prepared, before it
 * serves. Both hold this object's monitor, so an index starts from the items as they are and receives every
 * later change; the model it belongs to keeps serving its own index, so a swap never waits for a build.
 *
 * <p>A record is rejected, counted in {@code certmetric_scorer_references_rejected_total{reason}} and logged
 * (the first of each reason, then at every power of two) when it is not a JSON object with a string
 * {@code "id"} equal to the record key, a string or null {@code "label"} and an array {@code "features"} of
 * numbers; when the id or label is longer than {@code scorer.max-id-chars}; when a feature is not finite or
 * beyond {@link OnlineStandardizer#MAX_ABS_FEATURE}; or when the feature count differs from the model's p.
 * An item kept from before the first model whose count differs from that model's p is counted the same way
 * when the model is indexed, and is not searchable under it.
 */
public final class Catalogue {
    private static final Logger LOG = LoggerFactory.getLogger(Catalogue.class);
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /** Why a catalogue record is not searchable. */
    public enum Reason {
        /** Not a JSON object, a field of the wrong type, no key, no id or no features. */
        MALFORMED("malformed"),
        /** The record's {@code "id"} is not its key (compaction and tombstones go by key). */
        KEY_MISMATCH("key_mismatch"),
        /** The id is longer than {@code scorer.max-id-chars}. */
        ID_TOO_LONG("id_too_long"),
        /** The label is longer than {@code scorer.max-id-chars}. */
        LABEL_TOO_LONG("label_too_long"),
        /** A feature is not a finite number (or its projection is not). */
        NON_FINITE("non_finite"),
        /** A feature beyond the bound of every input, |x| <= 1e140. */
        OUT_OF_BOUNDS("out_of_bounds"),
        /** The feature count is not the model's p. */
        FEATURE_COUNT("feature_count");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** A catalogue item as published: raw features (length p of the model that will index it). */
    record Item(String id, String label, double[] features) {
    }

    private static final class Rejected extends Exception {
        final Reason reason;

        Rejected(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    private final int maxIdChars;
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<Reason, Counter> rejected = new EnumMap<>(Reason.class);
    /**
     * The index of the newest model prepared: the one that receives item changes. Null before a model. Written
     * under this object's monitor; volatile so that the gauge reads it without waiting for an index build.
     */
    private volatile CatalogueIndex live;

    /**
     * @param maxIdChars longest id and label in Unicode code points ({@code scorer.max-id-chars})
     */
    public Catalogue(int maxIdChars, MeterRegistry meters) {
        this.maxIdChars = maxIdChars;
        for (Reason r : Reason.values()) {
            rejected.put(r, Counter.builder("certmetric.scorer.references.rejected")
                    .description("Catalogue records not searchable, by reason")
                    .tag("reason", r.tag()).register(meters));
        }
        Gauge.builder("certmetric.scorer.references", this, Catalogue::searchable)
                .description("Catalogue items searchable under the newest model").register(meters);
    }

    private double searchable() {
        CatalogueIndex index = live;
        return index == null ? 0 : index.size();
    }

    /** Items held (searchable or waiting for a first model). */
    public synchronized int size() {
        return items.size();
    }

    /**
     * Applies a record of the references topic: a null value deletes the id's item, a valid one adds or replaces
     * it, an invalid one is counted and deletes the id's item.
     *
     * @return whether the record is kept (valid and not a tombstone)
     */
    public synchronized boolean offer(String key, byte[] value) {
        if (value == null) {
            remove(key);
            return false;
        }
        Item item;
        try {
            item = parse(key, value);
            if (live != null && item.features().length != live.dimension()) {
                throw new Rejected(Reason.FEATURE_COUNT, "\"features\" has " + item.features().length
                        + " numbers; the model expects p=" + live.dimension());
            }
            double[] lz = live == null ? null : live.project(item.features());
            if (live != null && lz == null) {
                throw new Rejected(Reason.NON_FINITE, "the item's projection under the model is not finite");
            }
            items.put(key, item);
            if (live != null) {
                live.put(key, item.label(), item.features(), lz);
            }
            return true;
        } catch (Rejected e) {
            remove(key);
            reject(e.reason, key, e.getMessage());
            return false;
        }
    }

    private void remove(String key) {
        if (key != null) {
            items.remove(key);
            if (live != null) {
                live.remove(key);
            }
        }
    }

    /**
     * Builds the index of the items under a model about to serve, and makes it the one that receives later
     * changes. Items whose feature count is not the model's p are counted ({@code feature_count}) and left out.
     */
    synchronized CatalogueIndex index(Standardizer preprocessing, MahalanobisMetric metric) {
        CatalogueIndex index = new CatalogueIndex(preprocessing, metric, items.size());
        int p = metric.dimension();
        for (Item item : items.values()) {
            if (item.features().length != p) {
                reject(Reason.FEATURE_COUNT, item.id(), "\"features\" has " + item.features().length
                        + " numbers; the new model expects p=" + p + " (kept, not searchable under it)");
                continue;
            }
            double[] lz = index.project(item.features());
            if (lz == null) {
                reject(Reason.NON_FINITE, item.id(), "the item's projection under the new model is not finite");
                continue;
            }
            index.put(item.id(), item.label(), item.features(), lz);
        }
        live = index;
        return index;
    }

    private void reject(Reason reason, String id, String message) {
        Counter c = rejected.get(reason);
        c.increment();
        long n = (long) c.count();
        if (Long.bitCount(n) == 1) {
            LOG.warn("catalogue record '{}' rejected ({}): {} [{} so far with this reason; logged at powers of two]",
                    id == null ? "" : cut(id), reason.tag(), message, n);
        }
    }

    /** Rejections counted so far for a reason. */
    public long rejectedCount(Reason reason) {
        return (long) rejected.get(reason).count();
    }

    private String cut(String s) {
        return s.codePointCount(0, s.length()) <= maxIdChars ? s : s.substring(0, s.offsetByCodePoints(0, maxIdChars));
    }

    private Item parse(String key, byte[] value) throws Rejected {
        if (key == null) {
            throw new Rejected(Reason.MALFORMED, "record without a key (the key is the item's id)");
        }
        String id = null;
        String label = null;
        double[] features = null;
        int n = 0;
        boolean hasId = false;
        try (JsonParser p = FACTORY.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Rejected(Reason.MALFORMED, "a catalogue record must be a JSON object");
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> {
                        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT) {
                            throw new Rejected(Reason.MALFORMED, "\"id\" must be a string or an integer");
                        }
                        id = p.getText();
                        hasId = true;
                    }
                    case "label" -> {
                        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
                            throw new Rejected(Reason.MALFORMED, "\"label\" must be a string or null");
                        }
                        label = p.getValueAsString();
                    }
                    case "features" -> {
                        if (v != JsonToken.START_ARRAY) {
                            throw new Rejected(Reason.MALFORMED, "\"features\" must be an array of numbers");
                        }
                        features = new double[16];
                        n = 0;
                        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                            if (e != JsonToken.VALUE_NUMBER_INT && e != JsonToken.VALUE_NUMBER_FLOAT) {
                                throw new Rejected(Reason.MALFORMED, "\"features\"[" + n + "] is not a number");
                            }
                            double x = p.getDoubleValue();
                            if (!Double.isFinite(x)) {
                                throw new Rejected(Reason.NON_FINITE, "\"features\"[" + n + "] is not finite");
                            }
                            if (Math.abs(x) > OnlineStandardizer.MAX_ABS_FEATURE) {
                                throw new Rejected(Reason.OUT_OF_BOUNDS, "\"features\"[" + n + "] = " + x
                                        + " exceeds the bound |x| <= " + OnlineStandardizer.MAX_ABS_FEATURE);
                            }
                            if (n == features.length) {
                                features = Arrays.copyOf(features, 2 * n);
                            }
                            features[n++] = x;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new Rejected(Reason.MALFORMED, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejected(Reason.MALFORMED, "not readable: " + e.getMessage());
        }
        int keyChars = key.codePointCount(0, key.length());
        if (keyChars > maxIdChars) {
            throw new Rejected(Reason.ID_TOO_LONG, "the id has " + keyChars + " characters; the limit (scorer.max-id-chars) is "
                    + maxIdChars);
        }
        if (!hasId || !key.equals(id)) {
            throw new Rejected(hasId ? Reason.KEY_MISMATCH : Reason.MALFORMED, hasId
                    ? "\"id\" is not the record key" : "a catalogue record needs an \"id\" equal to its key");
        }
        if (label != null && label.codePointCount(0, label.length()) > maxIdChars) {
            throw new Rejected(Reason.LABEL_TOO_LONG, "\"label\" has " + label.codePointCount(0, label.length())
                    + " characters; the limit (scorer.max-id-chars) is " + maxIdChars);
        }
        if (features == null || n == 0) {
            throw new Rejected(Reason.MALFORMED, "\"features\" must be a non-empty array of numbers");
        }
        return new Item(id, label, Arrays.copyOf(features, n));
    }
}
