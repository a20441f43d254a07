package dev.certmetric.learner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** A Flink metric reporter that keeps every registered metric of the JVM's MiniClusters, by identifier. */
public final class CollectingReporter implements MetricReporter {
    static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    /** Flink settings that install this reporter. */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.collect.factory.class", Factory.class.getName());
        return conf;
    }

    /** Sum of the counters (or histogram counts) whose identifier passes {@code filter}. */
    static long count(Predicate<String> filter) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (filter.test(e.getKey())) {
                if (e.getValue() instanceof Counter c) {
                    sum += c.getCount();
                } else if (e.getValue() instanceof Histogram h) {
                    sum += h.getCount();
                }
            }
        }
        return sum;
    }

    /** Whether a gauge whose identifier passes {@code filter} holds a finite number. */
    static boolean gaugeSet(Predicate<String> filter) {
        return METRICS.entrySet().stream().anyMatch(e -> filter.test(e.getKey()) && e.getValue() instanceof Gauge<?> g
                && g.getValue() instanceof Number n && Double.isFinite(n.doubleValue()));
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.put(group.getMetricIdentifier(name), metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // kept: tests read the final values after the job ended
    }

    /** Flink finds reporters by their factory through the service loader. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CollectingReporter();
        }
    }
}
