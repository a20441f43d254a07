package dev.certmetric.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Tag("integration")
class BrokerCommandTest {
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap: (127\\.0\\.0\\.1:\\d+)");

    @Test
    void servesClientsUntilInterrupted(@TempDir Path dataDir) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = CertmetricCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread runner = new Thread(() -> exit.set(cli.execute("broker", "--data-dir", dataDir.toString())));
        runner.start();

        String bootstrap = awaitBootstrap(out, Duration.ofSeconds(45));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertEquals(1, admin.describeCluster().nodes().get().size());
        }

        runner.interrupt();
        runner.join(Duration.ofSeconds(30).toMillis());
        assertFalse(runner.isAlive());
        assertEquals(0, exit.get());
    }

    @Test
    void rejectsOutOfRangePort() {
        StringWriter err = new StringWriter();
        CommandLine cli = CertmetricCli.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, cli.execute("broker", "--port", "70000"));
        assertTrue(err.toString().contains("--port must be in 0..65535"), err.toString());
    }

    private static String awaitBootstrap(StringWriter out, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = BOOTSTRAP.matcher(out.toString());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("broker printed no bootstrap line: " + out);
    }
}
