package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.monitoring.Monitoring;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.metrics.groups.FrontMetricGroup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * A Flink metric reporter for the CLI's MiniCluster that shows the job's {@code certmetric} metrics in the
 * JVM's Micrometer registry, under the names Flink's Prometheus reporter gives them on a cluster
 * ({@code flink_<logical scope>_<name>}, variables as labels), so one dashboard serves both. Every
 * metric is a gauge there too (Flink's Prometheus reporter exports counters as gauges). Meters are removed
 * with their metric: nothing of a job outlives it.
 */
public final class FlinkMetricsBridge implements MetricReporter {
    private final Map<Metric, List<Meter>> meters = new ConcurrentHashMap<>();

    /** Flink settings that install the bridge. */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.certmetric.factory.class", Factory.class.getName());
        return conf;
    }

    /**
     * Serves the registry's {@code /metrics} on 127.0.0.1 at {@code port}; null when the port is 0.
     *
     * @throws BadInputException naming the key, if the port is taken (another learner or demo, say)
     */
    static MetricsEndpoint serve(int port) {
        if (port == 0) {
            return null;
        }
        try {
            return MetricsEndpoint.start("127.0.0.1", port, Monitoring.registry());
        } catch (IOException e) {
            throw new BadInputException("metrics.port = " + port + ": " + e.getMessage()
                    + "; set metrics.port to a free port, or to 0 for no endpoint", e);
        }
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
        meters.keySet().forEach(this::remove);
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!(group instanceof FrontMetricGroup<?>) || !group.getMetricIdentifier(name).contains(".certmetric.")) {
            return;
        }
        String base = "flink_" + LogicalScopeProvider.castFrom(group).getLogicalScope(FlinkMetricsBridge::filter, '_')
                + "_" + filter(name);
        List<String> tags = new ArrayList<>();
        group.getAllVariables().forEach((k, v) -> {
            tags.add(filter(k.substring(1, k.length() - 1)));
            tags.add(v);
        });
        Tags t = Tags.of(tags.toArray(String[]::new));
        List<Meter> registered = new ArrayList<>();
        if (metric instanceof Counter c) {
            registered.add(gauge(base, t, c, x -> x.getCount()));
        } else if (metric instanceof org.apache.flink.metrics.Gauge<?> g) {
            registered.add(gauge(base, t, g, x -> x.getValue() instanceof Number n ? n.doubleValue() : Double.NaN));
        } else if (metric instanceof Histogram h) {
            registered.add(gauge(base + "_count", t, h, x -> x.getCount()));
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                registered.add(gauge(base, t.and("quantile", String.valueOf(q)), h,
                        x -> x.getStatistics().getQuantile(q)));
            }
        }
        meters.put(metric, registered);
    }

    private static <T> Meter gauge(String name, Tags tags, T metric, ToDoubleFunction<T> value) {
        return Gauge.builder(name, metric, value).tags(tags).register(Monitoring.registry());
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        remove(metric);
    }

    private void remove(Metric metric) {
        List<Meter> m = meters.remove(metric);
        if (m != null) {
            m.forEach(Monitoring.registry()::remove);
        }
    }

    /** Prometheus' name alphabet, as Flink's Prometheus reporter filters. */
    private static String filter(String s) {
        return s.replaceAll("[^a-zA-Z0-9:_]", "_");
    }

    /** Flink finds reporters by their factory through the service loader. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new FlinkMetricsBridge();
        }
    }
}
