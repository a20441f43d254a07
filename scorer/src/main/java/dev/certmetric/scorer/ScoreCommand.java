package dev.certmetric.scorer;

import dev.certmetric.command.BadInputHandler;
import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.monitoring.Monitoring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code certmetric score}: serves the latest snapshot of a model over Kafka (requests topic to scores
 * topic) and HTTP until Ctrl-C. Broker, snapshot topic, model name and Kafka client properties come
 * from the configuration ({@code --config}, {@code --set}); the options below override them.
 */
@Command(name = "score",
        mixinStandardHelpOptions = true,
        description = {"Serve the latest metric snapshot: k-NN label, neighbours, anomaly score and certified radius "
                + "for JSON requests on Kafka and HTTP, until Ctrl-C.",
            "Requests: {\"id\":\"r1\",\"features\":[...]}, {\"id\":\"r2\",\"a\":[...],\"b\":[...]} or "
                + "{\"id\":\"r3\",\"features\":[...],\"k\":10,\"search\":true} (the catalogue of topics.references)."})
public final class ScoreCommand implements Callable<Integer> {
    /** Entry point of the scorer's own jar: {@code java -jar certmetric-scorer.jar [options]}. */
    public static void main(String[] args) {
        System.exit(BadInputHandler.commandLine(new ScoreCommand()).execute(args));
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap-servers of the configuration).")
    String bootstrap;

    @Option(names = "--config", paramLabel = "FILE", description = "certmetric YAML configuration (default: the bundled one).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key, e.g. model.name=iris.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--model", paramLabel = "NAME", description = "Model name to serve (default: model.name of the configuration).")
    String model;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "P",
            description = "HTTP port for /score, /model, /health, /metrics; 0 = any free port, -1 = off (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "HTTP bind address (default: ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(names = "--snapshots-topic", paramLabel = "TOPIC", description = "Snapshot topic (default: topics.snapshots of the configuration).")
    String snapshotsTopic;

    @Option(names = "--requests-topic", defaultValue = ScorerSettings.DEFAULT_REQUEST_TOPIC, paramLabel = "TOPIC",
            description = "Request topic (default: ${DEFAULT-VALUE}).")
    String requestsTopic;

    @Option(names = "--scores-topic", defaultValue = ScorerSettings.DEFAULT_SCORE_TOPIC, paramLabel = "TOPIC",
            description = "Answer topic (default: ${DEFAULT-VALUE}).")
    String scoresTopic;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams application id (default: certmetric-scorer-<model>).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state directory (default: a temporary one).")
    Path stateDir;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 | at_least_once (default: ${DEFAULT-VALUE}); consumers always read_committed.")
    String guarantee;

    @Option(names = "--commit-interval-ms", defaultValue = "100", description = "Kafka Streams commit interval (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    /** Builds the settings from the configuration and the options (exposed for tests). */
    ScorerSettings settings() {
        CertmetricConfig cfg = CertmetricConfig.load(config, overrides);
        String name = model != null ? model : cfg.modelName();
        String servers = bootstrap != null ? bootstrap : cfg.bootstrapServers();
        if (servers == null || servers.isBlank()) {
            throw new BadInputException("--bootstrap (or kafka.bootstrap-servers) is required");
        }
        try {
            return ScorerSettings.defaults(servers)
                    .withTopics(snapshotsTopic != null ? snapshotsTopic : cfg.snapshotsTopic(), requestsTopic, scoresTopic)
                    .withModelName(name)
                    .withApplicationId(applicationId != null ? applicationId : "certmetric-scorer-" + name)
                    .withStateDir(stateDir)
                    .withHttp(httpHost, httpPort)
                    .withProcessing(guarantee, commitIntervalMs)
                    .withKafkaProperties(cfg.kafkaPropertyMap())
                    .withSnapshotMaxBytes(cfg.snapshotMaxBytes())
                    .withLimits(ScorerLimits.of(cfg))
                    .withTrustedKeys(cfg.trustedKeys())
                    .withReferencesTopic(cfg.referencesTopic());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws Exception {
        ScorerSettings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        ScorerService service = new ScorerService(settings, Monitoring.registry());
        Thread hook = new Thread(service::close, "certmetric-scorer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (service) {
            service.registry().addListener(m -> {
                out.println("serving " + m.name() + " v" + m.version() + " (p=" + m.dimension() + ", k=" + m.k() + ")");
                out.flush();
            });
            try {
                service.start();
            } catch (IllegalStateException e) {
                throw new BadInputException(e.getMessage(), e);
            } catch (java.io.UncheckedIOException e) {
                // The HTTP port is taken (another scorer, say): the user's to change, not a crash.
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                throw new BadInputException("--http-port " + settings.httpPort() + ": cannot serve HTTP on "
                        + settings.httpHost() + ":" + settings.httpPort() + " (" + root.getMessage()
                        + "); choose a free port, 0 for any, or -1 for none", e);
            }
            out.println("scorer: " + settings.snapshotTopic() + " -> model '" + settings.modelName() + "'; "
                    + settings.requestTopic() + " -> " + settings.scoreTopic()
                    + (service.httpPort() >= 0 ? "; http://" + settings.httpHost() + ":" + service.httpPort() + "/" : ""));
            out.flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook closes the service
            }
        }
        return 0;
    }
}
