package dev.certmetric.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.learner.LearnerJob;
import dev.certmetric.scorer.ScoreCommand;
import dev.certmetric.scorer.ScorerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMetricsEndpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.server.config.AbstractKafkaConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every document under deploy/k8s is read into the ecosystem's own model class (fabric8 Kubernetes and
 * Prometheus Operator models, Strimzi's API), and a key the class does not know is an error. The Flink
 * Kubernetes Operator's API is not served on Maven Central, so a FlinkDeployment is checked through its
 * pod template (a fabric8 Pod) and its Flink configuration (every key a Flink ConfigOption, every value
 * parsed by it). Then the invariants that tie the manifests to the code: class names, argument
 * parsers, topic names, ports, probes, mounted files.
 */
class DeployManifestsTest {
    static final Path ROOT = Path.of(System.getProperty("certmetric.root", "..")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * Writes a model object without its "additional properties" (fabric8 and Strimzi classes keep
     * unknown keys there instead of failing), so that a key missing after the round trip is unknown.
     */
    static final ObjectMapper KNOWN_ONLY = new ObjectMapper().setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnyGetter(Annotated a) {
            return false;
        }
    });
    static final Map<String, Class<?>> MODELS = Map.of(
            "kafka.strimzi.io/v1 Kafka", Kafka.class,
            "kafka.strimzi.io/v1 KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1 KafkaTopic", KafkaTopic.class,
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "v1 ConfigMap", ConfigMap.class,
            "monitoring.coreos.com/v1 PodMonitor", PodMonitor.class,
            "monitoring.coreos.com/v1 PrometheusRule", PrometheusRule.class);
    static final String FLINK_DEPLOYMENT = "flink.apache.org/v1beta1 FlinkDeployment";

    static Map<Class<?>, List<Object>> resources = new HashMap<>();
    static List<JsonNode> flinkDeployments = new ArrayList<>();
    static CertmetricConfig config;

    @BeforeAll
    static void readManifests() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : documents(file)) {
                    String type = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
                    if (type.equals(FLINK_DEPLOYMENT)) {
                        flinkDeployments.add(doc);
                    } else {
                        Class<?> model = MODELS.get(type);
                        assertTrue(model != null, file.getFileName() + ": no model class for " + type);
                        resources.computeIfAbsent(model, k -> new ArrayList<>()).add(typed(doc, model, file.getFileName().toString()));
                    }
                }
            }
        }
        config = CertmetricConfig.load(ROOT.resolve("config/certmetric.yaml"), Map.of());
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.createParser(file.toFile())) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            it.forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            });
        }
        return docs;
    }

    /** Reads a document into its model class; every key of the document must be known to the class. */
    static <T> T typed(JsonNode doc, Class<T> model, String where) {
        T value;
        try {
            value = STRICT.treeToValue(doc, model);
        } catch (IOException e) {
            throw new AssertionError(where + ": not a valid " + model.getSimpleName() + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        unknownKeys(doc, KNOWN_ONLY.valueToTree(value), where + " " + model.getSimpleName(), unknown);
        assertEquals(List.of(), unknown, "keys unknown to the model classes");
        return value;
    }

    static void unknownKeys(JsonNode given, JsonNode known, String path, List<String> unknown) {
        if (given.isObject()) {
            given.fieldNames().forEachRemaining(name -> {
                JsonNode k = known == null ? null : known.get(name);
                if (k == null) {
                    unknown.add(path + "." + name);
                } else {
                    unknownKeys(given.get(name), k, path + "." + name, unknown);
                }
            });
        } else if (given.isArray() && known != null && known.isArray()) {
            for (int i = 0; i < given.size(); i++) {
                unknownKeys(given.get(i), known.get(i), path + "[" + i + "]", unknown);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> all(Class<T> model) {
        return (List<T>) resources.getOrDefault(model, List.of());
    }

    static <T> T one(Class<T> model, String name) {
        return all(model).stream().filter(r -> name.equals(((io.fabric8.kubernetes.api.model.HasMetadata) r).getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + model.getSimpleName() + " " + name));
    }

    // ---- model validation -------------------------------------------------------------------------------

    @Test
    void aMisspelledKeyIsRejected() throws IOException {
        JsonNode pool = documents(K8S.resolve("kafka.yaml")).get(0).deepCopy();
        ObjectNode spec = (ObjectNode) pool.get("spec");
        spec.set("replica", spec.remove("replicas"));
        AssertionError e = assertThrows(AssertionError.class, () -> typed(pool, KafkaNodePool.class, "typo"));
        assertTrue(e.getMessage().contains("spec.replica"), e.getMessage());

        Map<String, String> flink = new LinkedHashMap<>(flinkConfiguration(flinkDeployment()));
        flink.put("restart-strategy.exponential-delay.max-backof", "1 min");
        assertThrows(AssertionError.class, () -> checkFlinkConfiguration(flink));
    }

    @Test
    void everyKindIsPresent() {
        for (Class<?> model : MODELS.values()) {
            assertTrue(!all(model).isEmpty(), "no " + model.getSimpleName() + " under deploy/k8s");
        }
        assertEquals(1, flinkDeployments.size());
    }

    // ---- the learner ------------------------------------------------------------------------------------

    static JsonNode flinkDeployment() {
        return flinkDeployments.get(0);
    }

    static Map<String, String> flinkConfiguration(JsonNode deployment) {
        Map<String, String> m = new LinkedHashMap<>();
        deployment.path("spec").path("flinkConfiguration").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    static Pod podTemplate(JsonNode deployment) {
        return typed(deployment.path("spec").path("podTemplate"), Pod.class, "FlinkDeployment.spec.podTemplate");
    }

    @Test
    void flinkDeploymentRunsTheLearnerJob() throws Exception {
        JsonNode spec = flinkDeployment().path("spec");
        JsonNode job = spec.path("job");
        String flinkVersion = System.getProperty("flink.version");
        assertEquals("v" + flinkVersion.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"), spec.path("flinkVersion").asText());
        assertEquals(LearnerJob.class.getName(), job.path("entryClass").asText());
        LearnerJob.class.getMethod("main", String[].class);
        assertEquals("savepoint", job.path("upgradeMode").asText());

        // the jar the image puts into usrlib
        Matcher copy = dockerCopy("learner.Dockerfile");
        assertEquals("learner/target/certmetric-learner.jar", copy.group(1));
        assertEquals("local://" + copy.group(2), job.path("jarURI").asText());
        assertEquals("flink:" + flinkVersion + "-java17", dockerFrom("learner.Dockerfile"));

        // the arguments, read by the job's own parser (the mounted file is the repository's config)
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        String configPath = args.get(args.indexOf("--config") + 1);
        assertMountedConfig(podTemplate(flinkDeployment()).getSpec().getVolumes(), mainContainer().getVolumeMounts(), configPath);
        List<String> local = new ArrayList<>(args);
        local.set(args.indexOf("--config") + 1, ROOT.resolve("config/certmetric.yaml").toString());
        CertmetricConfig parsed = LearnerJob.parseArgs(local.toArray(String[]::new));
        assertEquals(kafkaBootstrap(), parsed.bootstrapServers());
    }

    static Container mainContainer() {
        return podTemplate(flinkDeployment()).getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("flink-main-container")).findFirst()
                .orElseThrow(() -> new AssertionError("the pod template must name its container flink-main-container"));
    }

    @Test
    void flinkConfigurationUsesRealOptions() {
        Map<String, String> flink = flinkConfiguration(flinkDeployment());
        checkFlinkConfiguration(flink);
        assertEquals("exponential-delay", flink.get("restart-strategy.type"));
        assertEquals("RETAIN_ON_CANCELLATION", flink.get("execution.checkpointing.externalized-checkpoint-retention"));
        assertTrue(flink.get("execution.checkpointing.dir").startsWith("s3://"));
        assertTrue(flink.get("execution.checkpointing.savepoint-dir").startsWith("s3://"));
        // unbounded attempts: Flink's default, not overridden
        assertTrue(!flink.containsKey("restart-strategy.exponential-delay.attempts-before-reset-backoff"));

        // The learner's metrics go through Flink's reporter: its port is the only one exposed, and the PodMonitor scrapes it
        Set<Integer> ports = mainContainer().getPorts().stream().map(ContainerPort::getContainerPort).collect(Collectors.toSet());
        int reporterPort = Integer.parseInt(flink.get("metrics.reporter.prom.port"));
        assertEquals(Set.of(reporterPort), ports);
    }

    static final Pattern REPORTER_KEY = Pattern.compile("metrics\\.reporter\\.[^.]+\\.(.+)");

    /** Each key must be a Flink ConfigOption (a reporter's: one of the reporter options) and its value parse. */
    static void checkFlinkConfiguration(Map<String, String> flink) {
        Map<String, ConfigOption<?>> options = FLINK_OPTIONS;
        Configuration parsed = Configuration.fromMap(flink);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : flink.entrySet()) {
            Matcher reporter = REPORTER_KEY.matcher(e.getKey());
            if (reporter.matches()) {
                // reporter options are suffixes: factory.class, interval, ... and the Prometheus reporter's port
                String suffix = reporter.group(1);
                if (suffix.equals("factory.class")) {
                    assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", e.getValue());
                } else if (suffix.equals("port")) {
                    Integer.parseInt(e.getValue());
                } else if (!options.containsKey(suffix)) {
                    problems.add("unknown key " + e.getKey());
                }
                continue;
            }
            ConfigOption<?> option = options.get(e.getKey());
            if (option == null) {
                problems.add("unknown key " + e.getKey());
                continue;
            }
            try {
                parsed.get(option);
            } catch (IllegalArgumentException bad) {
                problems.add(bad.getMessage());
            }
        }
        assertEquals(List.of(), problems, "Flink configuration");
    }

    static final Map<String, ConfigOption<?>> FLINK_OPTIONS = flinkOptions();

    /** Every ConfigOption declared by Flink's configuration classes (flink-core), by key and fallback key. */
    static Map<String, ConfigOption<?>> flinkOptions() {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        try (JarFile jar = new JarFile(Path.of(Configuration.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            for (String name : jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/flink/configuration/") && n.endsWith("Options.class")).toList()) {
                Class<?> c = Class.forName(name.replace('/', '.').replace(".class", ""));
                for (Field f : c.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        options.put(o.key(), o);
                        o.fallbackKeys().forEach(k -> options.put(k.getKey(), o));
                    }
                }
            }
        } catch (IOException | URISyntaxException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot list Flink's options", e);
        }
        return options;
    }

    // ---- Kafka ------------------------------------------------------------------------------------------

    static String kafkaBootstrap() {
        Kafka kafka = all(Kafka.class).get(0);
        GenericKafkaListener plain = kafka.getSpec().getKafka().getListeners().stream()
                .filter(l -> !l.isTls()).findFirst().orElseThrow();
        return kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.getPort();
    }

    @Test
    void kafkaIsKraftWithTransactionsLongEnoughForTheSink() {
        assertEquals(1, all(Kafka.class).size());
        Kafka kafka = all(Kafka.class).get(0);
        String cluster = kafka.getMetadata().getName();
        KafkaNodePool pool = all(KafkaNodePool.class).get(0);
        assertEquals(cluster, pool.getMetadata().getLabels().get("strimzi.io/cluster"));
        assertTrue(pool.getSpec().getRoles().containsAll(List.of(ProcessRoles.CONTROLLER, ProcessRoles.BROKER)));

        Map<String, Object> broker = kafka.getSpec().getKafka().getConfig();
        Set<String> brokerKeys = AbstractKafkaConfig.CONFIG_DEF.names();
        assertEquals(Set.of(), broker.keySet().stream().filter(k -> !brokerKeys.contains(k)).collect(Collectors.toSet()),
                "not Kafka broker configs");
        assertTrue(((Number) broker.get("transaction.max.timeout.ms")).longValue() >= 900_000);
    }

    @Test
    void topicsAreTheConfiguredOnes() throws IllegalAccessException {
        Set<String> topicKeys = new HashSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (f.getName().endsWith("_CONFIG")) {
                topicKeys.add((String) f.get(null));
            }
        }
        String cluster = all(Kafka.class).get(0).getMetadata().getName();
        Map<String, KafkaTopic> topics = new HashMap<>();
        for (KafkaTopic t : all(KafkaTopic.class)) {
            String name = t.getSpec().getTopicName() != null ? t.getSpec().getTopicName() : t.getMetadata().getName();
            topics.put(name, t);
            assertEquals(cluster, t.getMetadata().getLabels().get("strimzi.io/cluster"), name);
            Map<String, Object> c = t.getSpec().getConfig() == null ? Map.of() : t.getSpec().getConfig();
            assertEquals(Set.of(), c.keySet().stream().filter(k -> !topicKeys.contains(k)).collect(Collectors.toSet()),
                    name + ": not topic configs");
        }
        assertEquals(Set.of(config.eventsTopic(), config.deadLettersTopic(), config.snapshotsTopic(),
                ScorerSettings.DEFAULT_REQUEST_TOPIC, ScorerSettings.DEFAULT_SCORE_TOPIC), topics.keySet());

        Map<String, Object> snapshots = topics.get(config.snapshotsTopic()).getSpec().getConfig();
        assertEquals("compact", snapshots.get("cleanup.policy"));
        assertEquals(config.snapshotMaxBytes(), ((Number) snapshots.get("max.message.bytes")).intValue());
        assertTrue(((Number) snapshots.get("min.compaction.lag.ms")).longValue() > 0);
        assertEquals(1, topics.get(config.snapshotsTopic()).getSpec().getPartitions());
    }

    // ---- the scorer -------------------------------------------------------------------------------------

    @Test
    void scorerDeploymentRunsTheScorerJarWithItsRealOptions() {
        Deployment deployment = one(Deployment.class, "certmetric-scorer");
        var pod = deployment.getSpec().getTemplate();
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(),
                subset(pod.getMetadata().getLabels(), deployment.getSpec().getSelector().getMatchLabels().keySet()));
        Container c = pod.getSpec().getContainers().get(0);
        List<String> command = c.getCommand();
        assertEquals(List.of("java", "-jar"), command.subList(0, 2));
        Matcher copy = dockerCopy("scorer.Dockerfile");
        assertEquals("scorer/target/certmetric-scorer.jar", copy.group(1));
        assertEquals(copy.group(2), command.get(2));

        // the options, read by the scorer's own command line
        CommandLine.ParseResult args = new CommandLine(new ScoreCommand()).parseArgs(command.subList(3, command.size()).toArray(String[]::new));
        int httpPort = args.matchedOptionValue("--http-port", -1);
        assertEquals("0.0.0.0", args.matchedOptionValue("--http-host", ""));
        assertEquals(kafkaBootstrap(), args.matchedOptionValue("--bootstrap", ""));
        assertEquals(httpPort, port(c, "http"));
        Path stateDir = args.matchedOptionValue("--state-dir", (Path) null);
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> Path.of(m.getMountPath()).equals(stateDir)), "state dir mounted");
        Path configFile = args.matchedOptionValue("--config", (Path) null);
        assertMountedConfig(pod.getSpec().getVolumes(), c.getVolumeMounts(), configFile.toString());

        for (Probe probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
            assertEquals("/health", probe.getHttpGet().getPath());
            assertEquals(httpPort, port(c, probe.getHttpGet().getPort().getStrVal()));
        }
        assertTrue(c.getResources().getRequests().containsKey("cpu"));
        assertTrue(c.getResources().getLimits().containsKey("memory"));

        Service service = one(Service.class, "certmetric-scorer");
        assertEquals(service.getSpec().getSelector(), subset(pod.getMetadata().getLabels(), service.getSpec().getSelector().keySet()));
        assertEquals(httpPort, port(c, service.getSpec().getPorts().get(0).getTargetPort().getStrVal()));
    }

    static Map<String, String> subset(Map<String, String> labels, Set<String> keys) {
        Map<String, String> m = new HashMap<>(labels);
        m.keySet().retainAll(keys);
        return m;
    }

    static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name)).getContainerPort();
    }

    /** The file is in a mounted ConfigMap that carries it under its file name. */
    static void assertMountedConfig(List<Volume> volumes, List<VolumeMount> mounts, String file) {
        Path path = Path.of(file);
        VolumeMount mount = mounts.stream().filter(m -> Path.of(m.getMountPath()).equals(path.getParent())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path.getParent()));
        Volume volume = volumes.stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        ConfigMap map = one(ConfigMap.class, volume.getConfigMap().getName());
        assertTrue(map.getData().containsKey(path.getFileName().toString()), map.getMetadata().getName() + " has no " + path.getFileName());
    }

    // ---- monitoring and generated manifests ------------------------------------------------------------

    @Test
    void podMonitorsScrapeExistingPorts() {
        Container scorer = one(Deployment.class, "certmetric-scorer").getSpec().getTemplate().getSpec().getContainers().get(0);
        PodMonitor scorerMonitor = one(PodMonitor.class, "certmetric-scorer");
        assertEquals(scorerMonitor.getSpec().getSelector().getMatchLabels(),
                subset(one(Deployment.class, "certmetric-scorer").getSpec().getTemplate().getMetadata().getLabels(),
                        scorerMonitor.getSpec().getSelector().getMatchLabels().keySet()));
        for (PodMetricsEndpoint e : scorerMonitor.getSpec().getPodMetricsEndpoints()) {
            port(scorer, e.getPort());
            assertEquals("/metrics", e.getPath());
        }
        PodMonitor learnerMonitor = one(PodMonitor.class, "certmetric-learner");
        // the operator labels the Flink pods app=<FlinkDeployment name>
        assertEquals(Map.of("app", flinkDeployment().path("metadata").path("name").asText()),
                learnerMonitor.getSpec().getSelector().getMatchLabels());
        Set<String> scraped = learnerMonitor.getSpec().getPodMetricsEndpoints().stream().map(PodMetricsEndpoint::getPort)
                .collect(Collectors.toSet());
        assertEquals(mainContainer().getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet()), scraped);
    }

    @Test
    void generatedManifestsMatchTheirSources() throws IOException {
        String hint = ": stale, run deploy/k8s/generate.sh";
        assertEquals(Files.readString(ROOT.resolve("config/certmetric.yaml")),
                one(ConfigMap.class, "certmetric-config").getData().get("certmetric.yaml"), "certmetric-config" + hint);
        assertEquals(Files.readString(ROOT.resolve("deploy/monitoring/grafana-dashboard.json")),
                one(ConfigMap.class, "certmetric-grafana-dashboard").getData().get("certmetric.json"), "grafana-dashboard" + hint);
        assertEquals(YAML.readTree(ROOT.resolve("deploy/monitoring/alerts.yml").toFile()),
                documents(K8S.resolve("alerts.yaml")).get(0).get("spec"), "alerts" + hint);
        assertTrue(!one(PrometheusRule.class, "certmetric").getSpec().getGroups().isEmpty());
    }

    // ---- Dockerfiles ------------------------------------------------------------------------------------

    static final Pattern COPY = Pattern.compile("(?m)^COPY (?:--\\S+ )*(\\S+) (\\S+)$");

    static Matcher dockerCopy(String dockerfile) {
        Matcher m = COPY.matcher(dockerfile(dockerfile));
        assertTrue(m.find(), dockerfile + ": no COPY");
        return m;
    }

    static String dockerFrom(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^FROM (\\S+)$").matcher(dockerfile(dockerfile));
        assertTrue(m.find(), dockerfile + ": no FROM");
        return m.group(1);
    }

    static String dockerfile(String name) {
        try {
            return Files.readString(ROOT.resolve("deploy/docker").resolve(name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void scorerImageFixesAndPreTouchesItsHeap() {
        Matcher options = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"$").matcher(dockerfile("scorer.Dockerfile"));
        assertTrue(options.find(), "the scorer image sets its JVM options");
        List<String> flags = List.of(options.group(1).split(" "));
        Matcher initial = Pattern.compile("-XX:InitialRAMPercentage=(\\S+)").matcher(options.group(1));
        Matcher max = Pattern.compile("-XX:MaxRAMPercentage=(\\S+)").matcher(options.group(1));
        assertTrue(initial.find() && max.find() && initial.group(1).equals(max.group(1)),
                "the initial heap is the maximum: " + flags);
        assertTrue(flags.contains("-XX:+AlwaysPreTouch"), "the heap is touched at start: " + flags);
    }

    @Test
    void scorerImageRunsAsNonRoot() {
        String scorer = dockerfile("scorer.Dockerfile");
        assertTrue(Pattern.compile("(?m)^FROM eclipse-temurin:17-jre").matcher(scorer).find());
        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(scorer);
        assertTrue(user.find() && !user.group(1).equals("root") && !user.group(1).equals("0"));
        assertTrue(one(Deployment.class, "certmetric-scorer").getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    }
}
