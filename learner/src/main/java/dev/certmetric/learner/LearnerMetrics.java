package dev.certmetric.learner;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The learner job's metrics in Flink's metric system, under the operator's group plus {@code certmetric}
 * (Flink's Prometheus reporter names them {@code flink_taskmanager_job_task_operator_certmetric_*}, with
 * job, task and subtask as labels). They live and die with the operator: no registry, thread or port
 * outlives the job.
 */
public final class LearnerMetrics {
    /** Samples a histogram keeps (its quantiles are over the last this many values). */
    private static final int HISTOGRAM_WINDOW = 1024;

    private LearnerMetrics() {
    }

    static MetricGroup group(MetricGroup operator) {
        return operator.addGroup("certmetric");
    }

    /** A double gauge that operators write and reporters read. */
    public static final class DoubleGauge implements Gauge<Double> {
        private volatile double value = Double.NaN;

        public void set(double v) {
            value = v;
        }

        @Override
        public Double getValue() {
            return value;
        }
    }

    /** Invalid events by reason (wire name). */
    static Counter invalid(MetricGroup operator, String reason) {
        return group(operator).addGroup("reason", reason).counter("events_invalid");
    }

    /** Merged models adopted by a worker. */
    static Counter syncs(MetricGroup operator) {
        return group(operator).counter("model_syncs");
    }

    /** The metrics of one learner worker (subtask). */
    public static final class Worker {
        final Counter eventsIn;
        final Counter updates;
        final DoubleGauge pull;
        final DoubleGauge hinge;
        final DoubleGauge perturbation;
        final DoubleGauge prequentialAccuracy;
        final DoubleGauge eventsPerSecond;
        /** Flink histograms hold longs: margins and radii are recorded in millionths. */
        final Histogram margins;
        final Histogram certifiedRadii;
        private long windowStartNanos = System.nanoTime();
        private long windowEvents;
        private long pending;

        Worker(MetricGroup operator) {
            MetricGroup g = group(operator);
            eventsIn = g.counter("events_in");
            updates = g.counter("updates");
            pull = g.gauge("loss_pull", new DoubleGauge());
            hinge = g.gauge("loss_hinge", new DoubleGauge());
            perturbation = g.gauge("loss_perturbation", new DoubleGauge());
            prequentialAccuracy = g.gauge("prequential_accuracy", new DoubleGauge());
            eventsPerSecond = g.gauge("events_per_second", new DoubleGauge());
            margins = g.histogram("margin_micro", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
            certifiedRadii = g.histogram("certified_radius_micro", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        }

        /** Counts one event; the counter is updated every 256 events and on {@link #flush()}. */
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
            eventsIn.inc(pending);
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

    /** The metrics of the snapshot publisher. */
    public static final class Publisher {
        final DoubleGauge version;
        final Counter published;
        /** Milliseconds from a snapshot's creation to the completed checkpoint that commits it. */
        final Histogram publishLagMs;

        Publisher(MetricGroup operator) {
            MetricGroup g = group(operator);
            version = g.gauge("snapshot_version", new DoubleGauge());
            published = g.counter("snapshots_published");
            publishLagMs = g.histogram("snapshot_publish_lag_ms", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        }
    }
}
