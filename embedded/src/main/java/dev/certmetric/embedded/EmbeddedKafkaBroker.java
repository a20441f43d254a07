package dev.certmetric.embedded;

import dev.certmetric.kafka.KafkaClientProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (combined broker + KRaft controller) built from Kafka's production server
 * classes, listening on 127.0.0.1. Every internal topic has replication factor and min ISR 1 so that
 * transactions and consumer groups work on one node.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "BROKER";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The SASL mechanism of {@link #startWithScram}. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private boolean closed;

    /** A user and password that clients (and the broker itself) authenticate with over SASL/SCRAM. */
    private record Scram(String user, String password) {
    }

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean deleteDataDirOnClose,
                                String bootstrapServers, Map<String, String> clientProperties) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
    }

    /** Starts a broker on a free port with a temporary data directory deleted on close. */
    public static EmbeddedKafkaBroker start() {
        return start(0);
    }

    /** Starts a broker on {@code port} (0 = a free port) with a temporary data directory deleted on close. */
    public static EmbeddedKafkaBroker start(int port) {
        Path dir;
        try {
            dir = Files.createTempDirectory("certmetric-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
        }
        return start(dir, port, true, null);
    }

    /**
     * Starts a broker whose clients must authenticate with SASL/SCRAM-SHA-256 as {@code user} (over plaintext:
     * for trying security settings locally, not for production), on a free port with a temporary data directory.
     * {@link #clientProperties()} gives what a client needs in {@code kafka.properties}.
     */
    public static EmbeddedKafkaBroker startWithScram(String user, String password) {
        Path dir;
        try {
            dir = Files.createTempDirectory("certmetric-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
        }
        return start(dir, 0, true, new Scram(user, password));
    }

    /**
     * Starts a broker on {@code port} (0 = a free port) keeping its data in {@code dataDir}, which survives
     * close so that topics persist across restarts.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, false, null);
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, boolean deleteDataDirOnClose, Scram scram) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535 (0 = any free port), got " + port);
        }
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logDir = dataDir.resolve("kraft-combined-logs");
        try {
            Files.createDirectories(logDir);
            KafkaConfig config = KafkaConfig.fromProps(serverProperties(logDir, brokerPort, controllerPort, scram), false);
            // A persistent data directory keeps its cluster id; formatting it again would mint a new one.
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir, scram);
            }
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                server.shutdown();
                throw e;
            }
            return new EmbeddedKafkaBroker(server, dataDir, deleteDataDirOnClose, HOST + ":" + brokerPort,
                    scram == null ? Map.of() : saslClient(scram));
        } catch (Exception e) {
            if (deleteDataDirOnClose) {
                deleteQuietly(dataDir);
            }
            throw new IllegalStateException("embedded Kafka broker failed to start on port " + brokerPort, e);
        }
    }

    private static Map<String, String> saslClient(Scram scram) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM_MECHANISM,
                "sasl.jaas.config", jaas(scram));
    }

    private static String jaas(Scram scram) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + scram.user()
                + "\" password=\"" + scram.password() + "\";";
    }

    private static Properties serverProperties(Path logDir, int brokerPort, int controllerPort, Scram scram) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        String brokerProtocol = scram == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":" + brokerProtocol + "," + CONTROLLER_LISTENER
                + ":PLAINTEXT");
        if (scram != null) {
            // The broker talks to itself over the same listener, as the same (bootstrapped) user.
            p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
            p.put("listener.name." + BROKER_LISTENER.toLowerCase(java.util.Locale.ROOT) + "."
                    + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config", jaas(scram));
        }
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        // One node: every replication factor and min ISR must be 1 or internal topics never get created.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Few internal partitions keep startup and the first group/transaction fast on a small machine.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once sink uses long transactions (up to its checkpoint timeout).
        p.put("transaction.max.timeout.ms", "900000");
        // The cleaner's default 128 MiB dedupe buffer is far more than a test broker needs.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        return p;
    }

    /** Writes meta.properties and the bootstrap checkpoint, as {@code kafka-storage.sh format} does. */
    private static void format(Path logDir, Scram scram) throws Exception {
        Formatter formatter = new Formatter();
        if (scram != null) {
            formatter.setScramArguments(List.of(SCRAM_MECHANISM + "=[name=" + scram.user() + ",password="
                    + scram.password() + "]"));
        }
        formatter
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
    }

    /** Probes a free port; another process could take it before the broker binds, which is rare enough here. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /** What a client needs besides {@code bootstrap.servers} (the SASL settings of {@link #startWithScram}; else none). */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** {@code host:port} for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with replication factor 1; does nothing if it already exists. */
    public void createTopic(String name, int partitions, boolean compacted) {
        createTopic(name, partitions, compacted
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT) : Map.of());
    }

    /**
     * Creates the snapshot topic: compacted, accepting records up to {@code maxBytes}
     * ({@link KafkaClientProperties#snapshotTopicConfig}); does nothing if it already exists.
     */
    public void createSnapshotTopic(String name, int maxBytes) {
        createTopic(name, 1, KafkaClientProperties.snapshotTopicConfig(maxBytes));
    }

    /** Creates a topic with replication factor 1 and the given topic configs; does nothing if it already exists. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        if (!configs.isEmpty()) {
            topic.configs(configs);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /** Shuts the broker down and, for a temporary data directory, deletes it. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteQuietly(dataDir);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            // Leaving a temp dir behind is harmless; failing close over it would hide the real outcome.
        }
    }
}
