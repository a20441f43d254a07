package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.embedded.EmbeddedKafkaBroker;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.learner.EventRange;
import dev.certmetric.learner.LearnerJob;
import dev.certmetric.learner.LocalLearner;
import dev.certmetric.learner.SnapshotFollower;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * End-to-end throughput of the learner job on an embedded broker: synthetic labelled events
 * (Gaussian classes in p dimensions) are produced first, then the bounded job runs once per
 * parallelism; reports events/s and how long each snapshot took from creation to being readable by
 * a read_committed consumer (snapshot visibility lag).
 */
@Command(name = "bench-learn",
        mixinStandardHelpOptions = true,
        description = "Benchmark the learner end to end (embedded Kafka + Flink MiniCluster): events/s and "
                + "snapshot visibility lag per learner parallelism.")
public final class BenchLearnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "50000", paramLabel = "N", description = "Events per run (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--dim", defaultValue = "16", paramLabel = "P", description = "Feature dimension (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--classes", defaultValue = "4", description = "Classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--data", paramLabel = "FILE|NAME", description = "Replay this dataset's rows in file order, "
            + "cycled to --events, instead of Gaussian classes (a CSV or ARFF file or a bundled dataset name; "
            + "--dim and --classes are then the data's).")
    String data;

    @Option(names = "--parallelism", defaultValue = "1,2", split = ",", paramLabel = "P1,P2",
            description = "Learner parallelisms to compare (default: ${DEFAULT-VALUE}).")
    int[] parallelisms;

    // 10,000 left C2 compiling the learner, Flink and the embedded broker well into the timed runs (2 cores).
    @Option(names = "--warmup", defaultValue = "30000", paramLabel = "N",
            description = "Events of an untimed warm-up run first, 0 = none (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--config", paramLabel = "FILE", description = "Learner configuration (default: bundled).")
    Path config;

    @Option(names = "--json", paramLabel = "OUT.json", description = "Also write the results as JSON.")
    Path json;

    private CsvDataset dataset;

    @Override
    public Integer call() throws Exception {
        if (events < 100 || dim < 1 || dim > 4096 || classes < 2 || classes > 1000) {
            throw new BadInputException("need --events >= 100, --dim in [1, 4096], --classes in [2, 1000]");
        }
        for (int p : parallelisms) {
            if (p < 1 || p > 64) {
                throw new BadInputException("--parallelism values must be in [1, 64], got " + p);
            }
        }
        dataset = data == null ? null : Datasets.load(data);
        if (dataset != null) {
            dim = dataset.featureCount();
            classes = dataset.classes().size();
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            if (warmup > 0) { // JIT, class loading and the first MiniCluster start are not the learner's cost
                int measured = events;
                events = warmup;
                run(broker, 1, out);
                events = measured;
            }
            for (int p : parallelisms) {
                results.add(run(broker, p, out));
            }
        }
        out.printf("%nlearner end to end: %d events%s, p=%d features, %d classes%n", events,
                dataset == null ? "" : " of " + dataset.name(), dim, classes);
        out.printf("%-12s %10s %12s %14s %10s %12s %12s %12s%n", "parallelism", "seconds", "events/s",
                "steady ev/s", "snapshots", "lag p50 ms", "lag p90 ms", "lag max ms");
        for (Map<String, Object> r : results) {
            out.printf(Locale.ROOT, "%-12d %10.1f %12.0f %14.0f %10d %12.0f %12.0f %12.0f%n", r.get("parallelism"),
                    r.get("seconds"), r.get("events_per_second"), r.get("steady_events_per_second"),
                    r.get("snapshots"), r.get("lag_p50_ms"), r.get("lag_p90_ms"), r.get("lag_max_ms"));
        }
        for (Map<String, Object> r : results) {
            out.printf(Locale.ROOT, "parallelism %d: first snapshot (%d events) created at %d ms, last created at %d ms, "
                    + "visible at %d ms after the job's start%n", r.get("parallelism"), r.get("first_snapshot_events"),
                    r.get("first_snapshot_created_ms"), r.get("last_snapshot_created_ms"), r.get("last_snapshot_visible_ms"));
        }
        out.flush();
        if (json != null) {
            JsonOutput.write(json, results);
        }
        return 0;
    }

    private Map<String, Object> run(EmbeddedKafkaBroker broker, int p, PrintWriter out) throws Exception {
        String model = "bench-p" + p + "-" + System.nanoTime();
        Map<String, String> o = new LinkedHashMap<>();
        o.put("kafka.bootstrap-servers", broker.bootstrapServers());
        o.put("model.name", model);
        o.put("topics.events", model + ".events");
        o.put("topics.dead-letters", model + ".dlq");
        o.put("topics.snapshots", model + ".snapshots");
        o.put("events.dimension", String.valueOf(dim));
        o.put("learner.parallelism", String.valueOf(p));
        o.put("metrics.port", "0");
        CertmetricConfig c = CertmetricConfig.load(config, o);
        broker.createTopic(c.eventsTopic(), p, false);
        broker.createTopic(c.deadLettersTopic(), 1, false);
        broker.createSnapshotTopic(c.snapshotsTopic(), c.snapshotMaxBytes());
        produce(c);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), events, Duration.ofMinutes(5), a -> { });
        List<Double> lags = new ArrayList<>();
        MetricSnapshot first = null;
        MetricSnapshot last = null;
        long start = System.nanoTime();
        long wallStart = System.currentTimeMillis();
        long lastArrival = start;
        long lastArrivalWall = wallStart;
        try (LocalLearner job = LocalLearner.start(c, range, 0);
             SnapshotFollower f = new SnapshotFollower(c.bootstrapServers(), c.kafkaPropertyMap(), c.snapshotsTopic(),
                     c.modelName())) {
            while (true) {
                for (MetricSnapshot s : f.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    lags.add((double) (now - s.createdAt().toEpochMilli()));
                    first = first == null ? s : first;
                    last = s;
                    lastArrival = System.nanoTime();
                    lastArrivalWall = now;
                }
                out.printf("\rparallelism %d: %d/%d events learned", p, last == null ? 0 : last.trainingStats().eventsSeen(),
                        events);
                out.flush();
                if (job.endedAndRead(f)) {
                    break;
                }
            }
            job.await(Duration.ofSeconds(10));
        }
        out.println();
        if (last == null) {
            throw new IllegalStateException("no snapshot committed at parallelism " + p);
        }
        double seconds = (lastArrival - start) / 1e9;
        double steady = last == first ? Double.NaN
                : (last.trainingStats().eventsSeen() - first.trainingStats().eventsSeen())
                / ((last.createdAt().toEpochMilli() - first.createdAt().toEpochMilli()) / 1000.0);
        double[] l = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("parallelism", p);
        r.put("events", last.trainingStats().eventsSeen());
        r.put("seconds", seconds);
        r.put("events_per_second", last.trainingStats().eventsSeen() / seconds);
        r.put("steady_events_per_second", steady);
        r.put("snapshots", (long) l.length);
        r.put("lag_p50_ms", percentile(l, 0.5));
        r.put("lag_p90_ms", percentile(l, 0.9));
        r.put("lag_max_ms", l[l.length - 1]);
        r.put("prequential_accuracy", last.trainingStats().prequentialAccuracy());
        // Where the wall time went: job start-up until the first snapshot, learning, and the commit of the last.
        long startMillis = wallStart;
        r.put("first_snapshot_created_ms", first.createdAt().toEpochMilli() - startMillis);
        r.put("first_snapshot_events", first.trainingStats().eventsSeen());
        r.put("last_snapshot_created_ms", last.createdAt().toEpochMilli() - startMillis);
        r.put("last_snapshot_visible_ms", lastArrivalWall - startMillis);
        return r;
    }

    private static double percentile(double[] sorted, double f) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(f * (sorted.length - 1)))];
    }

    private void produce(CertmetricConfig c) {
        Random random = new Random(7);
        double[][] centres = new double[classes][dim];
        for (double[] centre : centres) {
            for (int f = 0; f < dim; f++) {
                centre[f] = random.nextGaussian() * 2;
            }
        }
        Properties props = KafkaClientProperties.producer(c.bootstrapServers());
        props.put("linger.ms", "5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            long ts = System.currentTimeMillis();
            for (int i = 0; i < events; i++) {
                LabeledEvent e;
                if (dataset != null) {
                    int row = i % dataset.rows();
                    e = new LabeledEvent("b" + i, dataset.label(row), dataset.row(row), ts + i);
                } else {
                    int y = random.nextInt(classes);
                    double[] x = Arrays.copyOf(centres[y], dim);
                    for (int f = 0; f < dim; f++) {
                        x[f] += random.nextGaussian() * (f % 4 == 0 ? 4 : 1); // some noisy axes to learn away
                    }
                    e = new LabeledEvent("b" + i, "c" + y, x, ts + i);
                }
                producer.send(new ProducerRecord<>(c.eventsTopic(), e.id(), EventEncoder.toJson(e)));
            }
            producer.flush();
        }
    }
}
