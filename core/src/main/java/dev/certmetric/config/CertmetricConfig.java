package dev.certmetric.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.certmetric.drift.DriftDetectors;
import dev.certmetric.memory.ExemplarReservoir;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.RaceSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The job's configuration: immutable, serializable (it travels inside the Flink job graph), loaded
 * from {@code config/certmetric.yaml} (the same file is bundled on the classpath as
 * {@code certmetric.yaml} with the defaults) plus command-line overrides by dotted key.
 *
 * <p>Every key is declared once, in {@link #DEF}, with its type, default, accepted range and doc; the
 * bundled YAML and the reference table in the docs are renderings of that table. Every value is
 * checked; a bad one raises {@link BadInputException} naming its key and the accepted range. Unknown
 * keys are rejected too (a typo would otherwise silently take a default).
 */
public final class CertmetricConfig implements Serializable {
    private static final long serialVersionUID = 2L;
    /** Classpath resource holding the documented defaults. */
    public static final String RESOURCE = "certmetric.yaml";
    /**
     * Default of {@code snapshots.max-bytes}: 64 MiB. A p = 784 snapshot with hundreds of exemplars is
     * about 5 MB, far above Kafka's 1 MB record defaults.
     */
    public static final int DEFAULT_SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

    /** The table of every key. */
    public static final ConfigDef DEF = new ConfigDef();
    private static final LearnerSettings D = LearnerSettings.DEFAULT;

    public static final ConfigKey<String> BOOTSTRAP_SERVERS = DEF.define(ConfigKey.text("kafka.bootstrap-servers",
            "localhost:9092", 10_000, "host:port[,host:port...]", "Kafka bootstrap servers."));
    public static final ConfigDef.Mapping KAFKA_PROPERTIES = DEF.mapping("kafka.properties",
            "Pass-through client properties for every Kafka client of the job (source, sinks, readers), e.g. "
                    + "security.protocol, sasl.*, ssl.*.");
    public static final ConfigKey<String> EVENTS_TOPIC = DEF.define(ConfigKey.topic("topics.events",
            "certmetric.events", "Labelled events (JSON) read by the learner."));
    public static final ConfigKey<String> DEAD_LETTERS_TOPIC = DEF.define(ConfigKey.topic("topics.dead-letters",
            "certmetric.events.dlq", "Dead-letter topic: invalid events with their original bytes and reason headers."));
    public static final ConfigKey<String> SNAPSHOTS_TOPIC = DEF.define(ConfigKey.topic("topics.snapshots",
            "certmetric.snapshots", "Compacted topic of published metric snapshots, key = model name."));
    public static final ConfigKey<String> REFERENCES_TOPIC = DEF.define(ConfigKey.topic("topics.references",
            "certmetric.references", "Compacted topic of the user's catalogue for similarity search: "
                    + "{\"id\", \"label\" (optional), \"features\"} keyed by id; a tombstone deletes an item "
                    + "(docs/SCORER.md, \"Catalogue\")."));
    public static final ConfigKey<String> MODEL_NAME = DEF.define(ConfigKey.text("model.name", "certmetric", 200,
            "a non-blank name", "Model name: the key of every snapshot record; versions increase per name."));
    public static final ConfigKey<Integer> K = DEF.define(ConfigKey.integer("learner.k", D.k(), 1, 50,
            "Target neighbours per anchor, and the k of the k-NN vote unless learner.k-race picks another."));
    public static final ConfigKey<Boolean> K_RACE = DEF.define(ConfigKey.bool("learner.k-race", D.kRace(),
            "Race the k of the k-NN vote on the stream: every odd k up to 15 (and learner.k) votes on each tested "
                    + "event from each tier of the vote's memory, and the (tier, k) with the most hits over about the "
                    + "last 1,000 events (a challenger must lead by 10; copies of the event do not count) makes the "
                    + "prequential prediction, is certified, and gives the k that snapshots carry for scoring; false = "
                    + "learner.k always (the tiers still race). Measured: +1 to +2.3 points of prequential accuracy on "
                    + "waveform, hyperplane, segment and letter (BENCHMARKS.md section 8)."));
    public static final ConfigKey<Integer> IMPOSTORS = DEF.define(ConfigKey.integer("learner.impostors",
            D.impostors(), 1, 200, "Impostors per anchor."));
    public static final ConfigKey<Double> MU = DEF.define(ConfigKey.real("learner.mu", D.mu(), 0, false, 1,
            "Pull weight."));
    public static final ConfigKey<Double> LAMBDA = DEF.define(ConfigKey.real("learner.lambda", D.lambda(), 0, false,
            1e6, "Perturbation-loss weight."));
    public static final ConfigKey<Double> TAU = DEF.define(ConfigKey.real("learner.tau", D.tau(), 0, false, 10,
            "Desired adversarial margin, in the units of the preprocessed inputs (rows about 1 long, learner.rows)."));
    public static final ConfigKey<Integer> RANK = DEF.define(ConfigKey.integer("learner.rank", D.rank(), 0, 65536,
            "Rank q of L (at most p); 0 = automatic: full rank (q = p) up to 64 features, 32 beyond, where full rank "
                    + "costs O(p^2) per target and impostor and O(p^3) per step."));
    public static final ConfigKey<Integer> WINDOW_PER_CLASS = DEF.define(ConfigKey.integer("learner.window.per-class",
            D.windowPerClass(), 2, 100_000, "Most recent events kept per class (more than learner.k)."));
    public static final ConfigKey<Long> WINDOW_MILLIS = DEF.define(ConfigKey.longInteger("learner.window.millis",
            D.windowMillis(), 0, Long.MAX_VALUE, "Event-time bound of the window in ms; 0 = no time bound."));
    public static final ConfigKey<Integer> MEMORY_PER_CLASS = DEF.define(ConfigKey.integer("learner.memory.per-class",
            D.memoryPerClass(), 1, 100_000, "Most recent events per class that the k-NN vote reads (its memory; the "
                    + "window, which feeds the gradient, is shallower). The vote races four depths, a thirtieth, a "
                    + "tenth, three tenths and all of this, together with its k: a shallow memory follows a drifting "
                    + "stream, a deep one wins on a stationary one (README, \"The vote's memory\")."));
    public static final ConfigKey<Integer> MEMORY_BUDGET = DEF.define(ConfigKey.integer("learner.memory.budget",
            D.memoryBudget(), 1, 10_000_000, "Most events the vote's memory keeps over all classes. Every class keeps "
                    + "its newest d events, d as large as this allows (classes with fewer events leave their share to "
                    + "the others) and at most learner.memory.per-class. An event's vote costs one distance pass "
                    + "over the memory, so this bounds it whatever the number of classes. Heap: about this x (3p + 2q) "
                    + "x 8 bytes per learner (p features, q the rank; 3.2 MB at p = q = 16, 97 MB at p = 784, q = 32), "
                    + "and checkpoints carry its raw events (this x p x 8 bytes)."));
    public static final ConfigKey<String> ROWS = DEF.define(ConfigKey.choice("learner.rows", D.rows(),
            RowScaling.NAMES, "How a standardised row is scaled: scaled (divided by the square root of the features, "
                    + "so it keeps its magnitude) or unit-norm (the paper's: divided by its own length, which throws "
                    + "the magnitude away). Either way rows are about 1 long, so radii mean the same. Snapshots "
                    + "carry the choice and the scorer applies it. Neither wins everywhere (prequential, scaled "
                    + "against unit-norm: letter +1.7 points, satellite +1.3, iris +8; ionosphere -4, glass -2.3), "
                    + "hence learner.rows-race."));
    public static final ConfigKey<Integer> ROWS_RACE = DEF.define(ConfigKey.integer("learner.rows-race", 3000, 0,
            1_000_000, "Events for which the other row scaling races learner.rows: both learners test-then-train "
                    + "every event and the more accurate so far predicts and is published; then the loser is "
                    + "dropped and the leader goes on alone. 0 = learner.rows always. Costs a second learner for "
                    + "this many events. At 1,000 the race chose unit-norm on satellite and shuttle, which lose "
                    + "1.3 and 0.5 points to scaled by the end. With learner.race.enabled the other scaling joins "
                    + "that race as its second candidate instead, under that race's budget and score."));
    public static final ConfigKey<Integer> BATCH_SIZE = DEF.define(ConfigKey.integer("learner.batch-size",
            D.batchSize(), 1, 10_000, "Anchors per gradient step."));
    public static final ConfigKey<String> STEP_RULE = DEF.define(ConfigKey.choice("learner.step-rule", D.stepRule(),
            List.of("adam", "adagrad"), "Step rule."));
    public static final ConfigKey<Double> LEARNING_RATE = DEF.define(ConfigKey.real("learner.learning-rate",
            D.learningRate(), 0, true, 10, "Step size of the step rule."));
    public static final ConfigKey<Integer> CERTIFY_EVERY = DEF.define(ConfigKey.integer("learner.certify-every",
            D.certifyEvery(), 0, Integer.MAX_VALUE,
            "Compute the prequential certified radius for one event in this many; 0 = never."));
    public static final ConfigKey<Integer> AVERAGE_STEPS = DEF.define(ConfigKey.integer("learner.average-steps",
            D.averageSteps(), 0, 1_000_000, "Horizon, in gradient steps, of the running average of L that snapshots "
                    + "publish (iterate averaging removes most of the noise of a constant step size); 0 = publish "
                    + "the last iterate."));
    public static final ConfigKey<String> DRIFT_DETECTOR = DEF.define(ConfigKey.choice("learner.drift.detector",
            D.driftDetector(), DriftDetectors.NAMES, "Detector of a rise in the prequential error. On a drift the "
                    + "window keeps about the events since the estimated change and the average restarts."));
    public static final ConfigKey<Double> DRIFT_THRESHOLD = DEF.define(ConfigKey.real("learner.drift.threshold",
            D.driftThreshold(), 0, true, 1e6, "Page-Hinkley alarm threshold; larger = fewer, later alarms."));
    public static final ConfigKey<Double> GUARD_RADIUS = DEF.define(ConfigKey.real("learner.guard.radius",
            D.guardRadius(), 0, false, 10, "Publish the identity (Euclidean) metric instead of the learned one "
                    + "unless the learned one scores more than 0.5% higher on the stream in certified accuracy up to "
                    + "this radius (preprocessed units; the area under the certified-accuracy curve from 0 to R); "
                    + "0 = always publish the learned metric."));
    public static final ConfigKey<Boolean> RACE_ENABLED = DEF.define(ConfigKey.bool("learner.race.enabled", false,
            "Race candidate settings on the stream and publish the leader (see the README's settings race); false "
                    + "= the configured settings alone (learner.rows-race still races the row scaling). Off by default: measured, the race wins clean accuracy but "
                    + "loses certified accuracy (BENCHMARKS.md section 7)."));
    public static final ConfigKey<Integer> RACE_POPULATION = DEF.define(ConfigKey.integer("learner.race.population", 6,
            1, RaceSettings.MAX_POPULATION, "Candidates in the race, the configured settings first."));
    public static final ConfigKey<Integer> RACE_FIRST_BUDGET = DEF.define(ConfigKey.integer(
            "learner.race.first-budget", 300, 1, 1_000_000,
            "Events before the first halving; each later halving comes after twice as many."));
    public static final ConfigKey<Double> RACE_CERTIFIED_WEIGHT = DEF.define(ConfigKey.real(
            "learner.race.certified-weight", 0.5, 0, false, 10,
            "Weight w of certified accuracy in a candidate's score, accuracy + w * certified accuracy."));
    public static final ConfigKey<Double> RACE_CERTIFIED_RADIUS = DEF.define(ConfigKey.real(
            "learner.race.certified-radius", 0.05, 0, false, 10,
            "Radius at which the race counts an event as certified-correct."));
    public static final ConfigKey<Integer> PARALLELISM = DEF.define(ConfigKey.integer("learner.parallelism", 1, 1, 256,
            "Data-parallel learner workers; their models are merged into one lineage."));
    public static final ConfigKey<Integer> MAX_CLASSES = DEF.define(ConfigKey.integer("learner.max-classes", 1000, 0,
            1_000_000, "Most distinct labels (classes) the learner admits; an event with a new label beyond them is "
                    + "dead-lettered (reason too_many_classes), so that a producer sending ever-new labels cannot grow the "
                    + "per-class windows without limit. Decided in one checkpointed place, first come first admitted, "
                    + "whatever the parallelism; 0 = no limit."));
    public static final ConfigKey<Boolean> SYNC_MERGED = DEF.define(ConfigKey.bool("learner.sync-merged", true,
            "With parallelism > 1 in an unbounded job, every worker adopts each committed merged model (read back "
                    + "from the snapshots topic): periodic model averaging."));
    public static final ConfigKey<Boolean> FROM_SCRATCH = DEF.define(ConfigKey.bool("learner.from-scratch", false,
            "On a start without Flink state, learn from scratch instead of seeding the model (metric, preprocessing, "
                    + "counts, exemplars) from the last committed snapshot of this model; versions still continue "
                    + "above the last one. The job's --from-scratch flag sets it."));
    public static final ConfigKey<Long> SNAPSHOT_EVERY_UPDATES = DEF.define(ConfigKey.longInteger(
            "snapshots.every-updates", 0, 0, 1_000_000_000,
            "Every checkpoint publishes a snapshot if anything was learned since the last one, and that is when "
                    + "snapshots become visible to read_committed consumers (the scorer): the last committed snapshot "
                    + "holds every event behind the committed offsets. This adds one after this many gradient updates "
                    + "(summed over workers) in between, which only read_uncommitted consumers see before the "
                    + "checkpoint, at the cost of merging, encoding and shipping worker states; 0 = none."));
    public static final ConfigKey<Long> SNAPSHOT_EVERY_MILLIS = DEF.define(ConfigKey.longInteger(
            "snapshots.every-millis", 0, 0, 86_400_000,
            "... and one after this many ms if anything was learned since the last one; 0 = none (the "
                    + "checkpoint interval, checkpoint.interval-ms, sets how often snapshots are published)."));
    /**
     * Default of {@code snapshots.exemplars-per-class}: every training row of a class of letter (about 540) or
     * segment (230) fits, so the scorer answers as well as 3-NN over all of them (BENCHMARKS.md section 4g).
     */
    public static final int DEFAULT_EXEMPLARS_PER_CLASS = 1000;
    public static final ConfigKey<Integer> EXEMPLARS_PER_CLASS = DEF.define(ConfigKey.integer(
            "snapshots.exemplars-per-class", DEFAULT_EXEMPLARS_PER_CLASS, 1, ExemplarReservoir.MAX_CAPACITY,
            "Exemplars per class carried by each snapshot, preprocessed, distinct: the window's entries, newest "
                    + "first, then a uniform sample of the class's distinct rows since the last drift. Above "
                    + "learner.window.per-class, every worker keeps that sample (the rows of smallest hash, this many "
                    + "per class, O(p) per event, in its checkpointed state) for snapshots only: training reads the "
                    + "window alone. The default holds every training row of the demo's sets, whose classes exceed "
                    + "the window on segment and letter; at the window (100) the scorer lost 8 of 693 held-out rows "
                    + "on segment and 292 of 6,000 on letter against Euclidean 3-NN (BENCHMARKS.md sections 4d, "
                    + "4g). Costs grow linearly with the exemplars: the snapshot's size (p numbers each) and the "
                    + "publisher's margin and calibration statistics, which measure at most 512 exemplars against all. "
                    + "Fewer are published where their features would take more than half of snapshots.max-bytes "
                    + "(about 10.7 bytes a feature), never fewer than the window's."));
    public static final ConfigKey<String> SIGNING_KEY = DEF.define(ConfigKey.optionalPath("snapshots.signing-key",
            "Ed25519 private key file (`certmetric keygen` writes one) the learner signs every snapshot with, in "
                    + "record headers; empty = snapshots are not signed."));
    public static final ConfigKey<Integer> SNAPSHOT_MAX_BYTES = DEF.define(ConfigKey.integer("snapshots.max-bytes",
            DEFAULT_SNAPSHOT_MAX_BYTES, 1024 * 1024, 1024 * 1024 * 1024, "Largest snapshot record in bytes: the "
                    + "snapshot topic's max.message.bytes (when certmetric creates it), the snapshot producer's "
                    + "max.request.size (records are also zstd-compressed) and the snapshot consumers' fetch sizes. "
                    + "A p=784 snapshot with 500 exemplars is about 5 MB; Kafka's defaults allow 1 MB. An "
                    + "existing topic keeps its own max.message.bytes."));
    /** The accepted range of {@code checkpoint.interval-ms}, for commands that set it under another name. */
    public static final long MIN_CHECKPOINT_INTERVAL_MS = 100;
    public static final long MAX_CHECKPOINT_INTERVAL_MS = 3_600_000;
    public static final ConfigKey<Long> CHECKPOINT_INTERVAL_MS = DEF.define(ConfigKey.longInteger(
            "checkpoint.interval-ms", 1000, MIN_CHECKPOINT_INTERVAL_MS, MAX_CHECKPOINT_INTERVAL_MS, "Flink checkpoint interval in ms. Snapshots become "
                    + "visible to read_committed consumers when the checkpoint after their publication completes."));
    public static final ConfigKey<Integer> EVENTS_DIMENSION = DEF.define(ConfigKey.integer("events.dimension", 0, 0,
            65536, "Feature count every event must have; 0 = fixed by the first valid event. Events of another "
                    + "dimension go to the dead-letter topic."));
    public static final ConfigKey<Integer> EVENTS_MAX_BYTES = DEF.define(ConfigKey.integer("events.max-bytes", 65536,
            64, 10 * 1024 * 1024, "Largest accepted event record value in bytes; larger ones go to the dead-letter "
                    + "topic."));
    public static final ConfigKey<Integer> EVENTS_MAX_ID_CHARS = DEF.define(ConfigKey.integer("events.max-id-chars",
            256, 1, 65536, "Longest accepted event id in Unicode code points; longer: dead letter id_too_long."));
    public static final ConfigKey<Integer> EVENTS_MAX_LABEL_CHARS = DEF.define(ConfigKey.integer(
            "events.max-label-chars", 256, 1, 4096, "Longest accepted label in Unicode code points; longer: dead "
                    + "letter label_too_long. Labels must also be non-blank and free of control characters."));
    // Far below Kafka's 1 MB defaults, so a dead letter (value, 1 KiB of key, headers) always fits.
    public static final ConfigKey<Integer> DLQ_MAX_BYTES = DEF.define(ConfigKey.integer("dlq.max-bytes", 65536, 1024,
            512 * 1024, "Dead-letter record values are cut to this many bytes; the original size goes in the header "
                    + "certmetric.dlq.original-bytes. Keeps every dead letter under Kafka's 1 MB record defaults, "
                    + "however large the rejected record was."));
    public static final ConfigKey<Integer> METRICS_PORT = DEF.define(ConfigKey.integer("metrics.port", 9249, 0, 65535,
            "Port of the CLI's Prometheus /metrics endpoint on 127.0.0.1 (learn, demo: the learner's Flink "
                    + "metrics under the names of Flink's Prometheus reporter); 0 = off. A learner job on a cluster "
                    + "exposes its metrics through the cluster's Flink reporter instead."));

    public static final ConfigKey<String> TRUSTED_KEYS = DEF.define(ConfigKey.optionalPath("scorer.trusted-keys",
            "A directory of Ed25519 public keys (.pub files) or one such file: the scorer then serves only snapshots "
                    + "signed by one of them, re-reading the directory when it changes (key rotation); empty = "
                    + "unsigned snapshots are served, and the scorer warns at start."));
    public static final ConfigKey<Integer> SCORER_MAX_ID_CHARS = DEF.define(ConfigKey.integer("scorer.max-id-chars",
            256, 1, 65536, "Longest request id in Unicode code points; a longer one gets an error answer with the id "
                    + "cut to this length."));
    // k nearest items, each with an id and a label of up to scorer.max-id-chars, must fit a 64 KiB answer.
    public static final ConfigKey<Integer> SCORER_MAX_SEARCH_K = DEF.define(ConfigKey.integer("scorer.max-search-k",
            100, 1, 1000, "Largest k of a catalogue search request (\"search\": true); a larger one gets an error "
                    + "answer. A request without \"k\" asks for min(10, this)."));
    // Held requests go to a changelog topic with the broker's default 1 MB record limit.
    public static final ConfigKey<Integer> SCORER_MAX_REQUEST_BYTES = DEF.define(ConfigKey.integer(
            "scorer.max-request-bytes", 524288, 1024, 960 * 1024, "Largest request in bytes (Kafka record value or "
                    + "HTTP body); larger ones get an error answer (HTTP 413). At most 960 KiB: requests held while no "
                    + "model is loaded go to a changelog topic with the broker's default 1 MB record limit."));
    public static final ConfigKey<Integer> SCORER_HTTP_THREADS = DEF.define(ConfigKey.integer("scorer.http.threads", 0,
            0, 1024, "HTTP handler threads; 0 = two per available processor."));
    public static final ConfigKey<Integer> SCORER_HTTP_MAX_CONNECTIONS = DEF.define(ConfigKey.integer(
            "scorer.http.max-connections", 256, 1, 100_000,
            "Open HTTP connections at most; beyond, new connections wait in the accept backlog."));
    public static final ConfigKey<Integer> SCORER_HTTP_IDLE_TIMEOUT_MS = DEF.define(ConfigKey.integer(
            "scorer.http.idle-timeout-ms", 5000, 100, 600_000, "A connection idle this long, or a request stalled "
                    + "this long (e.g. half a header), is closed, in ms. Stalled reads never hold a handler thread."));

    /** Header of the rendered YAML. */
    static final String YAML_HEADER = """
            certmetric configuration. Every key is optional: a missing key takes the default shown here.
            Load with `--config FILE`; single keys can be overridden on the command line with
            `--set key=value` (dotted key as below, e.g. --set learner.parallelism=2).
            A bad value is rejected with the key's name and its accepted range.
            This file is generated from the key table (CertmetricConfig.DEF); a test keeps them equal.""";

    private final Map<String, Serializable> values;
    private final TreeMap<String, String> kafkaProperties;

    private CertmetricConfig(Map<String, String> raw, Map<String, String> props) {
        Map<String, Serializable> typed = new LinkedHashMap<>();
        for (ConfigKey<?> key : DEF.keys().values()) {
            typed.put(key.name(), key.value(raw.get(key.name())));
        }
        this.values = Collections.unmodifiableMap(typed);
        this.kafkaProperties = new TreeMap<>(props);
        if (windowPerClass() <= k()) {
            throw new BadInputException("config key learner.window.per-class = '" + windowPerClass()
                    + "' is invalid; accepted: more than learner.k = " + k());
        }
        raceSettings(); // the core settings' own cross-field checks
    }

    /** The typed value of a key. */
    @SuppressWarnings("unchecked")
    public <T extends Serializable> T get(ConfigKey<T> key) {
        return (T) values.get(key.name());
    }

    /** The defaults (those of the bundled certmetric.yaml). */
    public static CertmetricConfig defaults() {
        return builder().build();
    }

    /** Loads {@code file} (null = the bundled certmetric.yaml, if on the classpath) and applies the dotted-key overrides. */
    public static CertmetricConfig load(Path file, Map<String, String> overrides) {
        Builder b = builder();
        if (file == null) {
            try (InputStream in = CertmetricConfig.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    b.yaml(in, "classpath:" + RESOURCE);
                }
            } catch (IOException e) {
                throw new BadInputException("cannot read the bundled " + RESOURCE + ": " + e.getMessage(), e);
            }
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                b.yaml(in, file.toString());
            } catch (NoSuchFileException e) {
                throw new BadInputException("config file not found: " + file);
            } catch (IOException e) {
                throw new BadInputException("cannot read config file " + file + ": " + e.getMessage(), e);
            }
        }
        overrides.forEach(b::set);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(flatten());
        b.properties.putAll(kafkaProperties);
        return b;
    }

    /** Collects values by dotted key; {@link #build()} validates. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>(defaultValues());
        private final Map<String, String> properties = new TreeMap<>();

        private Builder() {
        }

        /** Sets one key (as in the YAML file, dotted); {@code kafka.properties.X} sets client property X. */
        public Builder set(String key, String value) {
            String prefix = KAFKA_PROPERTIES.name() + ".";
            if (key.startsWith(prefix)) {
                String prop = key.substring(prefix.length());
                if (prop.isBlank()) {
                    throw new BadInputException("config key " + key + ": empty Kafka property name");
                }
                properties.put(prop, value);
                return this;
            }
            if (!values.containsKey(key)) {
                throw new BadInputException("unknown config key '" + key + "'; known keys: "
                        + String.join(", ", DEF.keys().keySet()) + ", kafka.properties.*");
            }
            if (value == null) {
                throw new BadInputException("config key " + key + " has no value");
            }
            values.put(key, value);
            return this;
        }

        /** Overlays a YAML document. */
        public Builder yaml(InputStream in, String source) {
            JsonNode root;
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(in);
            } catch (IOException e) {
                throw new BadInputException("config " + source + " is not valid YAML: "
                        + e.getMessage().lines().findFirst().orElse(""), e);
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                return this;
            }
            if (!root.isObject()) {
                throw new BadInputException("config " + source + ": the document must be a mapping of keys");
            }
            walk(root, "");
            return this;
        }

        private void walk(JsonNode node, String prefix) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                JsonNode v = e.getValue();
                if (key.equals(KAFKA_PROPERTIES.name())) {
                    if (v.isNull()) {
                        continue;
                    }
                    if (!v.isObject()) {
                        throw new BadInputException("config key kafka.properties must be a mapping of client properties");
                    }
                    flattenProperties(v, "");
                } else if (v.isObject()) {
                    walk(v, key);
                } else if (v.isValueNode() && !v.isNull()) {
                    set(key, v.asText());
                } else if (v.isNull()) {
                    // "key:" with no value keeps the default
                    if (!values.containsKey(key)) {
                        set(key, null);
                    }
                } else {
                    throw new BadInputException("config key " + key + " must be a single value");
                }
            }
        }

        private void flattenProperties(JsonNode node, String prefix) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue().isObject()) {
                    flattenProperties(e.getValue(), key);
                } else {
                    properties.put(key, e.getValue().asText());
                }
            }
        }

        public CertmetricConfig build() {
            return new CertmetricConfig(values, properties);
        }
    }

    /** Every key's default, rendered, in table order. */
    public static Map<String, String> defaultValues() {
        return rendered(ConfigKey::defaultValue);
    }

    /** Every scalar key's value, dotted, in table order. */
    public Map<String, String> flatten() {
        return rendered(key -> values.get(key.name()));
    }

    private static Map<String, String> rendered(Function<ConfigKey<?>, Object> value) {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConfigKey<?> key : DEF.keys().values()) {
            m.put(key.name(), render(key, value.apply(key)));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Serializable> String render(ConfigKey<T> key, Object value) {
        return key.render((T) value);
    }

    /** All known scalar keys. */
    public static List<String> keys() {
        return List.copyOf(DEF.keys().keySet());
    }

    /** The bundled YAML's text, rendered from the key table. */
    public static String defaultYaml() {
        return DEF.yaml(YAML_HEADER);
    }

    // ---- typed accessors

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    /** Pass-through Kafka client properties (a copy). */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    public Map<String, String> kafkaPropertyMap() {
        return Collections.unmodifiableMap(kafkaProperties);
    }

    public String eventsTopic() {
        return get(EVENTS_TOPIC);
    }

    public String deadLettersTopic() {
        return get(DEAD_LETTERS_TOPIC);
    }

    public String snapshotsTopic() {
        return get(SNAPSHOTS_TOPIC);
    }

    public String referencesTopic() {
        return get(REFERENCES_TOPIC);
    }

    public String modelName() {
        return get(MODEL_NAME);
    }

    private int k() {
        return get(K);
    }

    private int windowPerClass() {
        return get(WINDOW_PER_CLASS);
    }

    /** The core learner's settings (built on each call: the record is not serializable). */
    public LearnerSettings learnerSettings() {
        try {
            return new LearnerSettings(get(K), get(IMPOSTORS), get(MU), get(LAMBDA), get(TAU), get(RANK),
                    get(WINDOW_PER_CLASS), get(WINDOW_MILLIS), get(BATCH_SIZE), get(STEP_RULE), get(LEARNING_RATE),
                    get(CERTIFY_EVERY), get(AVERAGE_STEPS), get(DRIFT_DETECTOR), get(DRIFT_THRESHOLD),
                    get(GUARD_RADIUS), get(K_RACE), get(MEMORY_PER_CLASS), get(MEMORY_BUDGET), get(ROWS));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("learner." + e.getMessage(), e);
        }
    }

    /**
     * The learner's settings by their config keys ({@code learner.k}, ...), typed (numbers stay numbers), in
     * table order: how reports name the settings a learner ran with.
     */
    public static Map<String, Object> learnerKeys(LearnerSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(K.name(), s.k());
        m.put(K_RACE.name(), s.kRace());
        m.put(IMPOSTORS.name(), s.impostors());
        m.put(MU.name(), s.mu());
        m.put(LAMBDA.name(), s.lambda());
        m.put(TAU.name(), s.tau());
        m.put(RANK.name(), s.rank());
        m.put(WINDOW_PER_CLASS.name(), s.windowPerClass());
        m.put(WINDOW_MILLIS.name(), s.windowMillis());
        m.put(MEMORY_PER_CLASS.name(), s.memoryPerClass());
        m.put(MEMORY_BUDGET.name(), s.memoryBudget());
        m.put(ROWS.name(), s.rows());
        m.put(BATCH_SIZE.name(), s.batchSize());
        m.put(STEP_RULE.name(), s.stepRule());
        m.put(LEARNING_RATE.name(), s.learningRate());
        m.put(CERTIFY_EVERY.name(), s.certifyEvery());
        m.put(AVERAGE_STEPS.name(), s.averageSteps());
        m.put(DRIFT_DETECTOR.name(), s.driftDetector());
        m.put(DRIFT_THRESHOLD.name(), s.driftThreshold());
        m.put(GUARD_RADIUS.name(), s.guardRadius());
        return m;
    }

    /**
     * What the learner races (the one place a learner is made from config: the job's workers,
     * {@code evaluate}'s sgd-pl, {@code prequential}): {@code new SettingsRace(config.raceSettings(), p)}.
     * With {@code learner.race.enabled} false, the configured settings alone.
     */
    public RaceSettings raceSettings() {
        LearnerSettings configured = learnerSettings();
        try {
            RaceSettings race = get(RACE_ENABLED) ? RaceSettings.around(configured, get(RACE_POPULATION),
                    get(RACE_FIRST_BUDGET), get(RACE_CERTIFIED_WEIGHT), get(RACE_CERTIFIED_RADIUS))
                    : RaceSettings.off(configured);
            return get(ROWS_RACE) > 0 ? race.withRowsRace(get(ROWS_RACE)) : race;
        } catch (IllegalArgumentException e) {
            throw new BadInputException("learner." + e.getMessage(), e);
        }
    }

    public int parallelism() {
        return get(PARALLELISM);
    }

    public int maxClasses() {
        return get(MAX_CLASSES);
    }

    /** On a start without state: learn from scratch instead of seeding from the last committed snapshot. */
    public boolean fromScratch() {
        return get(FROM_SCRATCH);
    }

    /** With parallelism > 1 in an unbounded job: workers adopt every committed merged model. */
    public boolean syncMergedModel() {
        return get(SYNC_MERGED);
    }

    public long snapshotEveryUpdates() {
        return get(SNAPSHOT_EVERY_UPDATES);
    }

    public long snapshotEveryMillis() {
        return get(SNAPSHOT_EVERY_MILLIS);
    }

    public int exemplarsPerClass() {
        return get(EXEMPLARS_PER_CLASS);
    }

    /** Events per class a worker's exemplar memory keeps: the exemplars beyond the window's, else none. */
    public int exemplarMemoryPerClass() {
        return exemplarsPerClass() > windowPerClass() ? exemplarsPerClass() : 0;
    }

    /**
     * Largest snapshot record in bytes: the snapshot topic's {@code max.message.bytes} (when the job
     * creates it), the snapshot sink's {@code max.request.size} and the snapshot consumers' fetch sizes.
     */
    /** The signing key file, or null when snapshots are not signed. */
    public Path signingKey() {
        String path = get(SIGNING_KEY);
        return path.isEmpty() ? null : Path.of(path);
    }

    /** The trusted public keys' directory or file, or null when unsigned snapshots are served. */
    public Path trustedKeys() {
        String path = get(TRUSTED_KEYS);
        return path.isEmpty() ? null : Path.of(path);
    }

    public int snapshotMaxBytes() {
        return get(SNAPSHOT_MAX_BYTES);
    }

    public long checkpointIntervalMs() {
        return get(CHECKPOINT_INTERVAL_MS);
    }

    /** Required feature count; 0 = fixed by the first valid event. */
    public int eventsDimension() {
        return get(EVENTS_DIMENSION);
    }

    public int eventsMaxBytes() {
        return get(EVENTS_MAX_BYTES);
    }

    public int metricsPort() {
        return get(METRICS_PORT);
    }

    /** Longest accepted event id, in Unicode code points. */
    public int eventsMaxIdChars() {
        return get(EVENTS_MAX_ID_CHARS);
    }

    /** Longest accepted label, in Unicode code points. */
    public int eventsMaxLabelChars() {
        return get(EVENTS_MAX_LABEL_CHARS);
    }

    /** Dead-letter values are cut to this many bytes (the original size goes in a header). */
    public int dlqMaxBytes() {
        return get(DLQ_MAX_BYTES);
    }

    /** Longest scoring request id, in Unicode code points; longer ones get an error answer. */
    public int scorerMaxIdChars() {
        return get(SCORER_MAX_ID_CHARS);
    }

    /** Largest k of a catalogue search request. */
    public int scorerMaxSearchK() {
        return get(SCORER_MAX_SEARCH_K);
    }

    /** Largest scoring request (Kafka record value or HTTP body) in bytes. */
    public int scorerMaxRequestBytes() {
        return get(SCORER_MAX_REQUEST_BYTES);
    }

    /** HTTP handler threads; 0 = two per available processor. */
    public int scorerHttpThreads() {
        return get(SCORER_HTTP_THREADS);
    }

    public int scorerHttpMaxConnections() {
        return get(SCORER_HTTP_MAX_CONNECTIONS);
    }

    /** An HTTP connection idle (or a request stalled) this long is closed. */
    public int scorerHttpIdleTimeoutMs() {
        return get(SCORER_HTTP_IDLE_TIMEOUT_MS);
    }

    @Override
    public String toString() {
        return "CertmetricConfig" + flatten() + (kafkaProperties.isEmpty() ? "" : " kafka.properties=" + kafkaProperties.keySet());
    }
}
