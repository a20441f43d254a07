package dev.certmetric.learner;

import dev.certmetric.monitoring.MetricsHttpServer;
import dev.certmetric.monitoring.Monitoring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Prometheus endpoint at most once per JVM (each TaskManager, or the local CLI). */
public final class MetricsEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static MetricsHttpServer server;
    private static boolean attempted;

    private MetricsEndpoint() {
    }

    /** Starts {@code /metrics} on all interfaces at {@code port}; 0 = off; a busy port is only logged. */
    public static synchronized MetricsHttpServer ensureStarted(int port) {
        if (port <= 0 || attempted) {
            return server;
        }
        attempted = true;
        try {
            server = MetricsHttpServer.start("0.0.0.0", port, Monitoring.registry());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "certmetric-metrics-stop"));
            LOG.info("Prometheus metrics on http://localhost:{}/metrics", server.port());
        } catch (Exception e) {
            LOG.warn("cannot serve metrics on port {}: {}", port, e.getMessage());
        }
        return server;
    }
}
