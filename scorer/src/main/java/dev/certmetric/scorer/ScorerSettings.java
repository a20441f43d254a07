package dev.certmetric.scorer;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.KafkaClientProperties;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the scorer reads and writes, and how.
 *
 * @param bootstrapServers Kafka bootstrap servers, host:port[,host:port]
 * @param snapshotTopic topic of encoded {@link dev.certmetric.snapshot.MetricSnapshot}s (keyed by model name)
 * @param requestTopic topic of JSON requests
 * @param scoreTopic topic of JSON answers, keyed by request id
 * @param modelName model to serve; null follows the first snapshot accepted
 * @param applicationId Kafka Streams application id (consumer group, internal topic prefix)
 * @param stateDir Kafka Streams state directory; null = a fresh temporary directory, deleted on close
 * @param httpHost address the HTTP endpoint binds
 * @param httpPort HTTP port; 0 picks a free one, -1 disables HTTP
 * @param processingGuarantee "exactly_once_v2" (default) or "at_least_once"; either way every
 *     consumer reads with isolation.level=read_committed
 * @param commitIntervalMs Kafka Streams commit interval; under exactly-once answers become visible
 *     at each commit, so this bounds the added latency
 * @param kafkaProperties pass-through client properties (applied first; the scorer's own settings win)
 * @param snapshotMaxBytes largest snapshot record: the snapshot consumers' fetch sizes and, if the scorer
 *     creates the snapshot topic, its max.message.bytes (config key snapshots.max-bytes)
 * @param limits request, id and HTTP bounds (config keys scorer.*)
 * @param trustedKeys public keys (a directory of .pub files, or one) that snapshots must be signed by; null =
 *     unsigned snapshots are served (config key scorer.trusted-keys)
 * @param referencesTopic compacted topic of the catalogue's items, keyed by id (config key topics.references)
 */
public record ScorerSettings(String bootstrapServers, String snapshotTopic, String requestTopic, String scoreTopic,
        String modelName, String applicationId, Path stateDir, String httpHost, int httpPort,
        String processingGuarantee, long commitIntervalMs, Map<String, String> kafkaProperties, int snapshotMaxBytes,
        ScorerLimits limits, Path trustedKeys, String referencesTopic) {

    public static final String DEFAULT_SNAPSHOT_TOPIC = "certmetric.snapshots";
    public static final String DEFAULT_REQUEST_TOPIC = "certmetric.requests";
    public static final String DEFAULT_SCORE_TOPIC = "certmetric.scores";
    public static final String DEFAULT_REFERENCES_TOPIC = "certmetric.references";

    public ScorerSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(snapshotTopic, "snapshotTopic");
        Objects.requireNonNull(requestTopic, "requestTopic");
        Objects.requireNonNull(scoreTopic, "scoreTopic");
        Objects.requireNonNull(referencesTopic, "referencesTopic");
        Objects.requireNonNull(applicationId, "applicationId");
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("http port = " + httpPort + " is out of range; accepted: -1 (off), 0 (any), 1..65535");
        }
        if (!"exactly_once_v2".equals(processingGuarantee) && !"at_least_once".equals(processingGuarantee)) {
            throw new IllegalArgumentException("processing guarantee = " + processingGuarantee
                    + " is not supported; accepted: exactly_once_v2 | at_least_once");
        }
        if (commitIntervalMs < 1) {
            throw new IllegalArgumentException("commit interval = " + commitIntervalMs + " ms; must be >= 1");
        }
        if (snapshotMaxBytes < 1024 * 1024) {
            throw new IllegalArgumentException("snapshot max bytes = " + snapshotMaxBytes + "; must be >= 1048576");
        }
        Objects.requireNonNull(limits, "limits");
        kafkaProperties = Map.copyOf(kafkaProperties == null ? Map.of() : kafkaProperties);
        if (modelName != null && modelName.isBlank()) {
            modelName = null;
        }
    }

    /** Defaults for everything but the broker: default topics, any model, HTTP off, exactly-once, 100 ms commits. */
    public static ScorerSettings defaults(String bootstrapServers) {
        return new ScorerSettings(bootstrapServers, DEFAULT_SNAPSHOT_TOPIC, DEFAULT_REQUEST_TOPIC, DEFAULT_SCORE_TOPIC,
                null, "certmetric-scorer", null, "127.0.0.1", -1, "exactly_once_v2", 100, Map.of(),
                CertmetricConfig.DEFAULT_SNAPSHOT_MAX_BYTES, ScorerLimits.DEFAULT, null, DEFAULT_REFERENCES_TOPIC);
    }

    public ScorerSettings withTopics(String snapshots, String requests, String scores) {
        return new ScorerSettings(bootstrapServers, snapshots, requests, scores, modelName, applicationId, stateDir,
                httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    public ScorerSettings withModelName(String name) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, name, applicationId, stateDir,
                httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    public ScorerSettings withApplicationId(String id) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, id, stateDir,
                httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    public ScorerSettings withStateDir(Path dir) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId, dir,
                httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    public ScorerSettings withHttp(String host, int port) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, host, port, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    /** Extra client properties for every Kafka client (security.protocol, sasl.*, ...). */
    public ScorerSettings withKafkaProperties(Map<String, String> props) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, processingGuarantee, commitIntervalMs, props, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    /** Largest snapshot record (config key snapshots.max-bytes). */
    public ScorerSettings withSnapshotMaxBytes(int maxBytes) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, maxBytes, limits, trustedKeys, referencesTopic);
    }

    /** Request, id and HTTP bounds (config keys scorer.*). */
    public ScorerSettings withLimits(ScorerLimits l) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes, l, trustedKeys, referencesTopic);
    }

    public ScorerSettings withProcessing(String guarantee, long commitMs) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, guarantee, commitMs, kafkaProperties, snapshotMaxBytes, limits, trustedKeys, referencesTopic);
    }

    /** Serve only snapshots signed by these keys (config key scorer.trusted-keys); null = unsigned are served. */
    public ScorerSettings withTrustedKeys(Path keys) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes,
                limits, keys, referencesTopic);
    }

    /** The catalogue's topic (config key topics.references). */
    public ScorerSettings withReferencesTopic(String topic) {
        return new ScorerSettings(bootstrapServers, snapshotTopic, requestTopic, scoreTopic, modelName, applicationId,
                stateDir, httpHost, httpPort, processingGuarantee, commitIntervalMs, kafkaProperties, snapshotMaxBytes,
                limits, trustedKeys, topic);
    }
}
