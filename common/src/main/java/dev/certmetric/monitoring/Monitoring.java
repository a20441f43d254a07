package dev.certmetric.monitoring;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The JVM-wide Micrometer registry that every certmetric component (learner operators, scorer,
 * CLI) reports to. One per JVM, served by whatever runs there: the scorer's HTTP endpoint, the CLI's
 * metrics endpoint for an in-process learner; on a Flink cluster the learner's metrics go through Flink's
 * own reporter instead.
 */
public final class Monitoring {
    private static final PrometheusMeterRegistry REGISTRY = create();

    private Monitoring() {
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
                new io.prometheus.metrics.model.registry.PrometheusRegistry(), Clock.SYSTEM);
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        return registry;
    }
}
