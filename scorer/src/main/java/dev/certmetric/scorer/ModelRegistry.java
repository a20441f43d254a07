package dev.certmetric.scorer;

import dev.certmetric.signing.SignatureException;
import dev.certmetric.signing.TrustedKeys;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.SnapshotFormatException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Holds the model being served and decides which snapshots replace it.
 *
 * <p>A snapshot replaces the serving model only if it decodes, belongs to the followed model name,
 * has a strictly higher version, has the same input dimension p as the serving model and can be
 * prepared for serving. Anything else is rejected with a reason, counted in
 * {@code certmetric_scorer_snapshots_rejected_total{reason}}, logged, and the last good model keeps
 * serving. Readers ({@link #current()}) never block: the swap is one {@link AtomicReference} set
 * of an immutable {@link ServingModel}; offers are serialised.
 *
 * <p>With no model name given, the registry follows the name of the first snapshot it accepts.
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    /** Why a snapshot was not served. */
    public enum Reason {
        /** Version not higher than the serving model's (duplicate, replay or older). */
        STALE("stale"),
        /** Bytes that do not decode (bad JSON, checksum, envelope, missing or invalid field). */
        CORRUPT("corrupt"),
        /** Decodes but cannot replace the serving model: other schema version, other p, unusable. */
        INCOMPATIBLE("incompatible"),
        /** A snapshot of another model name. */
        OTHER_MODEL("other_model"),
        /** Unsigned, signed by a key not trusted, or a signature that does not match, while keys are trusted. */
        SIGNATURE("signature");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** The result of {@link #offer}: accepted with the new model, or rejected with a reason. */
    public record Outcome(boolean accepted, Reason reason, String message, ServingModel model) {
        static Outcome accepted(ServingModel m) {
            return new Outcome(true, null, "accepted " + m, m);
        }

        static Outcome rejected(Reason reason, String message) {
            return new Outcome(false, reason, message, null);
        }
    }

    private final AtomicReference<ServingModel> current = new AtomicReference<>();
    private final Object lock = new Object();
    private final List<Consumer<ServingModel>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Reason, Counter> rejected = new EnumMap<>(Reason.class);
    private final Counter accepted;
    private volatile String modelName;
    /** Null: unsigned snapshots are served. */
    private final TrustedKeys trusted;
    /** Indexed under every model before it serves; null: models serve an empty catalogue. */
    private final Catalogue catalogue;

    /**
     * @param modelName the model name to follow, or null to follow the first accepted one
     * @param meters where the snapshot counters and model gauges are registered
     */
    public ModelRegistry(String modelName, MeterRegistry meters) {
        this(modelName, null, meters);
    }

    /**
     * @param trusted the keys snapshot records must be signed by; null serves unsigned snapshots
     */
    public ModelRegistry(String modelName, TrustedKeys trusted, MeterRegistry meters) {
        this(modelName, trusted, null, meters);
    }

    /**
     * @param catalogue indexed under each new model before it serves (the old model and its index serve
     *     meanwhile); null serves an empty catalogue
     */
    public ModelRegistry(String modelName, TrustedKeys trusted, Catalogue catalogue, MeterRegistry meters) {
        this.modelName = modelName;
        this.trusted = trusted;
        this.catalogue = catalogue;
        for (Reason r : Reason.values()) {
            rejected.put(r, Counter.builder("certmetric.scorer.snapshots.rejected")
                    .description("Snapshots not served, by reason")
                    .tag("reason", r.tag()).register(meters));
        }
        accepted = Counter.builder("certmetric.scorer.snapshots.accepted")
                .description("Snapshots that became the serving model").register(meters);
        Gauge.builder("certmetric.scorer.model.version", this, ModelRegistry::versionOrNaN)
                .description("Version of the serving model (NaN before the first)").register(meters);
        Gauge.builder("certmetric.scorer.model.age", this, ModelRegistry::ageOrNaN)
                .description("Seconds since the serving snapshot was created").baseUnit("seconds").register(meters);
    }

    private double versionOrNaN() {
        ServingModel m = current.get();
        return m == null ? Double.NaN : m.version();
    }

    private double ageOrNaN() {
        ServingModel m = current.get();
        return m == null ? Double.NaN : m.ageSeconds(Instant.now());
    }

    /** The serving model, or null before the first accepted snapshot. Never blocks. */
    public ServingModel current() {
        return current.get();
    }

    /** The followed model name (null until the first accept when none was configured). */
    public String modelName() {
        return modelName;
    }

    /** Called (on the offering thread) after every swap. */
    public void addListener(Consumer<ServingModel> listener) {
        listeners.add(listener);
    }

    /** Waits until a model is serving; returns it, or null on timeout. */
    public ServingModel awaitModel(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (current.get() == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return current.get();
        }
    }

    /**
     * Offers a record of the snapshot topic: its value and its signature headers (null when absent). With trusted
     * keys the signature is checked over the exact value bytes before anything is decoded.
     */
    public Outcome offer(byte[] bytes, String keyId, byte[] signature) {
        if (trusted != null && bytes != null && bytes.length > 0) {
            try {
                trusted.verify(bytes, keyId, signature);
            } catch (SignatureException e) {
                return reject(Reason.SIGNATURE, e.getMessage());
            }
        }
        return offer(bytes);
    }

    /**
     * Offers encoded snapshot bytes without a signature check: for bytes verified before, such as the scorer's
     * own store of accepted snapshots, and when no keys are trusted. Null is a tombstone.
     */
    public Outcome offer(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return reject(Reason.CORRUPT, "empty snapshot record (tombstone?)");
        }
        MetricSnapshot snapshot;
        try {
            snapshot = SnapshotCodec.decode(bytes);
        } catch (SnapshotFormatException e) {
            String msg = e.getMessage() == null ? "" : e.getMessage();
            return reject(msg.startsWith("incompatible") ? Reason.INCOMPATIBLE : Reason.CORRUPT, msg);
        } catch (RuntimeException e) {
            return reject(Reason.CORRUPT, "undecodable snapshot: " + e);
        }
        return offer(snapshot);
    }

    /** Offers a decoded snapshot. */
    public Outcome offer(MetricSnapshot snapshot) {
        synchronized (lock) {
            ServingModel serving = current.get();
            String follow = modelName;
            if (follow != null && !follow.equals(snapshot.modelName())) {
                return reject(Reason.OTHER_MODEL, "snapshot of model '" + snapshot.modelName() + "' v"
                        + snapshot.version() + " ignored; following '" + follow + "'");
            }
            if (serving != null) {
                if (snapshot.version() <= serving.version()) {
                    return reject(Reason.STALE, "snapshot " + snapshot.modelName() + " v" + snapshot.version()
                            + " is not newer than the serving v" + serving.version());
                }
                if (snapshot.p() != serving.dimension()) {
                    return reject(Reason.INCOMPATIBLE, "snapshot " + snapshot.modelName() + " v" + snapshot.version()
                            + " has p=" + snapshot.p() + " but the serving model has p=" + serving.dimension());
                }
            }
            ServingModel next;
            try {
                next = ServingModel.of(snapshot, catalogue);
            } catch (RuntimeException e) {
                return reject(Reason.INCOMPATIBLE, "snapshot " + snapshot + " cannot serve: " + e.getMessage());
            }
            current.set(next);
            modelName = snapshot.modelName();
            accepted.increment();
            lock.notifyAll();
            LOG.info("serving {} (was {})", next, serving == null ? "none" : "v" + serving.version());
            Outcome outcome = Outcome.accepted(next);
            for (Consumer<ServingModel> l : listeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException e) {
                    LOG.warn("model listener failed", e);
                }
            }
            return outcome;
        }
    }

    private Outcome reject(Reason reason, String message) {
        rejected.get(reason).increment();
        ServingModel serving = current.get();
        LOG.warn("rejected snapshot ({}): {}; still serving {}", reason.tag(), message,
                serving == null ? "nothing" : serving.name() + " v" + serving.version());
        return Outcome.rejected(reason, message);
    }

    /** Rejections counted so far for a reason (for tests and the CLI). */
    public long rejectedCount(Reason reason) {
        return (long) rejected.get(reason).count();
    }
}
