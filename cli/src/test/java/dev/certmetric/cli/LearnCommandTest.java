package dev.certmetric.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code learn}'s shorthands become the configuration keys they stand for; a broker it cannot reach is one line. */
class LearnCommandTest {
    @Test
    void fromScratchAndParallelismSetTheirKeys() {
        LearnCommand learn = CommandLine.populateCommand(new LearnCommand(), "--bootstrap", "127.0.0.1:9092",
                "--from-scratch", "--parallelism", "2", "--set", "learner.k=5");
        Map<String, String> o = learn.configOverrides();
        assertEquals("true", o.get("learner.from-scratch"));
        assertEquals("2", o.get("learner.parallelism"));
        assertEquals("5", o.get("learner.k"));
        assertEquals("127.0.0.1:9092", o.get("kafka.bootstrap-servers"));
        LearnCommand plain = CommandLine.populateCommand(new LearnCommand(), "--bootstrap", "127.0.0.1:9092");
        assertFalse(plain.configOverrides().containsKey("learner.from-scratch"));
    }

    /** No broker at --bootstrap: one line naming the address and its key, exit 2 (was a bare TimeoutException). */
    @Test
    void anUnreachableBrokerIsOneLineNamingTheKey() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = CertmetricCli.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        int exit = cli.execute("learn", "--bootstrap", "127.0.0.1:1", "--set", "kafka.properties.default.api.timeout.ms=1500",
                "--set", "kafka.properties.request.timeout.ms=1000");
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, exit);
        String line = err.toString().strip();
        assertTrue(line.startsWith("error: cannot check or create the learner's topics on 127.0.0.1:1 "
                + "(kafka.bootstrap-servers)"), line);
        assertFalse(line.contains("\n"), "one line: " + line);
    }
}
