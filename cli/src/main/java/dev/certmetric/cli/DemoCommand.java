package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.embedded.EmbeddedKafkaBroker;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.learner.EventRange;
import dev.certmetric.learner.LearnerJob;
import dev.certmetric.learner.LocalLearner;
import dev.certmetric.learner.SnapshotFollower;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.scorer.ScorerLimits;
import dev.certmetric.scorer.ScorerService;
import dev.certmetric.scorer.ScorerSettings;
import dev.certmetric.scorer.ServingModel;
import dev.certmetric.snapshot.MetricSnapshot;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole pipeline in one process: embedded Kafka, a bundled (or given) dataset streamed as
 * labelled events, the Flink learner on a MiniCluster, the scorer ({@link ScorerService}) following its
 * snapshots, live progress from the snapshot topic, then the held-out rows sent to the scorer as
 * requests: the learned metric's held-out accuracy, certified accuracy, median certified radius and
 * mean anomaly score come from the scorer's answers on the scores topic. The Euclidean baseline and
 * the noisy comparison (both 3-NN with the training rows as references) are computed locally.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = "End-to-end demo: embedded broker + Flink learner + scorer on a real dataset; the held-out "
                + "rows are scored by the running scorer and compared with Euclidean 3-NN.")
public final class DemoCommand implements Callable<Integer> {
    static final double[] SIGMAS = {0.05, 0.1, 0.2};

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE.csv",
            description = "CSV with a header, numeric features and the label last (default: the bundled dataset).")
    Path data;

    @Option(names = "--dataset", defaultValue = "ionosphere", paramLabel = "NAME",
            description = "Bundled dataset when --data is not given (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--events", defaultValue = "20000", paramLabel = "N",
            description = "Events to stream: the training part shuffled and repeated (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--json", paramLabel = "OUT.json", description = "Also write the summary as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "OUT.html",
            description = "Also write a self-contained HTML page with charts of the run.")
    Path report;

    @Option(names = "--keep-alive",
            description = "After the summary keep the broker, the scorer (with HTTP) and a learner job (learning new "
                    + "events, continuing the model) running until Ctrl-C.")
    boolean keepAlive;

    @Option(names = "--web-ui", paramLabel = "PORT", arity = "0..1", fallbackValue = "8081",
            description = "Serve Flink's web UI on 127.0.0.1:PORT (default port 8081).")
    Integer webUi;

    @Option(names = "--parallelism", defaultValue = "1", paramLabel = "P",
            description = "Learner workers (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--config", paramLabel = "FILE", description = "Learner configuration (default: bundled).")
    Path config;

    @Option(names = "--seed", defaultValue = "42", description = "Split, shuffle and noise seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-ms", defaultValue = "250", paramLabel = "MS",
            description = "Checkpoint interval of the demo's learner job, which is how often it commits a snapshot "
                    + "(overrides checkpoint.interval-ms, 1 s by default): short enough for the charts and the scorer "
                    + "to follow a demo's few seconds of learning (default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    /**
     * The learning rate over the stream's second half, between the snapshots that bracket it: a short demo's
     * overall rate is mostly the job's start and the JIT's warm-up.
     */
    static String secondHalfRate(List<DemoReport.Point> history) {
        if (history.size() < 3) {
            return "";
        }
        DemoReport.Point last = history.get(history.size() - 1);
        for (DemoReport.Point p : history) {
            if (2 * p.events() >= last.events()) {
                double seconds = last.seconds() - p.seconds();
                return seconds <= 0 || p.events() == last.events() ? ""
                        : String.format(Locale.ROOT, " (%.0f events/s over the second half)",
                                (last.events() - p.events()) / seconds);
            }
        }
        return "";
    }

    @Override
    public Integer call() throws Exception {
        if (events < 1) {
            throw new BadInputException("--events must be >= 1, got " + events);
        }
        if (parallelism < 1 || parallelism > 256) {
            throw new BadInputException("--parallelism must be in [1, 256], got " + parallelism);
        }
        if (checkpointMs < CertmetricConfig.MIN_CHECKPOINT_INTERVAL_MS
                || checkpointMs > CertmetricConfig.MAX_CHECKPOINT_INTERVAL_MS) {
            throw new BadInputException("--checkpoint-ms must be in [" + CertmetricConfig.MIN_CHECKPOINT_INTERVAL_MS
                    + ", " + CertmetricConfig.MAX_CHECKPOINT_INTERVAL_MS + "], got " + checkpointMs);
        }
        PrintWriter out = spec.commandLine().getOut();
        CsvDataset all = load();
        if (all.rows() < 10) {
            throw new BadInputException("the dataset needs at least 10 rows, has " + all.rows());
        }
        Splits.TrainTest tt = Splits.randomSplit(all.rows(), 0.3, seed);
        CsvDataset train = all.subset(tt.train());
        CsvDataset test = all.subset(tt.test());
        long t0 = System.nanoTime();
        out.printf("dataset %s: %d rows, %d features, %d classes; %d for training, %d held out%n", all.name(),
                all.rows(), all.featureCount(), all.classes().size(), train.rows(), test.rows());
        out.flush();

        EmbeddedKafkaBroker broker = null;
        LocalLearner job = null;
        ScorerService scorer = null;
        AtomicReference<Runnable> cleanup = new AtomicReference<>();
        Thread hook = new Thread(() -> {
            Runnable r = cleanup.get();
            if (r != null) {
                r.run();
            }
        }, "certmetric-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            broker = EmbeddedKafkaBroker.start();
            EmbeddedKafkaBroker b = broker;
            cleanup.set(b::close);
            String model = "demo-" + all.name().replaceFirst("\\.csv$", "").replaceAll("[^a-zA-Z0-9._-]", "_");
            Map<String, String> o = new LinkedHashMap<>();
            o.put("kafka.bootstrap-servers", broker.bootstrapServers());
            o.put("model.name", model);
            o.put("events.dimension", String.valueOf(all.featureCount()));
            o.put("learner.parallelism", String.valueOf(parallelism));
            o.put("checkpoint.interval-ms", String.valueOf(checkpointMs));
            CertmetricConfig c = CertmetricConfig.load(config, o);
            broker.createTopic(c.eventsTopic(), parallelism, false);
            broker.createTopic(c.deadLettersTopic(), 1, false);
            broker.createSnapshotTopic(c.snapshotsTopic(), c.snapshotMaxBytes());
            out.printf("kafka on %s; producing %d events to %s%n", broker.bootstrapServers(), events, c.eventsTopic());
            out.flush();
            produce(c, train);

            ScorerSettings scorerSettings = ScorerSettings.defaults(c.bootstrapServers())
                    .withTopics(c.snapshotsTopic(), ScorerSettings.DEFAULT_REQUEST_TOPIC, ScorerSettings.DEFAULT_SCORE_TOPIC)
                    .withModelName(model)
                    .withApplicationId("certmetric-demo-scorer-" + model)
                    .withKafkaProperties(c.kafkaPropertyMap())
                    .withSnapshotMaxBytes(c.snapshotMaxBytes())
                    .withLimits(ScorerLimits.of(c))
                    .withTrustedKeys(c.trustedKeys())
                    .withHttp("127.0.0.1", keepAlive ? 0 : -1);
            broker.createTopic(scorerSettings.requestTopic(), 1, false);
            broker.createTopic(scorerSettings.scoreTopic(), 1, false);
            scorer = new ScorerService(scorerSettings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
            ScorerService sc = scorer;
            cleanup.set(() -> closeAll(sc, b));
            // started, and running, before the learner's clock starts: its start-up does not count as learning time
            awaitRunning(sc, Duration.ofSeconds(60));
            EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), events, Duration.ofMinutes(2), a -> { });
            long jobStart = System.nanoTime();
            MetricsEndpoint metrics = FlinkMetricsBridge.serve(c.metricsPort());
            AutoCloseable stopMetrics = () -> {
                if (metrics != null) {
                    metrics.close();
                }
            };
            job = LocalLearner.start(c, range, webUi == null ? 0 : webUi, FlinkMetricsBridge.configuration());
            LocalLearner j = job;
            cleanup.set(() -> closeAll(sc, j, b, stopMetrics));
            out.printf("scorer following %s: requests %s -> answers %s%n", c.snapshotsTopic(),
                    scorerSettings.requestTopic(), scorerSettings.scoreTopic());
            if (webUi != null) {
                out.printf("Flink web UI: http://127.0.0.1:%d%n", webUi);
            }
            if (c.metricsPort() > 0) {
                out.printf("learner metrics: http://127.0.0.1:%d/metrics%n", c.metricsPort());
            }
            out.flush();
            SnapshotFollower follower;
            List<DemoReport.Point> history = new ArrayList<>();
            double jobSeconds;
            try (SnapshotFollower f = new SnapshotFollower(c.bootstrapServers(), c.kafkaPropertyMap(),
                    c.snapshotsTopic(), c.modelName())) {
                follower = f;
                while (true) {
                    List<MetricSnapshot> arrived = f.poll(Duration.ofMillis(250));
                    MetricSnapshot last = f.last();
                    double elapsed = (System.nanoTime() - jobStart) / 1e9;
                    for (MetricSnapshot s : arrived) {
                        history.add(DemoReport.Point.of(s, elapsed));
                    }
                    if (last != null) {
                        ServingModel serving = scorer.registry().current();
                        out.printf(Locale.ROOT, "\rlearned %d/%d events | %.0f events/s | prequential accuracy %.4f "
                                        + "| snapshot v%d | scorer %s   ", last.trainingStats().eventsSeen(), events,
                                last.trainingStats().eventsSeen() / elapsed, last.trainingStats().prequentialAccuracy(),
                                last.version(), serving == null ? "waiting" : "v" + serving.version());
                    } else {
                        out.printf("\rwaiting for the first snapshot (%.0f s)", elapsed);
                    }
                    out.flush();
                    if (job.endedAndRead(f)) {
                        break;
                    }
                }
                out.println();
                // the job ends right after the final checkpoint that commits the last snapshot
                jobSeconds = (System.nanoTime() - jobStart) / 1e9;
            }
            JobStatus status = job.status();
            if (status != JobStatus.FINISHED) {
                try {
                    job.await(Duration.ofSeconds(5));
                } catch (Exception e) {
                    throw new IllegalStateException("the learner job ended " + status + ": " + e.getMessage(), e);
                }
            }
            MetricSnapshot last = follower.last();
            if (last == null) {
                throw new IllegalStateException("the learner committed no snapshot");
            }
            long invalid = SnapshotFollower.countRecords(c.bootstrapServers(), c.kafkaPropertyMap(),
                    c.deadLettersTopic(), Duration.ofSeconds(30));
            long processed = last.trainingStats().eventsSeen() + invalid;
            double wall = (System.nanoTime() - t0) / 1e9;

            Holdout h = Holdout.evaluate(last, train, test, seed);
            ServingModel serving = awaitVersion(scorer, last.version(), Duration.ofSeconds(60));
            DemoScoring.Answers answers = DemoScoring.score(c.bootstrapServers(), c.kafkaPropertyMap(),
                    scorer.settings().requestTopic(), scorer.settings().scoreTopic(), test, Duration.ofSeconds(60));
            if (answers.errors() > 0) {
                throw new IllegalStateException("the scorer answered " + answers.errors() + " held-out requests with an "
                        + "error, e.g.: " + answers.firstError());
            }
            out.println();
            out.printf(Locale.ROOT, "snapshots: %d committed, versions v%d..v%d, strictly increasing: %s%n",
                    follower.count(), follower.firstVersion(), follower.lastVersion(), follower.strictlyIncreasing());
            out.printf(Locale.ROOT, "events: %d produced, %d processed (%d invalid) in %.1f s = %.0f events/s%s%n",
                    events, processed, invalid, jobSeconds, processed / jobSeconds, secondHalfRate(history));
            out.printf(Locale.ROOT, "prequential accuracy (test-then-train, whole stream): %.4f%s%n",
                    last.trainingStats().prequentialAccuracy(), events > train.rows()
                            ? " (optimistic: the stream repeats the " + train.rows()
                            + " training rows, so the vote's memory often holds a copy of the event)" : "");
            out.printf(Locale.ROOT, "held-out rows (%d) sent to the scorer as requests, answered by %s (k=%d over %d "
                            + "exemplars):%n", test.rows(), answers.versionLabel(), serving.k(),
                    serving.snapshot().exemplars().size());
            out.printf(Locale.ROOT, "  learned-metric accuracy %.4f%n", answers.accuracy());
            StringBuilder cert = new StringBuilder();
            for (int i = 0; i < DemoScoring.RADII.length; i++) {
                cert.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f at r=%s",
                        answers.certifiedAccuracy()[i], dev.certmetric.eval.EvaluationResult.key(DemoScoring.RADII[i])));
            }
            out.printf(Locale.ROOT, "  certified accuracy %s%n", cert);
            out.printf(Locale.ROOT, "  median certified radius %s (misclassified rows count 0; preprocessed input space)%n",
                    DemoReport.radius(answers.medianRadius()));
            out.printf(Locale.ROOT, "  mean anomaly score %.4f%n", answers.meanAnomalyScore());
            out.printf(Locale.ROOT, "held-out 3-NN accuracy, computed locally with the %d training rows as references "
                    + "(noise on the preprocessed inputs):%n", train.rows());
            out.printf(Locale.ROOT, "  %-14s %10s %10s%n", "noise sigma", "euclidean", "learned");
            out.printf(Locale.ROOT, "  %-14s %10.4f %10.4f%n", "0 (clean)", h.euclidean[0], h.learned[0]);
            for (int s = 0; s < SIGMAS.length; s++) {
                out.printf(Locale.ROOT, "  %-14s %10.4f %10.4f%n", String.valueOf(SIGMAS[s]), h.euclidean[s + 1],
                        h.learned[s + 1]);
            }
            out.printf(Locale.ROOT, "wall time %.1f s%n", wall);
            out.flush();
            if (json != null) {
                Map<String, Object> j1 = new LinkedHashMap<>();
                j1.put("events_produced", events);
                j1.put("events_processed", processed);
                j1.put("events_invalid", invalid);
                j1.put("snapshots", follower.count());
                j1.put("first_version", follower.firstVersion());
                j1.put("last_version", follower.lastVersion());
                j1.put("versions_strictly_increasing", follower.strictlyIncreasing());
                j1.put("prequential_accuracy", last.trainingStats().prequentialAccuracy());
                Map<String, Object> ha = new LinkedHashMap<>();
                ha.put("euclidean", h.euclidean[0]);
                ha.put("learned", answers.accuracy());
                j1.put("holdout_accuracy", ha);
                j1.put("wall_seconds", round(wall));
                j1.put("events_per_second", round(processed / jobSeconds));
                JsonOutput.write(json, j1);
                out.println("summary written to " + json);
            }
            if (report != null) {
                String description = String.format(Locale.ROOT, "%s: %d rows, %d features, %d classes; %d events "
                                + "streamed from the %d training rows; %d snapshots v%d..v%d committed in %.1f s; "
                                + "learner parallelism %d.", all.name(), all.rows(), all.featureCount(),
                        all.classes().size(), events, train.rows(), follower.count(), follower.firstVersion(),
                        follower.lastVersion(), jobSeconds, parallelism);
                try {
                    Files.writeString(report, DemoReport.render(new DemoReport.Content(all.name(), description, history, h,
                            answers, train.rows(), test.rows())), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new BadInputException("--report: cannot write " + report + ": " + e.getMessage(), e);
                }
                out.println("report written to " + report);
            }
            if (keepAlive) {
                // The bounded job has finished, and its metrics went with it: a job without an end takes over,
                // seeded from the last snapshot and reading from the committed offsets, so that events produced
                // from now on are learned, new snapshots reach the scorer and the learner's metrics are served.
                job.close();
                job = LocalLearner.start(c, null, webUi == null ? 0 : webUi, FlinkMetricsBridge.configuration());
                LocalLearner kept = job;
                cleanup.set(() -> closeAll(sc, kept, b, stopMetrics));
                printHowToQuery(out, c, scorer, test.row(0));
                new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops scorer, job and broker
            }
            return 0;
        } finally {
            if (scorer != null) {
                scorer.close();
            }
            if (job != null) {
                job.close();
            }
            if (broker != null) {
                broker.close();
            }
            cleanup.set(null);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /** Closes each in turn (on Ctrl-C), so that one failing does not leave the others running. */
    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("while stopping " + r.getClass().getSimpleName() + ": " + e);
            }
        }
    }

    private static void awaitRunning(ScorerService scorer, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (scorer.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            if (scorer.state().hasCompletedShutdown() || scorer.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("the scorer did not start (Kafka Streams " + scorer.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    /** Waits until the scorer serves {@code version} (or a later one). */
    static ServingModel awaitVersion(ScorerService scorer, long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ServingModel m = scorer.registry().current();
            if (m != null && m.version() >= version) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the scorer did not load snapshot v" + version + " within "
                        + timeout.toSeconds() + " s (serving: " + (m == null ? "nothing" : "v" + m.version()) + ")");
            }
            Thread.sleep(50);
        }
    }

    private void printHowToQuery(PrintWriter out, CertmetricConfig c, ScorerService scorer, double[] example) {
        String body = new String(DemoScoring.request("q1", example), java.nio.charset.StandardCharsets.UTF_8);
        out.println();
        out.println("running until Ctrl-C:");
        out.printf("  kafka      %s (topics %s, %s, %s, %s, %s)%n", c.bootstrapServers(), c.eventsTopic(),
                c.snapshotsTopic(), c.deadLettersTopic(), scorer.settings().requestTopic(), scorer.settings().scoreTopic());
        out.printf("  scorer     curl -s http://127.0.0.1:%d/model%n", scorer.httpPort());
        out.printf("             curl -s -X POST http://127.0.0.1:%d/score -d '%s'%n", scorer.httpPort(), body);
        out.printf("             or produce {\"id\",\"features\"} to %s and read %s (isolation.level=read_committed)%n",
                scorer.settings().requestTopic(), scorer.settings().scoreTopic());
        out.printf("             metrics: http://127.0.0.1:%d/metrics%n", scorer.httpPort());
        out.printf("  learner    learning what is produced to %s, continuing the model of the last snapshot%n",
                c.eventsTopic());
        if (webUi != null) {
            out.printf("             Flink UI http://127.0.0.1:%d%n", webUi);
        }
        if (c.metricsPort() > 0) {
            out.printf("             metrics: http://127.0.0.1:%d/metrics%n", c.metricsPort());
        }
        out.flush();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private CsvDataset load() {
        if (data == null) {
            try {
                return CsvDataset.readResource(dataset);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--dataset: " + e.getMessage(), e);
            }
        }
        try {
            return CsvDataset.read(data);
        } catch (NoSuchFileException e) {
            throw new BadInputException("--data: no such file: " + data);
        } catch (IOException e) {
            throw new BadInputException("--data: cannot read " + data + ": " + e.getMessage(), e);
        }
    }

    private void produce(CertmetricConfig c, CsvDataset train) {
        Random random = new Random(seed);
        int[] order = new int[train.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Properties props = KafkaClientProperties.producer(c.bootstrapServers());
        props.put("linger.ms", "5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            int sent = 0;
            for (int round = 0; sent < events; round++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int k = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[k];
                    order[k] = t;
                }
                for (int i = 0; i < order.length && sent < events; i++, sent++) {
                    int r = order[i];
                    LabeledEvent e = new LabeledEvent(train.name() + "-" + round + "-" + r, train.label(r), train.row(r),
                            System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(c.eventsTopic(), e.id(), EventEncoder.toJson(e)));
                }
            }
            producer.flush();
        }
    }

    /** Held-out 3-NN accuracy, Euclidean vs learned, clean (index 0) and under each noise sigma. */
    static final class Holdout {
        final double[] euclidean = new double[SIGMAS.length + 1];
        final double[] learned = new double[SIGMAS.length + 1];

        static Holdout evaluate(MetricSnapshot s, CsvDataset train, CsvDataset test, long seed) {
            List<String> classes = s.classes();
            double[][] refs = s.preprocessing().applyAll(train.features());
            int[] refClasses = codes(train, classes);
            double[][] x = s.preprocessing().applyAll(test.features());
            int[] y = codes(test, classes);
            KnnClassifier euclid = new KnnClassifier(MahalanobisMetric.euclidean(s.p()), refs, refClasses, 3);
            KnnClassifier learned = new KnnClassifier(s.metric(), refs, refClasses, 3);
            Holdout h = new Holdout();
            h.euclidean[0] = euclid.accuracy(x, y);
            h.learned[0] = learned.accuracy(x, y);
            Random random = new Random(seed ^ 0x5eed);
            for (int k = 0; k < SIGMAS.length; k++) {
                double[][] noisy = new double[x.length][];
                for (int i = 0; i < x.length; i++) {
                    noisy[i] = x[i].clone();
                    for (int f = 0; f < noisy[i].length; f++) {
                        noisy[i][f] += SIGMAS[k] * random.nextGaussian();
                    }
                }
                h.euclidean[k + 1] = euclid.accuracy(noisy, y);
                h.learned[k + 1] = learned.accuracy(noisy, y);
            }
            return h;
        }

        private static int[] codes(CsvDataset d, List<String> classes) {
            int[] out = new int[d.rows()];
            for (int i = 0; i < out.length; i++) {
                out[i] = classes.indexOf(d.label(i));
            }
            return out;
        }
    }
}
