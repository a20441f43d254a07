package dev.certmetric.config;

import dev.certmetric.config.BadInputException;
import dev.certmetric.train.LearnerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertmetricConfigTest {

    /** Set to regenerate config/certmetric.yaml and the table of docs/CONFIG.md from the key table. */
    private static final boolean REGENERATE = Boolean.getBoolean("certmetric.regenerate-config-docs");
    private static final String TABLE_BEGIN = "<!-- config-table:begin -->\n";
    private static final String TABLE_END = "<!-- config-table:end -->";

    @Test
    void theYamlFileIsTheRenderingOfTheKeyTable() throws IOException {
        Path file = Path.of("../config/certmetric.yaml");
        if (REGENERATE) {
            Files.writeString(file, CertmetricConfig.defaultYaml());
        }
        assertEquals(CertmetricConfig.defaultYaml(), Files.readString(file),
                "config/certmetric.yaml differs from CertmetricConfig.DEF; regenerate it with "
                        + "-Dcertmetric.regenerate-config-docs=true");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(CertmetricConfig.RESOURCE)) {
            assertNotNull(in, "certmetric.yaml is not on the classpath");
            CertmetricConfig fromYaml = CertmetricConfig.builder().yaml(in, "bundled").build();
            assertEquals(CertmetricConfig.defaults().flatten(), fromYaml.flatten());
        }
    }

    @Test
    void theDocsTableIsTheRenderingOfTheKeyTable() throws IOException {
        Path file = Path.of("../docs/CONFIG.md");
        String text = Files.readString(file);
        int begin = text.indexOf(TABLE_BEGIN);
        int end = text.indexOf(TABLE_END);
        assertTrue(begin >= 0 && end > begin, "docs/CONFIG.md has no config-table markers");
        String table = text.substring(begin + TABLE_BEGIN.length(), end);
        if (REGENERATE) {
            Files.writeString(file, text.substring(0, begin + TABLE_BEGIN.length()) + CertmetricConfig.DEF.markdown()
                    + text.substring(end));
            table = CertmetricConfig.DEF.markdown();
        }
        assertEquals(CertmetricConfig.DEF.markdown(), table,
                "docs/CONFIG.md differs from CertmetricConfig.DEF; regenerate it with "
                        + "-Dcertmetric.regenerate-config-docs=true");
    }

    @Test
    void everyKeyIsDeclaredWithADocAndADefaultInItsOwnRange() {
        for (ConfigKey<?> key : CertmetricConfig.DEF.keys().values()) {
            assertTrue(key.doc().length() > 5, key + " has no doc");
            assertEquals(key.defaultValue(), key.value(CertmetricConfig.defaultValues().get(key.name())), key.name());
        }
    }

    @Test
    void defaultsMatchTheCoreLearnerDefaults() {
        CertmetricConfig c = CertmetricConfig.load(null, Map.of());
        assertEquals(LearnerSettings.DEFAULT, c.learnerSettings());
        assertEquals("certmetric.events", c.eventsTopic());
        assertEquals("certmetric.events.dlq", c.deadLettersTopic());
        assertEquals("certmetric.snapshots", c.snapshotsTopic());
        assertEquals(1000, c.checkpointIntervalMs());
        assertEquals(9249, c.metricsPort());
        assertEquals(1, c.parallelism());
    }

    /**
     * By default snapshots carry more exemplars than the window holds, from a memory kept for them: the window
     * alone lost held-out rows on sets whose classes exceed it. At or below the window no memory is kept.
     */
    @Test
    void snapshotsCarryAMemoryLargerThanTheDefaultWindow() {
        CertmetricConfig c = CertmetricConfig.load(null, Map.of());
        assertEquals(1000, c.exemplarsPerClass());
        assertTrue(c.exemplarsPerClass() > 5 * c.learnerSettings().windowPerClass());
        assertEquals(c.exemplarsPerClass(), c.exemplarMemoryPerClass());
        assertEquals(0, CertmetricConfig.load(null, Map.of("snapshots.exemplars-per-class", "100"))
                .exemplarMemoryPerClass());
    }

    @Test
    void fileAndOverridesApplyInOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                kafka:
                  bootstrap-servers: broker:9093
                  properties:
                    security.protocol: SASL_SSL
                    sasl:
                      mechanism: PLAIN
                learner:
                  k: 5
                  window:
                    per-class: 40
                """);
        CertmetricConfig c = CertmetricConfig.load(file, Map.of("learner.k", "4", "kafka.properties.client.id", "x"));
        assertEquals("broker:9093", c.bootstrapServers());
        assertEquals(4, c.learnerSettings().k());
        assertEquals(40, c.learnerSettings().windowPerClass());
        assertEquals("SASL_SSL", c.kafkaProperties().getProperty("security.protocol"));
        assertEquals("PLAIN", c.kafkaProperties().getProperty("sasl.mechanism"));
        assertEquals("x", c.kafkaProperties().getProperty("client.id"));
    }

    @Test
    void badValuesNameTheKeyAndTheAcceptedRange() {
        assertMessage("learner.k", "[1, 50]", Map.of("learner.k", "0"));
        assertMessage("learner.mu", "[0, 1]", Map.of("learner.mu", "1.5"));
        assertMessage("learner.learning-rate", "(0, 10]", Map.of("learner.learning-rate", "0"));
        assertMessage("learner.step-rule", "adam | adagrad", Map.of("learner.step-rule", "sgd"));
        assertMessage("learner.window.per-class", "more than learner.k = 3", Map.of("learner.window.per-class", "3"));
        assertMessage("learner.window.per-class", "[2, 100000]", Map.of("learner.window.per-class", "1"));
        assertMessage("learner.drift.detector", "page-hinkley | none", Map.of("learner.drift.detector", "adwin2"));
        assertMessage("learner.parallelism", "[1, 256]", Map.of("learner.parallelism", "many"));
        assertMessage("snapshots.exemplars-per-class", "[1, 100000]", Map.of("snapshots.exemplars-per-class", "0"));
        assertMessage("checkpoint.interval-ms", "[100, 3600000]", Map.of("checkpoint.interval-ms", "5"));
        assertMessage("metrics.port", "[0, 65535]", Map.of("metrics.port", "70000"));
        assertMessage("topics.snapshots", "Kafka topic name", Map.of("topics.snapshots", "a b"));
        assertMessage("events.max-bytes", "[64, 10485760]", Map.of("events.max-bytes", "1"));
    }

    @Test
    void unknownKeysAndBadFilesAreRejected(@TempDir Path dir) throws IOException {
        BadInputException e = assertThrows(BadInputException.class,
                () -> CertmetricConfig.load(null, Map.of("learner.kk", "3")));
        assertTrue(e.getMessage().contains("learner.kk"), e.getMessage());
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "learner:\n  lambda: -1\n");
        e = assertThrows(BadInputException.class, () -> CertmetricConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("learner.lambda") && e.getMessage().contains("[0, 1000000]"),
                e.getMessage());
        Files.writeString(file, "learner: [1, 2\n");
        e = assertThrows(BadInputException.class, () -> CertmetricConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("YAML"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> CertmetricConfig.load(dir.resolve("none.yaml"), Map.of()));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    private static void assertMessage(String key, String range, Map<String, String> overrides) {
        BadInputException e = assertThrows(BadInputException.class, () -> CertmetricConfig.load(null, overrides));
        assertTrue(e.getMessage().contains(key), "message does not name " + key + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(range), "message does not state " + range + ": " + e.getMessage());
    }
}
