package dev.certmetric.cli;

import dev.certmetric.scorer.Catalogue;
import dev.certmetric.scorer.ScorerSettings;
import dev.certmetric.scorer.ScorerService;
import dev.certmetric.scorer.Scorer;
import dev.certmetric.scorer.AnomalyCalibration;
import dev.certmetric.scorer.ServingModel;
import dev.certmetric.embedded.EmbeddedKafkaBroker;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.TrainingStats;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures the scorer end to end on synthetic Gaussian classes: answers/s and latency percentiles
 * in process (the {@link Scorer} alone), through Kafka (request topic to answer topic, producer send
 * to consumer receive, exactly-once commits included) and through HTTP ({@code POST /score}, closed
 * loop). Used by {@code certmetric bench-score}.
 */
public final class ScoreBenchmark {
    /**
     * One measurement; {@code cpuSeconds} is the measuring thread's CPU time where the work runs on it
     * (in process), 0 otherwise: on a shared machine answers per CPU-second is the figure that does not
     * depend on the other load.
     */
    public record Measurement(String transport, int requests, double answersPerSecond, double p50Ms, double p99Ms,
            double cpuSeconds) {
        @Override
        public String toString() {
            String line = String.format(Locale.ROOT, "%-22s %7d requests %10.1f answers/s   p50 %8.3f ms   p99 %8.3f ms",
                    transport, requests, answersPerSecond, p50Ms, p99Ms);
            return cpuSeconds > 0 ? line + String.format(Locale.ROOT, "   %10.1f answers per CPU-second", requests / cpuSeconds)
                    : line;
        }

        java.util.Map<String, Object> json() {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("answers_per_second", answersPerSecond);
            out.put("p50_ms", p50Ms);
            out.put("p99_ms", p99Ms);
            return out;
        }
    }

    private ScoreBenchmark() {
    }

    /** A snapshot of {@code classes} Gaussian blobs in p dimensions with a random rank-q metric. */
    public static MetricSnapshot syntheticSnapshot(int p, int q, int classes, int perClass, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] means = new double[classes][p];
        for (double[] m : means) {
            for (int f = 0; f < p; f++) {
                m[f] = rnd.nextGaussian() * 2;
            }
        }
        double[][] raw = new double[classes * perClass][];
        String[] labels = new String[raw.length];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                double[] x = new double[p];
                for (int f = 0; f < p; f++) {
                    x[f] = means[c][f] + rnd.nextGaussian();
                }
                raw[c * perClass + i] = x;
                labels[c * perClass + i] = "c" + c;
            }
        }
        Standardizer pre = Standardizer.fit(raw);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextGaussian() / Math.sqrt(p);
        }
        MahalanobisMetric metric = MahalanobisMetric.of(q, p, l);
        double[][] z = pre.applyAll(raw);
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            exemplars.add(new Exemplar(labels[i], z[i]));
        }
        List<String> classNames = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            classNames.add("c" + c);
        }
        return MetricSnapshot.builder().modelName("bench").version(1).createdAt(Instant.now()).metric(metric)
                .preprocessing(pre)
                .hyperparameters(new Hyperparameters(3, 10, 0.34, 20, 0.27, q, "adam", 0.03, perClass, 8, new TreeMap<>()))
                .trainingStats(new TrainingStats(z.length, 0, 0, 0, 0, 0, 0,
                        AnomalyCalibration.fromExemplars(metric, z).quantiles()))
                .classes(classNames).exemplars(exemplars).build();
    }

    /** Raw request bodies: noisy copies of class means. */
    public static byte[][] requests(MetricSnapshot s, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] mean = s.preprocessing().mean();
        double[] std = s.preprocessing().std();
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder(16 * s.p()).append("{\"id\":\"b").append(i).append("\",\"features\":[");
            for (int f = 0; f < s.p(); f++) {
                sb.append(f == 0 ? "" : ",").append(mean[f] + std[f] * rnd.nextGaussian());
            }
            out[i] = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** The processing guarantees the Kafka path is measured with, in this order. */
    public static final List<String> GUARANTEES = List.of("at_least_once", "exactly_once_v2");

    /** One run: in process, HTTP, and the Kafka path saturated under each processing guarantee. */
    public record Results(int p, int q, int exemplars, Measurement inProcess, Measurement http,
            java.util.Map<String, Measurement> kafka) {
        /**
         * The {@code --json} document: p, q, exemplars, in_process and http of three numbers each, and kafka
         * with one such object per processing guarantee.
         */
        public java.util.Map<String, Object> json() {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("p", p);
            out.put("q", q);
            out.put("exemplars", exemplars);
            out.put("in_process", inProcess.json());
            out.put("http", http.json());
            java.util.Map<String, Object> k = new java.util.LinkedHashMap<>();
            kafka.forEach((guarantee, m) -> k.put(guarantee, m.json()));
            out.put("kafka", k);
            return out;
        }
    }

    /**
     * Runs all transports; {@code bootstrap} null starts an embedded broker. The Kafka path runs once per
     * guarantee, each with its own scorer (application id, request and score topics): an unmeasured warm-up of
     * up to 10,000 requests, then {@code kafkaRequests} sent at once (saturated), then paced at half that rate;
     * HTTP runs against the first scorer.
     */
    public static Results run(String bootstrap, int p, int q, int classes, int perClass, int requests, int kafkaRequests,
            int httpThreads, List<String> guarantees, long commitMs, java.io.PrintWriter log) throws Exception {
        MetricSnapshot snapshot = syntheticSnapshot(p, q, classes, perClass, 1);
        byte[][] bodies = requests(snapshot, requests, 2);
        byte[][] kafkaBodies = requests(snapshot, kafkaRequests, 3);
        Measurement inProcess = inProcess(snapshot, bodies);
        log.println(inProcess);
        log.flush();
        EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.start() : null;
        String servers = bootstrap == null ? broker.bootstrapServers() : bootstrap;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String snapshotTopic = "bench-snapshots-" + suffix;
        try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
            if (broker != null) {
                // a p=784 snapshot with 500 exemplars is ~5 MB: above the 1 MB defaults
                try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                        java.util.Map.of("bootstrap.servers", servers))) {
                    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(snapshotTopic, 1, (short) 1)
                            .configs(java.util.Map.of("cleanup.policy", "compact", "max.message.bytes", "67108864"))))
                            .all().get();
                }
            }
            producer.send(new ProducerRecord<>(snapshotTopic, "bench".getBytes(StandardCharsets.UTF_8),
                    SnapshotCodec.encode(snapshot))).get();
            java.util.Map<String, Measurement> kafka = new java.util.LinkedHashMap<>();
            Measurement http = null;
            for (String guarantee : guarantees) {
                String run = suffix + "-" + guarantee.replace('_', '-');
                ScorerSettings settings = ScorerSettings.defaults(servers)
                        .withTopics(snapshotTopic, "bench-requests-" + run, "bench-scores-" + run)
                        .withModelName("bench").withApplicationId("bench-" + run).withHttp("127.0.0.1", 0)
                        .withProcessing(guarantee, commitMs);
                if (broker != null) {
                    broker.createTopic(settings.requestTopic(), 1, false);
                    broker.createTopic(settings.scoreTopic(), 1, false);
                }
                try (ScorerService service = new ScorerService(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                    service.start();
                    if (service.awaitModel(Duration.ofSeconds(60)) == null) {
                        throw new IllegalStateException("the scorer did not load the benchmark model");
                    }
                    // Unmeasured first: the first run through a fresh scorer (and broker) pays the JIT and
                    // the clients' start-up, which made whichever guarantee ran first look several times slower.
                    kafka(settings, producer, Arrays.copyOf(kafkaBodies, Math.min(kafkaBodies.length, 10_000)), servers, 0,
                            "warm-up");
                    Measurement saturated = kafka(settings, producer, kafkaBodies, servers, 0,
                            "kafka " + guarantee + " (saturated)");
                    log.println(saturated);
                    log.flush();
                    kafka.put(guarantee, saturated);
                    int rate = (int) Math.max(1, Math.min(1000, saturated.answersPerSecond() / 2));
                    byte[][] paced = Arrays.copyOf(kafkaBodies, Math.min(kafkaBodies.length, rate * 10));
                    log.println(kafka(settings, producer, paced, servers, rate, "kafka " + guarantee + " (" + rate + "/s paced)"));
                    log.flush();
                    if (http == null) {
                        http = http(service.httpPort(), bodies, httpThreads);
                        log.println(http);
                        log.flush();
                    }
                }
            }
            return new Results(p, q, snapshot.exemplars().size(), inProcess, http, kafka);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String servers) {
        Properties p = KafkaClientProperties.producer(servers);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "67108864");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Measurement inProcess(MetricSnapshot snapshot, byte[][] bodies) {
        return inProcess(ServingModel.of(snapshot), bodies, "in-process", null);
    }

    /**
     * Catalogue search in process: {@code items} raw vectors drawn like the requests offered to a {@link Catalogue}
     * as records of the references topic, indexed when the model is prepared (as on a hot swap), then
     * {@code requests} search requests for the k nearest answered by the {@link Scorer} alone.
     */
    public static Measurement search(int p, int q, int classes, int perClass, int items, int k, int requests,
            java.io.PrintWriter log) {
        MetricSnapshot snapshot = syntheticSnapshot(p, q, classes, perClass, 1);
        Catalogue catalogue = new Catalogue(256, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        byte[][] records = requests(snapshot, items, 3);
        long t0 = System.nanoTime();
        for (int i = 0; i < items; i++) {
            catalogue.offer("b" + i, records[i]);
        }
        long t1 = System.nanoTime();
        ServingModel model = ServingModel.of(snapshot, catalogue);
        long t2 = System.nanoTime();
        log.printf(Locale.ROOT, "catalogue: %d items (p=%d) read in %.2f s; indexed under the model (q=%d) in %.2f s%n",
                model.catalogue().size(), p, (t1 - t0) / 1e9, q, (t2 - t1) / 1e9);
        byte[][] bodies = requests(snapshot, requests, 2);
        byte[] tail = (",\"k\":" + k + ",\"search\":true}").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bodies.length; i++) {
            byte[] b = Arrays.copyOf(bodies[i], bodies[i].length - 1 + tail.length);
            System.arraycopy(tail, 0, b, bodies[i].length - 1, tail.length);
            bodies[i] = b;
        }
        double[] cpuMs = new double[bodies.length];
        Measurement m = inProcess(model, bodies, "search k=" + k, cpuMs);
        log.println(m);
        Arrays.sort(cpuMs);
        log.printf(Locale.ROOT, "CPU per search: p50 %.3f ms   p99 %.3f ms   max %.3f ms%n", percentile(cpuMs, 0.5),
                percentile(cpuMs, 0.99), cpuMs[cpuMs.length - 1]);
        log.flush();
        return m;
    }

    /** {@code cpuMs}: when not null, receives each answer's CPU time (the answering thread's), in ms. */
    private static Measurement inProcess(ServingModel model, byte[][] bodies, String transport, double[] cpuMs) {
        Scorer scorer = new Scorer(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        // Warm up for a fixed time, not a count: the JIT needs ~1 s whatever one answer costs.
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; System.nanoTime() < warmUntil; i = (i + 1) % bodies.length) {
            scorer.answer(bodies[i], model, "bench");
        }
        double[] lat = new double[bodies.length];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < bodies.length; i++) {
            long c = cpuMs == null ? 0 : threads.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            if (scorer.answer(bodies[i], model, "bench").error()) {
                throw new IllegalStateException("benchmark request answered with an error");
            }
            lat[i] = (System.nanoTime() - t) / 1e6;
            if (cpuMs != null) {
                cpuMs[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        return measurement(transport, lat, secs, cpu);
    }

    /** Sends all bodies (at {@code rate} per second, 0 = as fast as possible) and times each answer. */
    static Measurement kafka(ScorerSettings settings, KafkaProducer<byte[], byte[]> producer, byte[][] bodies,
            String servers, int rate, String label) throws Exception {
        Properties cp = KafkaClientProperties.consumer(servers, "bench-reader-" + UUID.randomUUID());
        int n = bodies.length;
        long[] sent = new long[n];
        double[] lat = new double[n];
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = consumer.partitionsFor(settings.scoreTopic()).stream()
                    .map(pi -> new org.apache.kafka.common.TopicPartition(pi.topic(), pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // only answers to this run from here on
            long start = System.nanoTime();
            Thread sender = new Thread(() -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (rate > 0) {
                        long due = t0 + (long) (i * 1e9 / rate);
                        while (System.nanoTime() < due) {
                            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1000, due - System.nanoTime()));
                        }
                    }
                    sent[i] = System.nanoTime();
                    producer.send(new ProducerRecord<>(settings.requestTopic(), ("b" + i).getBytes(StandardCharsets.UTF_8), bodies[i]));
                }
                producer.flush();
            }, "bench-sender");
            sender.start();
            int received = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            long last = start;
            while (received < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + received + " of " + n + " answers within 10 minutes");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    int i = Integer.parseInt(r.key().substring(1));
                    if (i >= n || lat[i] != 0) {
                        continue; // an answer of an earlier run
                    }
                    lat[i] = (now - sent[i]) / 1e6;
                    received++;
                    last = now;
                }
            }
            sender.join();
            return measurement(label, lat, (last - start) / 1e9, 0);
        }
    }

    static Measurement http(int port, byte[][] bodies, int threads) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/score");
        for (int i = 0; i < Math.min(100, bodies.length); i++) {
            client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i])).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        double[] lat = new double[bodies.length];
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.length) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i])).build(), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + r.statusCode());
                        }
                    } catch (Exception e) {
                        failure[0] = e;
                        return;
                    }
                    lat[i] = (System.nanoTime() - s) / 1e6;
                }
            }, "bench-http-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return measurement("http (" + threads + " clients)", lat, (System.nanoTime() - start) / 1e9, 0);
    }

    private static Measurement measurement(String transport, double[] latMs, double seconds, double cpuSeconds) {
        double[] sorted = latMs.clone();
        Arrays.sort(sorted);
        return new Measurement(transport, latMs.length, latMs.length / seconds, percentile(sorted, 0.5), percentile(sorted, 0.99),
                cpuSeconds);
    }

    private static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
