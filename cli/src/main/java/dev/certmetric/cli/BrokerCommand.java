package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.certmetric.embedded.EmbeddedKafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a single-node Kafka on 127.0.0.1 for local demos until Ctrl-C. */
@Command(name = "broker",
        mixinStandardHelpOptions = true,
        description = "Start a single-node Kafka (KRaft) broker on 127.0.0.1 and run until Ctrl-C.")
public final class BrokerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
            description = "Client port, 1..65535; 0 picks a free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep topics in DIR across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new BadInputException("--port must be in 0..65535 (0 = any free port), got " + port);
        }
        if (dataDir != null && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new BadInputException("--data-dir must be a directory, got a file: " + dataDir);
        }
        EmbeddedKafkaBroker broker = dataDir == null
                ? EmbeddedKafkaBroker.start(port)
                : EmbeddedKafkaBroker.start(dataDir, port);
        // Ctrl-C ends the JVM without returning here, so the hook is what shuts the broker down cleanly.
        Thread hook = new Thread(broker::close, "certmetric-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (broker) {
            spec.commandLine().getOut().println("bootstrap: " + broker.bootstrapServers());
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            // Interruption (e.g. an in-process caller stopping us) ends the command; the broker is closed above.
            Thread.currentThread().interrupt();
        } finally {
            removeHook(hook);
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmShuttingDown) {
            // The hook is running or about to; nothing left to undo.
        }
    }
}
