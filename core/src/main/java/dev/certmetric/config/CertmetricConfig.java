package dev.certmetric.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.certmetric.config.BadInputException;
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
import java.util.regex.Pattern;

/**
 * The job's configuration: immutable, serializable (it travels inside the Flink job graph), loaded
 * from {@code config/certmetric.yaml} (the same file is bundled on the classpath as
 * {@code certmetric.yaml} with the defaults) plus command-line overrides by dotted key.
 *
 * <p>Every value is checked; a bad one raises {@link BadInputException} naming its key and the
 * accepted range. Unknown keys are rejected too (a typo would otherwise silently take a default).
 */
public final class CertmetricConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Classpath resource holding the documented defaults. */
    public static final String RESOURCE = "certmetric.yaml";
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String KAFKA_PROPERTIES = "kafka.properties";

    /** Every scalar key with its default (the documented values of config/certmetric.yaml). */
    static final Map<String, String> DEFAULTS;
    /**
     * Default of {@code snapshots.max-bytes}: 64 MiB. A p = 784 snapshot with hundreds of exemplars is
     * about 9 MB of JSON, far above Kafka's 1 MB record defaults.
     */
    public static final int DEFAULT_SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;

    static {
        LearnerSettings d = LearnerSettings.DEFAULT;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.bootstrap-servers", "localhost:9092");
        m.put("topics.events", "certmetric.events");
        m.put("topics.dead-letters", "certmetric.events.dlq");
        m.put("topics.snapshots", "certmetric.snapshots");
        m.put("model.name", "certmetric");
        m.put("learner.k", String.valueOf(d.k()));
        m.put("learner.impostors", String.valueOf(d.impostors()));
        m.put("learner.mu", String.valueOf(d.mu()));
        m.put("learner.lambda", String.valueOf(d.lambda()));
        m.put("learner.tau", String.valueOf(d.tau()));
        m.put("learner.rank", String.valueOf(d.rank()));
        m.put("learner.window.per-class", String.valueOf(d.windowPerClass()));
        m.put("learner.window.millis", String.valueOf(d.windowMillis()));
        m.put("learner.batch-size", String.valueOf(d.batchSize()));
        m.put("learner.step-rule", d.stepRule());
        m.put("learner.learning-rate", String.valueOf(d.learningRate()));
        m.put("learner.certify-every", String.valueOf(d.certifyEvery()));
        m.put("learner.race.enabled", "true");
        m.put("learner.race.population", "6");
        m.put("learner.race.first-budget", "300");
        m.put("learner.race.certified-weight", "0.5");
        m.put("learner.race.certified-radius", "0.05");
        m.put("learner.parallelism", "1");
        m.put("learner.sync-merged", "true");
        m.put("snapshots.every-updates", "50");
        m.put("snapshots.every-millis", "1000");
        m.put("snapshots.exemplars-per-class", "50");
        m.put("snapshots.max-bytes", String.valueOf(DEFAULT_SNAPSHOT_MAX_BYTES));
        m.put("checkpoint.interval-ms", "1000");
        m.put("events.dimension", "0");
        m.put("events.max-bytes", "65536");
        m.put("metrics.port", "9249");
        DEFAULTS = Collections.unmodifiableMap(m);
    }

    private final String bootstrapServers;
    private final TreeMap<String, String> kafkaProperties;
    private final String eventsTopic;
    private final String deadLettersTopic;
    private final String snapshotsTopic;
    private final String modelName;
    // LearnerSettings fields (the record is not Serializable; see learnerSettings()).
    private final int k;
    private final int impostors;
    private final double mu;
    private final double lambda;
    private final double tau;
    private final int rank;
    private final int windowPerClass;
    private final long windowMillis;
    private final int batchSize;
    private final String stepRule;
    private final double learningRate;
    private final int certifyEvery;
    private final boolean raceEnabled;
    private final int racePopulation;
    private final int raceFirstBudget;
    private final double raceCertifiedWeight;
    private final double raceCertifiedRadius;
    private final int parallelism;
    private final boolean syncMerged;
    private final long snapshotEveryUpdates;
    private final long snapshotEveryMillis;
    private final int exemplarsPerClass;
    private final int snapshotMaxBytes;
    private final long checkpointIntervalMs;
    private final int eventsDimension;
    private final int eventsMaxBytes;
    private final int metricsPort;
    /** Test hook: the learner throws once after this many events in this JVM (0 = never). */
    private final long failAfterEvents;

    private CertmetricConfig(Map<String, String> v, Map<String, String> props, long failAfterEvents) {
        this.bootstrapServers = nonBlank(v, "kafka.bootstrap-servers", "host:port[,host:port...]");
        this.kafkaProperties = new TreeMap<>(props);
        this.eventsTopic = topic(v, "topics.events");
        this.deadLettersTopic = topic(v, "topics.dead-letters");
        this.snapshotsTopic = topic(v, "topics.snapshots");
        String name = nonBlank(v, "model.name", "a non-blank name of at most 200 characters");
        if (name.length() > 200) {
            throw bad("model.name", name, "a non-blank name of at most 200 characters");
        }
        this.modelName = name;
        this.k = (int) integer(v, "learner.k", 1, 50);
        this.impostors = (int) integer(v, "learner.impostors", 1, 200);
        this.mu = real(v, "learner.mu", 0, 1);
        this.lambda = real(v, "learner.lambda", 0, 1e6);
        this.tau = real(v, "learner.tau", 0, 10);
        this.rank = (int) integer(v, "learner.rank", 0, 65536);
        this.windowPerClass = (int) integer(v, "learner.window.per-class", k + 1, 100_000);
        this.windowMillis = integer(v, "learner.window.millis", 0, Long.MAX_VALUE);
        this.batchSize = (int) integer(v, "learner.batch-size", 1, 10_000);
        this.stepRule = v.get("learner.step-rule");
        if (!"adam".equals(stepRule) && !"adagrad".equals(stepRule)) {
            throw bad("learner.step-rule", stepRule, "adam | adagrad");
        }
        double rate = real(v, "learner.learning-rate", 0, 10);
        if (!(rate > 0)) {
            throw bad("learner.learning-rate", v.get("learner.learning-rate"), "(0, 10]");
        }
        this.learningRate = rate;
        this.certifyEvery = (int) integer(v, "learner.certify-every", 0, Integer.MAX_VALUE);
        this.raceEnabled = bool(v, "learner.race.enabled");
        this.racePopulation = (int) integer(v, "learner.race.population", 1, RaceSettings.MAX_POPULATION);
        this.raceFirstBudget = (int) integer(v, "learner.race.first-budget", 1, 1_000_000);
        this.raceCertifiedWeight = real(v, "learner.race.certified-weight", 0, 10);
        this.raceCertifiedRadius = real(v, "learner.race.certified-radius", 0, 10);
        this.parallelism = (int) integer(v, "learner.parallelism", 1, 256);
        this.syncMerged = bool(v, "learner.sync-merged");
        this.snapshotEveryUpdates = integer(v, "snapshots.every-updates", 1, 1_000_000_000);
        this.snapshotEveryMillis = integer(v, "snapshots.every-millis", 0, 86_400_000);
        this.exemplarsPerClass = (int) integer(v, "snapshots.exemplars-per-class", 1, 100_000);
        this.snapshotMaxBytes = (int) integer(v, "snapshots.max-bytes", 1024 * 1024, 1024 * 1024 * 1024);
        this.checkpointIntervalMs = integer(v, "checkpoint.interval-ms", 100, 3_600_000);
        this.eventsDimension = (int) integer(v, "events.dimension", 0, 65536);
        this.eventsMaxBytes = (int) integer(v, "events.max-bytes", 64, 10 * 1024 * 1024);
        this.metricsPort = (int) integer(v, "metrics.port", 0, 65535);
        this.failAfterEvents = failAfterEvents;
        raceSettings(); // cross-field checks of the core settings
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
        b.failAfterEvents = failAfterEvents;
        return b;
    }

    /** Collects values by dotted key; {@link #build()} validates. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        private final Map<String, String> properties = new TreeMap<>();
        private long failAfterEvents;

        private Builder() {
        }

        /** Sets one key (as in the YAML file, dotted); {@code kafka.properties.X} sets client property X. */
        public Builder set(String key, String value) {
            if (key.startsWith(KAFKA_PROPERTIES + ".")) {
                String prop = key.substring(KAFKA_PROPERTIES.length() + 1);
                if (prop.isBlank()) {
                    throw new BadInputException("config key " + key + ": empty Kafka property name");
                }
                properties.put(prop, value);
                return this;
            }
            if (!values.containsKey(key)) {
                throw new BadInputException("unknown config key '" + key + "'; known keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ", kafka.properties.*");
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
                if (key.equals(KAFKA_PROPERTIES)) {
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

        /** Test hook: the learner operator fails once (per JVM and model) after this many events. */
        public Builder failAfterEvents(long events) {
            this.failAfterEvents = events;
            return this;
        }

        public CertmetricConfig build() {
            return new CertmetricConfig(values, properties, failAfterEvents);
        }
    }

    /** Every scalar key's value, dotted, in file order. */
    public Map<String, String> flatten() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.bootstrap-servers", bootstrapServers);
        m.put("topics.events", eventsTopic);
        m.put("topics.dead-letters", deadLettersTopic);
        m.put("topics.snapshots", snapshotsTopic);
        m.put("model.name", modelName);
        m.put("learner.k", String.valueOf(k));
        m.put("learner.impostors", String.valueOf(impostors));
        m.put("learner.mu", String.valueOf(mu));
        m.put("learner.lambda", String.valueOf(lambda));
        m.put("learner.tau", String.valueOf(tau));
        m.put("learner.rank", String.valueOf(rank));
        m.put("learner.window.per-class", String.valueOf(windowPerClass));
        m.put("learner.window.millis", String.valueOf(windowMillis));
        m.put("learner.batch-size", String.valueOf(batchSize));
        m.put("learner.step-rule", stepRule);
        m.put("learner.learning-rate", String.valueOf(learningRate));
        m.put("learner.certify-every", String.valueOf(certifyEvery));
        m.put("learner.race.enabled", String.valueOf(raceEnabled));
        m.put("learner.race.population", String.valueOf(racePopulation));
        m.put("learner.race.first-budget", String.valueOf(raceFirstBudget));
        m.put("learner.race.certified-weight", String.valueOf(raceCertifiedWeight));
        m.put("learner.race.certified-radius", String.valueOf(raceCertifiedRadius));
        m.put("learner.parallelism", String.valueOf(parallelism));
        m.put("learner.sync-merged", String.valueOf(syncMerged));
        m.put("snapshots.every-updates", String.valueOf(snapshotEveryUpdates));
        m.put("snapshots.every-millis", String.valueOf(snapshotEveryMillis));
        m.put("snapshots.exemplars-per-class", String.valueOf(exemplarsPerClass));
        m.put("snapshots.max-bytes", String.valueOf(snapshotMaxBytes));
        m.put("checkpoint.interval-ms", String.valueOf(checkpointIntervalMs));
        m.put("events.dimension", String.valueOf(eventsDimension));
        m.put("events.max-bytes", String.valueOf(eventsMaxBytes));
        m.put("metrics.port", String.valueOf(metricsPort));
        return m;
    }

    // ---- typed accessors

    public String bootstrapServers() {
        return bootstrapServers;
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
        return eventsTopic;
    }

    public String deadLettersTopic() {
        return deadLettersTopic;
    }

    public String snapshotsTopic() {
        return snapshotsTopic;
    }

    public String modelName() {
        return modelName;
    }

    /** The core learner's settings (built on each call: the record is not serializable). */
    public LearnerSettings learnerSettings() {
        try {
            return new LearnerSettings(k, impostors, mu, lambda, tau, rank, windowPerClass, windowMillis, batchSize,
                    stepRule, learningRate, certifyEvery);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("learner." + e.getMessage(), e);
        }
    }

    /**
     * What the learner races (the one place a learner is made from config: the job's workers,
     * {@code evaluate}'s sgd-pl, {@code prequential}): {@code new SettingsRace(config.raceSettings(), p)}.
     * With {@code learner.race.enabled} false, the configured settings alone.
     */
    public RaceSettings raceSettings() {
        LearnerSettings configured = learnerSettings();
        try {
            return raceEnabled ? RaceSettings.around(configured, racePopulation, raceFirstBudget, raceCertifiedWeight,
                    raceCertifiedRadius) : RaceSettings.off(configured);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("learner." + e.getMessage(), e);
        }
    }

    public int parallelism() {
        return parallelism;
    }

    /** With parallelism > 1 in an unbounded job: workers adopt every committed merged model. */
    public boolean syncMergedModel() {
        return syncMerged;
    }

    public long snapshotEveryUpdates() {
        return snapshotEveryUpdates;
    }

    public long snapshotEveryMillis() {
        return snapshotEveryMillis;
    }

    public int exemplarsPerClass() {
        return exemplarsPerClass;
    }

    /**
     * Largest snapshot record in bytes: the snapshot topic's {@code max.message.bytes} (when the job
     * creates it), the snapshot sink's {@code max.request.size} and the snapshot consumers' fetch sizes.
     */
    public int snapshotMaxBytes() {
        return snapshotMaxBytes;
    }

    public long checkpointIntervalMs() {
        return checkpointIntervalMs;
    }

    /** Required feature count; 0 = fixed by the first valid event. */
    public int eventsDimension() {
        return eventsDimension;
    }

    public int eventsMaxBytes() {
        return eventsMaxBytes;
    }

    public int metricsPort() {
        return metricsPort;
    }

    public long failAfterEvents() {
        return failAfterEvents;
    }

    @Override
    public String toString() {
        return "CertmetricConfig" + flatten() + (kafkaProperties.isEmpty() ? "" : " kafka.properties=" + kafkaProperties.keySet());
    }

    // ---- parsing helpers

    private static BadInputException bad(String key, Object value, String range) {
        return new BadInputException("config key " + key + " = '" + value + "' is invalid; accepted: " + range);
    }

    private static String nonBlank(Map<String, String> v, String key, String range) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw bad(key, s, range);
        }
        return s.trim();
    }

    private static String topic(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || !TOPIC.matcher(s).matches() || s.equals(".") || s.equals("..")) {
            throw bad(key, s, "a Kafka topic name: 1-249 characters of [a-zA-Z0-9._-]");
        }
        return s;
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw bad(key, v.get(key), "true | false");
        }
        return Boolean.parseBoolean(s);
    }

    private static long integer(Map<String, String> v, String key, long min, long max) {
        String s = v.get(key);
        String range = "[" + min + ", " + (max == Long.MAX_VALUE ? "inf" : String.valueOf(max)) + "]";
        long value;
        try {
            value = Long.parseLong(s.trim().replace("_", ""));
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, s, "an integer in " + range);
        }
        if (value < min || value > max) {
            throw bad(key, s, "an integer in " + range);
        }
        return value;
    }

    private static double real(Map<String, String> v, String key, double min, double max) {
        String s = v.get(key);
        String range = "[" + fmt(min) + ", " + fmt(max) + "]";
        double value;
        try {
            value = Double.parseDouble(s.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, s, "a number in " + range);
        }
        if (!(value >= min && value <= max)) {
            throw bad(key, s, "a number in " + range);
        }
        return value;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** All known scalar keys. */
    public static List<String> keys() {
        return List.copyOf(DEFAULTS.keySet());
    }
}
