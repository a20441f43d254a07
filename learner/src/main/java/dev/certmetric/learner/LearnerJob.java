package dev.certmetric.learner;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.signing.Keys;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The learner job's DataStream topology:
 *
 * <pre>
 * KafkaSource(events, raw records) -> decode --invalid--> KafkaSink(dead letters, exactly once)
 *                                        | valid                          ^
 *                                        v                                | a label beyond learner.max-classes
 *                                   class limit (1, admitted labels) -----+
 *                                        | admitted
 *                                        v  (P > 1: rebalance; without a class limit, forward if the partitions spread evenly)
 *                           learner workers (P, operator state) <--- merged model (P > 1: KafkaSource
 *                                        |  model states              on the snapshots topic, broadcast)
 *                                        v
 *                           snapshot publisher (1, versions) -> KafkaSink(snapshots, exactly once)
 * </pre>
 *
 * Submit unchanged to a cluster with
 * {@code flink run -c dev.certmetric.learner.LearnerJob target/certmetric.jar --config FILE [--set key=value]...}.
 */
public final class LearnerJob {
    /** Kafka's broker-side maximum is 15 min; the sink's default (1 h) would be rejected. */
    static final String TRANSACTION_TIMEOUT_MS = "600000";

    /**
     * The job jar leaves out kafka-clients' shaded protobuf and OpenTelemetry classes (2.5 MB of a
     * 16.5 MB jar), which only serialize pushed client metrics (KIP-714); with the push off no client
     * loads them, whatever the broker offers. Set after the pass-through properties, so it always holds.
     */
    static final Map<String, String> NO_TELEMETRY = Map.of("enable.metrics.push", "false");

    private LearnerJob() {
    }

    public static String jobName(CertmetricConfig config) {
        return "certmetric-learner[" + config.modelName() + "]";
    }

    public static String groupId(CertmetricConfig config) {
        return "certmetric-learner-" + config.modelName();
    }

    /**
     * Job-level Flink settings: exactly-once aligned checkpoints retained on cancellation (so a cancelled or
     * failed job can be resumed from its last checkpoint), no Kryo fallback. No restart strategy: a job
     * setting would override the cluster's, so the job takes whatever the cluster configures (the README
     * recommends exponential-delay with unbounded attempts); {@link #localConfiguration} adds one for the
     * in-process MiniCluster.
     */
    public static Configuration flinkConfiguration(CertmetricConfig config) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(config.checkpointIntervalMs()));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        // Aligned barriers (also over a cluster's default): the workers' last updates before a barrier must
        // reach the publisher before its snapshot of that checkpoint, not be stored as in-flight data.
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on by reference instead of a serializer copy: every operator
        // of the job emits fresh objects and keeps none of its inputs (the learner clones the features).
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return conf;
    }

    /**
     * {@link #flinkConfiguration} plus the restart strategy of the in-process MiniCluster, where a failed
     * task is redeployed at once (no TaskManager heartbeat to wait for): exponential delay from 100 ms,
     * unbounded attempts, as recommended for clusters.
     */
    public static Configuration localConfiguration(CertmetricConfig config) {
        Configuration conf = flinkConfiguration(config);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(100));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        return conf;
    }

    /**
     * Adds the topology to {@code env}. With a {@code range} the source is bounded to it and the job
     * finishes (after a final checkpoint that commits the last snapshot); without, it runs forever.
     */
    public static void build(StreamExecutionEnvironment env, CertmetricConfig config, EventRange range) {
        int p = config.parallelism();
        env.enableCheckpointing(config.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        Properties kafka = clientProperties(config);

        KafkaSourceBuilder<RawEvent> sourceBuilder = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setProperties(kafka)
                .setTopics(config.eventsTopic())
                .setGroupId(groupId(config))
                .setDeserializer(new RawEventDeserializer());
        if (range != null) {
            sourceBuilder.setStartingOffsets(OffsetsInitializer.offsets(range.start(), OffsetResetStrategy.EARLIEST))
                    .setBounded(OffsetsInitializer.offsets(range.stop()));
        } else {
            sourceBuilder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        DataStream<RawEvent> raw = env.fromSource(sourceBuilder.build(), WatermarkStrategy.noWatermarks(), "events")
                .uid("events-source").setParallelism(p);

        SingleOutputStreamOperator<TrainingEvent> decoded = raw
                .process(new DecodeFunction(config),
                        TrainingEvent.TYPE)
                .name("decode").uid("decode").setParallelism(p);
        DataStream<RejectedRecord> rejected = decoded.getSideOutput(DecodeFunction.REJECTED);
        DataStream<TrainingEvent> valid = decoded;
        // The class limit sees every label, so it runs once (parallelism 1: chained at P = 1, a funnel at P > 1,
        // whose output must then be spread to the workers)
        boolean classLimit = config.maxClasses() > 0;
        if (classLimit) {
            SingleOutputStreamOperator<TrainingEvent> admitted = decoded
                    .process(new ClassLimitFunction(config), TrainingEvent.TYPE)
                    .name("class-limit").uid("class-limit").setParallelism(1);
            rejected = rejected.union(admitted.getSideOutput(ClassLimitFunction.REJECTED));
            valid = admitted;
        }

        rejected
                .sinkTo(KafkaSink.<RejectedRecord>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setKafkaProducerConfig(kafka)
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix(config, "dlq"))
                        .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                        .setRecordSerializer(new DeadLetterSerializer(config.deadLettersTopic(), config.dlqMaxBytes()))
                        .build())
                .name("dead-letters").uid("dead-letters-sink").setParallelism(p);

        DataStream<WorkerUpdate> updates;
        if (p == 1 || range != null || !config.syncMergedModel()) {
            // One lineage per worker, merged at publication. (A bounded job cannot read the merged model
            // back: an unbounded Kafka source would keep it from ever finishing.)
            // Forward (chained: no serialization, no network buffers) when every source subtask owns the
            // same number of partitions; else rebalance so that no worker idles.
            DataStream<TrainingEvent> toLearners = p > 1 && (classLimit || !partitionsSpreadEvenly(config))
                    ? valid.rebalance() : valid;
            updates = toLearners.transform("learner", WorkerUpdate.TYPE, new LearnerWorkerOperator(config))
                    .uid("learner").setParallelism(p);
        } else {
            // The merged model comes back from the snapshots topic (committed snapshots only) to every worker.
            KafkaSource<ModelSync> merged = KafkaSource.<ModelSync>builder()
                    .setBootstrapServers(config.bootstrapServers())
                    .setProperties(kafka)
                    .setProperty("isolation.level", "read_committed")
                    .setProperties(asProperties(KafkaClientProperties.snapshotConsumer(config.snapshotMaxBytes())))
                    .setTopics(config.snapshotsTopic())
                    .setGroupId(groupId(config) + "-sync")
                    .setStartingOffsets(OffsetsInitializer.latest())
                    .setDeserializer(new ModelSyncDeserializer(config.modelName(), signingKey(config)))
                    .build();
            DataStream<ModelSync> sync = env.fromSource(merged, WatermarkStrategy.noWatermarks(), "merged-model")
                    .uid("merged-model-source").setParallelism(1);
            updates = valid.rebalance().connect(sync.broadcast())
                    .transform("learner", WorkerUpdate.TYPE, new SyncedLearnerWorkerOperator(config))
                    .uid("learner").setParallelism(p);
        }

        // A chain of its own, also at P = 1: merging and encoding a snapshot then run beside the learner rather than
        // between its events. No explicit max parallelism: a fixed value would stop a savepoint taken at P = 1 from
        // resuming at P > 1.
        updates.transform("snapshot-publisher", SnapshotRecord.TYPE, new SnapshotPublisherOperator(config))
                .uid("snapshot-publisher").setParallelism(1).startNewChain()
                .sinkTo(KafkaSink.<SnapshotRecord>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setKafkaProducerConfig(kafka)
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix(config, "snapshots"))
                        .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                        .setKafkaProducerConfig(snapshotProducerConfig(config))
                        .setRecordSerializer(new SnapshotSerializer(config.snapshotsTopic(), signingKey(config)))
                        .build())
                .name("snapshots").uid("snapshots-sink").setParallelism(1);
    }

    /** The signing key file, checked here so that a bad one fails the submission, not the running sink. */
    static Path signingKey(CertmetricConfig config) {
        Path file = config.signingKey();
        if (file != null) {
            try {
                Keys.readSigningKey(file);
            } catch (IOException e) {
                throw new BadInputException("config key snapshots.signing-key = '" + file + "' is invalid: "
                        + e.getMessage() + "; accepted: an Ed25519 private key file as `certmetric keygen` writes");
            }
        }
        return file;
    }

    /**
     * True if the events topic has a positive multiple of {@code learner.parallelism} partitions, so
     * that the Kafka source's subtasks own equal shares and each can feed its own learner directly.
     * False when that cannot be checked (no broker yet, no permission): the job then rebalances.
     */
    static boolean partitionsSpreadEvenly(CertmetricConfig config) {
        int p = config.parallelism();
        Properties props = clientProperties(config);
        props.put("bootstrap.servers", config.bootstrapServers());
        props.put("request.timeout.ms", "10000");
        props.put("default.api.timeout.ms", "10000");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            int n = admin.describeTopics(java.util.List.of(config.eventsTopic())).allTopicNames()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).get(config.eventsTopic()).partitions().size();
            return n >= p && n % p == 0;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            org.slf4j.LoggerFactory.getLogger(LearnerJob.class).info(
                    "cannot count the partitions of {} ({}); rebalancing events to the learners",
                    config.eventsTopic(), e.toString());
            return false;
        }
    }

    /**
     * The pass-through client properties ({@code kafka.*}) with client telemetry push off
     * ({@link #NO_TELEMETRY}), for every Kafka client of the job.
     */
    static Properties clientProperties(CertmetricConfig config) {
        Properties p = config.kafkaProperties();
        p.putAll(NO_TELEMETRY);
        return p;
    }

    /**
     * The snapshot sink's producer: the pass-through client properties, then records up to
     * {@code snapshots.max-bytes} ({@code max.request.size}, {@code buffer.memory}) and zstd compression.
     */
    static Properties snapshotProducerConfig(CertmetricConfig config) {
        Properties p = clientProperties(config);
        p.putAll(KafkaClientProperties.snapshotProducer(config.snapshotMaxBytes()));
        return p;
    }

    private static Properties asProperties(Map<String, String> m) {
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }

    /** Unique per model (one lineage per model name and cluster) and per sink. */
    static String transactionalIdPrefix(CertmetricConfig config, String sink) {
        return "certmetric-" + config.modelName() + "-" + sink;
    }

    /**
     * {@code --config FILE} (optional), {@code --set key=value} (repeatable), {@code --bootstrap
     * HOST:PORT} and {@code --parallelism P} as shorthands; {@code --from-scratch} (no value) sets
     * {@code learner.from-scratch}.
     */
    public static CertmetricConfig parseArgs(String[] args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--from-scratch")) {
                overrides.put(CertmetricConfig.FROM_SCRATCH.name(), "true");
                continue;
            }
            if (i + 1 >= args.length) {
                throw new BadInputException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--config" -> file = Path.of(v);
                case "--bootstrap" -> overrides.put("kafka.bootstrap-servers", v);
                case "--parallelism" -> overrides.put("learner.parallelism", v);
                case "--set" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new BadInputException("--set needs key=value, got '" + v + "'");
                    }
                    overrides.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new BadInputException("unknown option " + a
                        + " (accepted: --config FILE, --set key=value, --bootstrap HOST:PORT, --parallelism P, --from-scratch)");
            }
        }
        return CertmetricConfig.load(file, overrides);
    }

    public static void main(String[] args) throws Exception {
        CertmetricConfig config = parseArgs(args);
        try {
            TopicSetup.ensureOutputTopics(config);
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(LearnerJob.class).warn(
                    "cannot check or create the output topics ({}); create {} (compacted) and {} yourself",
                    e.toString(), config.snapshotsTopic(), config.deadLettersTopic());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        build(env, config, null);
        env.execute(jobName(config));
    }
}
