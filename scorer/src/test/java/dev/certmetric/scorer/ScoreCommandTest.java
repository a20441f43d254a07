package dev.certmetric.scorer;

import dev.certmetric.command.BadInputHandler;
import dev.certmetric.config.BadInputException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCommandTest {
    @Test
    void optionsOverrideTheConfiguration() {
        ScoreCommand cmd = new ScoreCommand();
        new CommandLine(cmd).parseArgs("--bootstrap", "h:1", "--set", "model.name=wine", "--set", "topics.snapshots=snaps",
                "--http-port", "-1", "--requests-topic", "req");
        ScorerSettings s = cmd.settings();
        assertEquals("h:1", s.bootstrapServers());
        assertEquals("wine", s.modelName());
        assertEquals("snaps", s.snapshotTopic());
        assertEquals("req", s.requestTopic());
        assertEquals("certmetric.scores", s.scoreTopic());
        assertEquals(-1, s.httpPort());
        assertEquals("certmetric-scorer-wine", s.applicationId());
        ScoreCommand named = new ScoreCommand();
        new CommandLine(named).parseArgs("--bootstrap", "h:1", "--model", "iris", "--set", "model.name=wine");
        assertEquals("iris", named.settings().modelName());
    }

    @Test
    void badOptionsAreOneLineErrorsWithExitCode2() {
        StringWriter err = new StringWriter();
        CommandLine cl = BadInputHandler.commandLine(new ScoreCommand());
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("--bootstrap", "127.0.0.1:1", "--guarantee", "maybe");
        assertEquals(BadInputException.EXIT_CODE, code);
        assertTrue(err.toString().contains("processing guarantee = maybe"), err.toString());
        StringWriter err2 = new StringWriter();
        CommandLine cl2 = BadInputHandler.commandLine(new ScoreCommand());
        cl2.setErr(new PrintWriter(err2));
        assertEquals(BadInputException.EXIT_CODE, cl2.execute("--bootstrap", "127.0.0.1:1", "--http-port", "70000"));
    }
}
