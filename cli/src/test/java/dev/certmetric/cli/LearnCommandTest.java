package dev.certmetric.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code learn}'s shorthands become the configuration keys they stand for. */
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
}
