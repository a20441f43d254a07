package dev.certmetric.learner;

import dev.certmetric.monitoring.Monitoring;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The learner job's Micrometer meters, in the JVM-wide {@link Monitoring#registry()} (names
 * {@code certmetric_*} in Prometheus). Gauges are backed by holders cached per tag set, so a
 * restarted operator (after a failover, in the same TaskManager JVM) keeps reporting through the
 * gauge that was registered first instead of a stale one.
 */
public final class LearnerMetrics {
    private static final Map<String, Object> HOLDERS = new ConcurrentHashMap<>();

    private LearnerMetrics() {
    }

    /** A double that gauges read and operators write. */
    public static final class AtomicDouble {
        private final AtomicLong bits;

        AtomicDouble(double initial) {
            bits = new AtomicLong(Double.doubleToRawLongBits(initial));
        }

        public double get() {
            return Double.longBitsToDouble(bits.get());
        }

        public void set(double v) {
            bits.set(Double.doubleToRawLongBits(v));
        }
    }

    private static MeterRegistry registry() {
        return Monitoring.registry();
    }

    @SuppressWarnings("unchecked")
    private static <T> T holder(String id, java.util.function.Supplier<T> create) {
        return (T) HOLDERS.computeIfAbsent(id, k -> create.get());
    }

    private static AtomicDouble gauge(String name, String description, String... tags) {
        String id = name + String.join(",", tags);
        return holder(id, () -> {
            AtomicDouble value = new AtomicDouble(Double.NaN);
            Gauge.builder(name, value, AtomicDouble::get).description(description).tags(tags).register(registry());
            return value;
        });
    }

    /** Invalid events by reason (wire name). */
    public static Counter invalid(String model, String reason) {
        return Counter.builder("certmetric.events.invalid").description("Events rejected by the decoder, by reason")
                .tags("model", model, "reason", reason).register(registry());
    }

    /** Merged models adopted by a worker. */
    public static Counter syncs(String model, int subtask) {
        return Counter.builder("certmetric.model.syncs").description("Merged models adopted by a learner worker")
                .tags("model", model, "subtask", String.valueOf(subtask)).register(registry());
    }

    /** The meters of one learner worker (subtask). */
    public static final class Worker {
        final Counter eventsIn;
        final Counter updates;
        final AtomicDouble pull;
        final AtomicDouble hinge;
        final AtomicDouble perturbation;
        final AtomicDouble prequentialAccuracy;
        final AtomicDouble eventsPerSecond;
        final DistributionSummary margins;
        final DistributionSummary certifiedRadii;
        private long windowStartNanos = System.nanoTime();
        private long windowEvents;

        Worker(String model, int subtask) {
            String s = String.valueOf(subtask);
            eventsIn = Counter.builder("certmetric.events.in").description("Valid events consumed by the learner")
                    .tags("model", model, "subtask", s).register(registry());
            updates = Counter.builder("certmetric.updates").description("Gradient steps taken")
                    .tags("model", model, "subtask", s).register(registry());
            pull = gauge("certmetric.loss.pull", "Pull term of the last gradient step", "model", model, "subtask", s);
            hinge = gauge("certmetric.loss.hinge", "Hinge (push) term of the last gradient step", "model", model,
                    "subtask", s);
            perturbation = gauge("certmetric.loss.perturbation", "Perturbation-loss term of the last gradient step",
                    "model", model, "subtask", s);
            prequentialAccuracy = gauge("certmetric.prequential.accuracy",
                    "Test-then-train k-NN accuracy of this worker so far", "model", model, "subtask", s);
            eventsPerSecond = gauge("certmetric.events.per.second", "Valid events per second (last ~2 s)", "model",
                    model, "subtask", s);
            margins = DistributionSummary.builder("certmetric.margin")
                    .description("Smallest adversarial margin of each anchor's triplets (negative: violated)")
                    .tags("model", model, "subtask", s).publishPercentiles(0.1, 0.5, 0.9)
                    .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry());
            certifiedRadii = DistributionSummary.builder("certmetric.certified.radius")
                    .description("Certified L2 radius of the prequential k-NN prediction (one event in certify-every)")
                    .tags("model", model, "subtask", s).publishPercentiles(0.1, 0.5, 0.9)
                    .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry());
        }

        private long pending;

        /** Counts one event; the meters are updated every 256 events and on {@link #flush()}. */
        void event() {
            if (++pending >= 256) {
                flush();
            }
        }

        /** Publishes the events counted since the last flush (and the events/s gauge every ~2 s). */
        void flush() {
            if (pending == 0) {
                return;
            }
            eventsIn.increment(pending);
            windowEvents += pending;
            pending = 0;
            long now = System.nanoTime();
            long elapsed = now - windowStartNanos;
            if (elapsed >= 2_000_000_000L) {
                eventsPerSecond.set(windowEvents * 1e9 / elapsed);
                windowEvents = 0;
                windowStartNanos = now;
            }
        }
    }

    public static Worker worker(String model, int subtask) {
        return new Worker(model, subtask);
    }

    /** The meters of the snapshot publisher. */
    public static final class Publisher {
        final AtomicDouble version;
        final Counter published;
        final Timer publishLag;
        final AtomicLong lastVersion = new AtomicLong();

        Publisher(String model) {
            version = gauge("certmetric.snapshot.version", "Version of the last published snapshot", "model", model);
            published = Counter.builder("certmetric.snapshots.published").description("Snapshots handed to the sink")
                    .tags("model", model).register(registry());
            publishLag = Timer.builder("certmetric.snapshot.publish.lag")
                    .description("From a snapshot's creation to the completed checkpoint that commits it")
                    .tags("model", model).publishPercentiles(0.5, 0.9, 0.99).register(registry());
        }
    }

    public static Publisher publisher(String model) {
        return new Publisher(model);
    }
}
