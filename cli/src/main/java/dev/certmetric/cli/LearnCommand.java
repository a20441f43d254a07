package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.learner.EventRange;
import dev.certmetric.learner.LearnerJob;
import dev.certmetric.learner.LocalLearner;
import dev.certmetric.learner.SnapshotTopicReader;
import dev.certmetric.snapshot.MetricSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs the learner job on an in-process Flink MiniCluster against a Kafka cluster. */
@Command(name = "learn",
        mixinStandardHelpOptions = true,
        description = "Run the streaming learner (Flink, local MiniCluster): events topic in, snapshots out.")
public final class LearnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration (default: the bundled certmetric.yaml).")
    Path config;

    @Option(names = "--max-events", paramLabel = "N",
            description = "Stop after N events (valid + invalid) past the learner group's position, with a final "
                    + "snapshot; default: run until Ctrl-C.")
    Long maxEvents;

    @Option(names = "--parallelism", paramLabel = "P", description = "Learner workers (overrides learner.parallelism).")
    Integer parallelism;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--from-scratch", description = "On a start without state, learn a new model instead of "
            + "continuing the last committed snapshot (sets learner.from-scratch); versions still continue.")
    boolean fromScratch;

    @Option(names = "--web-ui", paramLabel = "PORT", arity = "0..1", fallbackValue = "8081",
            description = "Serve Flink's web UI on 127.0.0.1:PORT (default port 8081).")
    Integer webUi;

    /** The configuration overrides the options stand for, on top of {@code --set}. */
    Map<String, String> configOverrides() {
        Map<String, String> o = new LinkedHashMap<>(overrides);
        o.put("kafka.bootstrap-servers", bootstrap);
        if (fromScratch) {
            o.put("learner.from-scratch", "true");
        }
        if (parallelism != null) {
            o.put("learner.parallelism", String.valueOf(parallelism));
        }
        return o;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> o = configOverrides();
        if (maxEvents != null && maxEvents < 1) {
            throw new BadInputException("--max-events must be >= 1, got " + maxEvents);
        }
        CertmetricConfig c = CertmetricConfig.load(config, o);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            dev.certmetric.learner.TopicSetup.ensureOutputTopics(c);
        } catch (IllegalStateException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        EventRange range = null;
        if (maxEvents != null) {
            range = EventRange.firstN(c, LearnerJob.groupId(c), maxEvents, Duration.ofDays(1), have -> {
                err.printf("\rwaiting for %d events in %s (%d available)", maxEvents, c.eventsTopic(), have);
                err.flush();
            });
        }
        long start = System.nanoTime();
        MetricsEndpoint metrics = FlinkMetricsBridge.serve(c.metricsPort());
        LocalLearner job = LocalLearner.start(c, range, webUi == null ? 0 : webUi, FlinkMetricsBridge.configuration());
        Thread hook = new Thread(job::close, "certmetric-learn-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.printf("learning %s from %s (parallelism %d)%s%n", c.modelName(), c.eventsTopic(), c.parallelism(),
                    range == null ? ", until Ctrl-C" : ", " + range.size() + " events");
            out.flush();
            job.await(Duration.ofDays(3650));
        } finally {
            job.close();
            if (metrics != null) {
                metrics.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<MetricSnapshot> snapshots = SnapshotTopicReader.readAll(c.bootstrapServers(), c.kafkaPropertyMap(),
                c.snapshotsTopic(), c.modelName(), Duration.ofSeconds(30));
        if (snapshots.isEmpty()) {
            out.println("no snapshot was committed");
        } else {
            MetricSnapshot last = snapshots.get(snapshots.size() - 1);
            out.printf("done in %.1f s: snapshot v%d, %d events learned in total, prequential accuracy %.4f%n", seconds,
                    last.version(), last.trainingStats().eventsSeen(), last.trainingStats().prequentialAccuracy());
        }
        out.flush();
        return 0;
    }
}
