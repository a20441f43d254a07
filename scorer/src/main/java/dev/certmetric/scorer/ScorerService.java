package dev.certmetric.scorer;

import dev.certmetric.config.BadInputException;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.signing.TrustedKeys;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The running scorer: the Kafka Streams app of {@link ScorerTopology}, the model registry, the
 * optional HTTP endpoint and the metrics. {@link #close()} is idempotent: HTTP, then Kafka Streams
 * ({@code close(Duration)}), then its temporary state ({@code cleanUp()}).
 */
public final class ScorerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final ScorerSettings settings;
    private final PrometheusMeterRegistry meters;
    private final ModelRegistry registry;
    private final Catalogue catalogue;
    private final Scorer scorer;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong heldTotal = new AtomicLong();
    private final Path stateDir;
    private final boolean tempStateDir;
    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private ScorerHttp http;
    private boolean closed;

    public ScorerService(ScorerSettings settings, PrometheusMeterRegistry meters) {
        this.settings = settings;
        this.meters = meters;
        this.catalogue = new Catalogue(settings.limits().maxIdChars(), meters);
        this.registry = new ModelRegistry(settings.modelName(), trustedKeys(settings), catalogue, meters);
        this.scorer = new Scorer(meters, java.time.Clock.systemUTC(), settings.limits());
        // Distinct names: a gauge and a counter of one name collide in the Prometheus registry.
        Gauge.builder("certmetric.scorer.requests.waiting", held, AtomicLong::get)
                .description("Requests held until a model is loaded").register(meters);
        io.micrometer.core.instrument.FunctionCounter.builder("certmetric.scorer.requests.held", heldTotal,
                AtomicLong::get).description("Requests that had to wait for a model").register(meters);
        try {
            if (settings.stateDir() == null) {
                stateDir = Files.createTempDirectory("certmetric-scorer-");
                tempStateDir = true;
            } else {
                stateDir = Files.createDirectories(settings.stateDir());
                tempStateDir = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka Streams state directory", e);
        }
    }

    /** The trusted keys, or null (with a warning: anyone who can write the snapshot topic picks the model). */
    private static TrustedKeys trustedKeys(ScorerSettings settings) {
        if (settings.trustedKeys() == null) {
            LOG.warn("scorer.trusted-keys is empty: unsigned snapshots are served");
            return null;
        }
        try {
            TrustedKeys keys = TrustedKeys.load(settings.trustedKeys());
            LOG.info("serving only snapshots signed by {}", keys.ids());
            return keys;
        } catch (IOException e) {
            throw new BadInputException("config key scorer.trusted-keys = '" + settings.trustedKeys() + "' is invalid: "
                    + e.getMessage() + "; accepted: a directory of Ed25519 .pub files, or one, as `certmetric keygen` "
                    + "writes");
        }
    }

    /** The Kafka Streams configuration (explicit serdes are given in the topology). */
    public Properties streamsConfig() {
        Properties p = new Properties();
        p.putAll(settings.kafkaProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(settings.commitIntervalMs()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // the global store's consumer reads whole snapshot records (a p=784 snapshot is several MB)
        KafkaClientProperties.snapshotConsumer(settings.snapshotMaxBytes())
                .forEach((k, v) -> p.put(StreamsConfig.globalConsumerPrefix(k), v));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Answers are a few hundred bytes. At a 1 ms linger and 16 KiB batches a saturated at_least_once scorer sent
        // about 33 per produce request, and the broker spent more CPU per answer than the stream thread's Kafka side;
        // at Kafka's own default linger (5 ms) and 64 KiB batches it is about 90, at 4 ms more latency when idle.
        // (Under exactly_once_v2 answers wait for the commit anyway.)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), "65536");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), "60000");
        // Transactions v2 start every transaction with a new producer epoch; pipelined batches that reach the
        // broker before the first one of the epoch are rejected (retriable OutOfOrderSequence, KAFKA-18202) and
        // retried after a back-off, which costs far more than one in-flight request on a local round trip.
        if ("exactly_once_v2".equals(settings.processingGuarantee())) {
            p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), "1");
        }
        // No record may stop a stream thread: failures become error answers (ScorerExceptionHandlers).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ScorerExceptionHandlers.Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ScorerExceptionHandlers.Production.class.getName());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class.getName());
        p.put(ScorerExceptionHandlers.REQUEST_TOPIC, settings.requestTopic());
        p.put(ScorerExceptionHandlers.SCORE_TOPIC, settings.scoreTopic());
        p.put(ScorerExceptionHandlers.MAX_ID_CHARS, Integer.toString(settings.limits().maxIdChars()));
        return p;
    }

    /** Starts Kafka Streams and, if configured, HTTP. Returns immediately; see {@link #awaitModel}. */
    public synchronized ScorerService start() {
        if (streams != null) {
            throw new IllegalStateException("already started");
        }
        ensureTopics();
        // Before the topic: if compaction left only a bad record there, the kept model still serves.
        LastGoodSnapshot kept = new LastGoodSnapshot(stateDir);
        kept.restoreInto(registry);
        registry.addListener(kept::keep);
        Topology topology = ScorerTopology.build(settings, registry, catalogue, scorer, held, heldTotal);
        LOG.debug("scorer topology:\n{}", topology.describe());
        streams = new KafkaStreams(topology, streamsConfig());
        // What the handlers above did not catch: a fresh stream thread resumes from the last commit. (A
        // failed global snapshot thread cannot be replaced; the client then stops and /health says DOWN.)
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("scorer stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("scorer Kafka Streams {} -> {}", before, now));
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        streams.start();
        if (settings.httpPort() >= 0) {
            try {
                http = ScorerHttp.start(settings.httpHost(), settings.httpPort(), settings.limits(), meters, registry,
                        scorer, this::state);
            } catch (IOException e) {
                close();
                throw new UncheckedIOException("cannot start HTTP on " + settings.httpHost() + ":" + settings.httpPort(), e);
            }
            LOG.info("scorer HTTP on http://{}:{}/ (/score, /model, /health, /metrics)", settings.httpHost(), http.port());
        }
        return this;
    }

    /**
     * Creates the snapshot and references (compacted), request and score topics if they are missing, with the broker's
     * default partitions and replication: Kafka Streams does not create source topics, and a missing
     * global-store topic stops the app.
     */
    private void ensureTopics() {
        Map<String, Object> conf = new HashMap<>(settings.kafkaProperties());
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        try (Admin admin = Admin.create(conf)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : List.of(settings.snapshotTopic(), settings.requestTopic(), settings.scoreTopic(),
                    settings.referencesTopic())) {
                if (!existing.contains(t)) {
                    NewTopic topic = new NewTopic(t, Optional.empty(), Optional.empty());
                    if (t.equals(settings.snapshotTopic())) {
                        topic.configs(KafkaClientProperties.snapshotTopicConfig(settings.snapshotMaxBytes()));
                    } else if (t.equals(settings.referencesTopic())) {
                        topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.info("created missing topic(s) {}", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the scorer's topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot check or create the scorer's topics on " + settings.bootstrapServers()
                    + ": " + (e.getCause() == null ? e : e.getCause()), e);
        }
    }

    public ServingModel awaitModel(Duration timeout) throws InterruptedException {
        return registry.awaitModel(timeout);
    }

    public ModelRegistry registry() {
        return registry;
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    public Scorer scorer() {
        return scorer;
    }

    public ScorerSettings settings() {
        return settings;
    }

    /** Requests currently held for want of a model. */
    public long heldRequests() {
        return held.get();
    }

    /** Requests that ever had to be held for want of a model (since this service started). */
    public long heldRequestsTotal() {
        return heldTotal.get();
    }

    public KafkaStreams.State state() {
        return streams == null ? KafkaStreams.State.CREATED : streams.state();
    }

    /** The HTTP port, or -1 when HTTP is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
        }
        if (streams != null) {
            // leave the group so a restarted scorer gets the partitions at once, not after the session timeout
            if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)))) {
                LOG.warn("Kafka Streams did not close within 30 s");
            }
            if (tempStateDir) {
                streams.cleanUp();
            }
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (tempStateDir) {
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
