package dev.certmetric.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency rules of the architecture, checked on the compiled production classes of every module
 * (the cli module sees them all). Maven modules already make most of these a compile error; this test
 * also guards the rules inside a module and the ones a new dependency could quietly break.
 */
class ArchitectureTest {
    /** Packages of the math core: plain Java, shared by every adapter. */
    private static final String[] CORE = {"dev.certmetric.certify..", "dev.certmetric.config..", "dev.certmetric.data..",
        "dev.certmetric.eval..", "dev.certmetric.events..", "dev.certmetric.knn..", "dev.certmetric.memory..",
        "dev.certmetric.metric..", "dev.certmetric.objective..", "dev.certmetric.preprocess..", "dev.certmetric.report..",
        "dev.certmetric.snapshot..", "dev.certmetric.train..", "dev.certmetric.triplets.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // the other modules arrive as jars in a reactor build; their test-jars are not production code
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.certmetric");
        assertTrue(classes.size() > 100, "expected the production classes of all modules, got " + classes.size());
    }

    @Test
    void coreHasNoFlinkKafkaHttpOrMetricsLibraries() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..",
                        "com.sun.net.httpserver..", "java.net.http..", "io.micrometer..", "io.prometheus..",
                        "picocli..", "org.slf4j..")
                .check(classes);
    }

    @Test
    void coreDependsOnNoAdapter() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("dev.certmetric.learner..", "dev.certmetric.scorer..",
                        "dev.certmetric.cli..", "dev.certmetric.kafka..", "dev.certmetric.monitoring..",
                        "dev.certmetric.command..", "dev.certmetric.embedded..")
                .check(classes);
    }

    @Test
    void nothingImportsTheCli() {
        noClasses().that().resideOutsideOfPackage("dev.certmetric.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.certmetric.cli..")
                .check(classes);
    }

    @Test
    void learnerAndScorerAreIndependent() {
        noClasses().that().resideInAPackage("dev.certmetric.learner..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.certmetric.scorer..", "org.apache.kafka.streams..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.certmetric.scorer..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.certmetric.learner..", "org.apache.flink..")
                .check(classes);
    }

    /** Jetty serves the scorer and the CLI's metrics endpoint; never core, common or the learner's job jar. */
    @Test
    void onlyTheScorerAndTheCliServeHttpWithJetty() {
        noClasses().that().resideOutsideOfPackages("dev.certmetric.scorer..", "dev.certmetric.cli..")
                .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty..")
                .check(classes);
    }

    @Test
    void theEmbeddedBrokerIsUsedOnlyByTheCli() {
        noClasses().that().resideOutsideOfPackages("dev.certmetric.cli..", "dev.certmetric.embedded..")
                .should().dependOnClassesThat().resideInAPackage("dev.certmetric.embedded..")
                .check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.certmetric.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyPackageSaysWhatItOwns() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> missing;
        try (Stream<Path> files = Files.walk(root)) {
            missing = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .map(Path::getParent).distinct()
                    .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                    .map(root::relativize).sorted().toList();
        }
        assertEquals(List.of(), missing, "packages without package-info.java");
    }
}
