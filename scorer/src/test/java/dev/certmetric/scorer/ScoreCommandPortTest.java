package dev.certmetric.scorer;

import dev.certmetric.command.BadInputHandler;
import dev.certmetric.config.BadInputException;
import dev.certmetric.embedded.WithEmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code score} on an HTTP port that is taken (another scorer, say): one line naming the option, exit 2. */
@Timeout(120)
class ScoreCommandPortTest extends WithEmbeddedKafka {
    @Test
    void aTakenHttpPortIsOneLineNamingTheOption(@TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            StringWriter err = new StringWriter();
            CommandLine cl = BadInputHandler.commandLine(new ScoreCommand());
            cl.setErr(new PrintWriter(err, true));
            int port = taken.getLocalPort();
            int code = cl.execute("--bootstrap", broker.bootstrapServers(), "--model", "taken", "--http-port",
                    String.valueOf(port), "--state-dir", stateDir.toString());
            assertEquals(BadInputException.EXIT_CODE, code, err.toString());
            String line = err.toString().strip();
            assertTrue(line.startsWith("error: --http-port " + port + ": cannot serve HTTP on 127.0.0.1:" + port + " ("),
                    line);
            assertTrue(line.endsWith("choose a free port, 0 for any, or -1 for none"), line);
        }
    }
}
