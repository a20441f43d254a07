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
 * in process (the {@link Scorer} alone), through Kafka (request topic to answer topic under each
 * processing guarantee: paced, from send to receive, and saturated, a backlog answered, with the CPU
 * it took by thread) and through HTTP ({@code POST /score}, closed loop). Used by {@code certmetric bench-score}.
 */
public final class ScoreBenchmark {
    /**
     * One measurement; {@code cpuSeconds} is the CPU time of the threads that answered where it is known (in
     * process the measuring thread, saturated Kafka the scorer's threads), 0 otherwise: on a shared machine
     * answers per CPU-second is the figure that does not depend on the other load.
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
     * guarantee, each with its own application id and topics. A first scorer is warmed up (unmeasured: batches of
     * up to 10,000 requests sent at once for at least {@link #KAFKA_WARM_UP}) and then measured paced, at
     * {@link #PACED_RATE}, and HTTP runs against the first guarantee's. It is closed, {@code kafkaRequests} requests
     * are written to its request topic, and a second scorer of the same application id answers that backlog:
     * saturated, from its first answer to its last, while the load generator is idle, so the rate is the scorer's
     * (and the broker's), not the client's; {@link #BACKLOG_ROUNDS} times.
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
                try (ScorerService service = startScorer(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                    // The first run through a fresh JVM, scorer and broker pays the JIT and the clients' start-up,
                    // which made whichever guarantee ran first look several times slower.
                    byte[][] warmUp = Arrays.copyOf(kafkaBodies, Math.min(kafkaBodies.length, 10_000));
                    long warmUntil = System.nanoTime() + KAFKA_WARM_UP.toNanos();
                    do {
                        kafka(settings, producer, warmUp, servers, 0, "warm-up");
                    } while (System.nanoTime() < warmUntil);
                    byte[][] paced = Arrays.copyOf(kafkaBodies, Math.min(kafkaBodies.length, PACED_RATE * 10));
                    log.println(kafka(settings, producer, paced, servers, PACED_RATE,
                            "kafka " + guarantee + " (" + PACED_RATE + "/s paced)"));
                    log.flush();
                    if (http == null) {
                        http = http(service.httpPort(), bodies, httpThreads);
                        log.println(http);
                        log.flush();
                    }
                }
                Measurement saturated = null;
                for (int round = 1; round <= BACKLOG_ROUNDS; round++) {
                    long t = System.nanoTime();
                    send(settings, producer, kafkaBodies, 0, null);
                    log.printf(Locale.ROOT, "    round %d: a backlog of %d requests, written beforehand at %.0f requests/s%n",
                            round, kafkaBodies.length, kafkaBodies.length / ((System.nanoTime() - t) / 1e9));
                    Measurement m = backlog(settings, kafkaBodies.length, servers, "kafka " + guarantee + " (saturated)", log);
                    log.println(m);
                    log.flush();
                    if (saturated == null || m.answersPerSecond() > saturated.answersPerSecond()) {
                        saturated = m;
                    }
                }
                kafka.put(guarantee, saturated);
            }
            return new Results(p, q, snapshot.exemplars().size(), inProcess, http, kafka);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** The Kafka path's unmeasured warm-up before its first measurement, per guarantee. */
    static final Duration KAFKA_WARM_UP = Duration.ofSeconds(15);
    /** Requests per second of the paced run, for 10 s: a load every measured rate exceeds, so latency is not queueing. */
    static final int PACED_RATE = 1000;
    /**
     * Saturated runs per guarantee, each printed; the best counts. On a shared machine other load only ever slows a
     * run down, and the JIT may still be compiling the broker's and the clients' paths during the first.
     */
    static final int BACKLOG_ROUNDS = 2;

    private static ScorerService startScorer(ScorerSettings settings, PrometheusMeterRegistry meters) throws Exception {
        ScorerService service = new ScorerService(settings, meters);
        try {
            service.start();
            if (service.awaitModel(Duration.ofSeconds(60)) == null) {
                throw new IllegalStateException("the scorer did not load the benchmark model");
            }
            return service;
        } catch (Exception | Error e) {
            service.close();
            throw e;
        }
    }

    /**
     * The load generator's producer: uncompressed (small JSON requests), batches large enough that a backlog is
     * written several times faster than a scorer answers it; it also writes the (up to tens of MB) snapshot.
     */
    private static KafkaProducer<byte[], byte[]> producer(String servers) {
        Properties p = KafkaClientProperties.producer(servers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, BENCH_CLIENT);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "67108864");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "134217728");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Client id of bench-score's producer (its network thread carries it), for the CPU accounting. */
    private static final String BENCH_CLIENT = "bench-client";

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
        // Warm up for a fixed time, not a count, whatever one answer costs. Measured at p = 16: answers still cost
        // 28 us of CPU over their first 5 s and 16-21 us after (the JIT's last compilations come late), so 2 s
        // of warm-up left the measurement a third slow.
        long warmUntil = System.nanoTime() + 8_000_000_000L;
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

    /**
     * Sends all bodies (at {@code rate} per second, 0 = as fast as possible) keyed "b" + index, then flushes;
     * {@code sent}, when not null, receives each send's time.
     */
    private static void send(ScorerSettings settings, KafkaProducer<byte[], byte[]> producer, byte[][] bodies, int rate,
            long[] sent) {
        long t0 = System.nanoTime();
        for (int i = 0; i < bodies.length; i++) {
            if (rate > 0) {
                long due = t0 + (long) (i * 1e9 / rate);
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1000, due - System.nanoTime()));
                }
            }
            if (sent != null) {
                sent[i] = System.nanoTime();
            }
            producer.send(new ProducerRecord<>(settings.requestTopic(), ("b" + i).getBytes(StandardCharsets.UTF_8), bodies[i]));
        }
        producer.flush();
    }

    /** A reader of the score topic from its end: only answers written after this call. */
    private static KafkaConsumer<String, byte[]> answerReader(ScorerSettings settings, String servers,
            java.util.Map<String, String> overrides) {
        Properties cp = KafkaClientProperties.consumer(servers, "bench-reader-" + UUID.randomUUID());
        cp.putAll(overrides);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer());
        List<org.apache.kafka.common.TopicPartition> parts = consumer.partitionsFor(settings.scoreTopic()).stream()
                .map(pi -> new org.apache.kafka.common.TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
        return consumer;
    }

    /**
     * Reads answers until each of the n requests has one, calling {@code onAnswer} with the request's index and the
     * time it was read; answers of an earlier run (a repeated index) are skipped.
     */
    private static void readAnswers(KafkaConsumer<String, byte[]> consumer, int n, java.util.function.ObjIntConsumer<Long> onAnswer) {
        boolean[] seen = new boolean[n];
        int received = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (received < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + received + " of " + n + " answers within 10 minutes");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                long now = System.nanoTime();
                int i = Integer.parseInt(r.key().substring(1));
                if (i < n && !seen[i]) {
                    seen[i] = true;
                    received++;
                    onAnswer.accept(now, i);
                }
            }
        }
    }

    /** Sends all bodies (at {@code rate} per second, 0 = as fast as possible) and times each answer. */
    static Measurement kafka(ScorerSettings settings, KafkaProducer<byte[], byte[]> producer, byte[][] bodies,
            String servers, int rate, String label) throws Exception {
        int n = bodies.length;
        long[] sent = new long[n];
        double[] lat = new double[n];
        long[] last = new long[1];
        try (KafkaConsumer<String, byte[]> consumer = answerReader(settings, servers, java.util.Map.of())) {
            long start = System.nanoTime();
            Thread sender = new Thread(() -> send(settings, producer, bodies, rate, sent), "bench-sender");
            sender.start();
            readAnswers(consumer, n, (now, i) -> {
                lat[i] = (now - sent[i]) / 1e6;
                last[0] = now;
            });
            sender.join();
            return measurement(label, lat, (last[0] - start) / 1e9, 0);
        }
    }

    /**
     * Starts a scorer on a request topic that already holds n requests and reads its n answers: answers/s from the
     * first answer read to the last; latency is each answer's time after the first (the backlog's queueing); CPU
     * over the same span, by thread (printed to the log), and the measurement's CPU seconds those of the scorer's own
     * threads (names carrying its application id).
     */
    static Measurement backlog(ScorerSettings settings, int n, String servers, String label, java.io.PrintWriter log)
            throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        double[] lat = new double[n];
        long[] first = {0};
        long[] last = {0};
        ThreadCpu[] cpuAtFirst = new ThreadCpu[1];
        // The reader waits for larger fetches than a consumer's defaults (which fetch at once whatever arrived): at
        // a hundred small fetches a second it cost the broker in this JVM more CPU than the scorer's producer did.
        try (KafkaConsumer<String, byte[]> consumer = answerReader(settings, servers,
                java.util.Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "262144",
                        org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50"));
                ScorerService service = startScorer(settings.withHttp(settings.httpHost(), -1), meters)) {
            readAnswers(consumer, n, (now, i) -> {
                if (first[0] == 0) {
                    first[0] = now;
                    cpuAtFirst[0] = ThreadCpu.now();
                }
                lat[i] = (now - first[0]) / 1e6;
                last[0] = now;
            });
            ThreadCpu.Use use = ThreadCpu.now().since(cpuAtFirst[0], settings.applicationId());
            log.println("    CPU from first answer to last: " + use);
            log.println("    scorer clients: " + clientMetrics(meters) + "; bench-score's reader " + consumer.metrics().entrySet()
                    .stream().filter(m -> m.getKey().name().equals("fetch-total")
                            && m.getKey().group().equals("consumer-fetch-manager-metrics") && m.getKey().tags().size() == 1)
                    .map(m -> String.format(Locale.ROOT, "%.0f", (Double) m.getValue().metricValue())).findFirst().orElse("?")
                    + " fetches");
            double seconds = Math.max(1e-9, (last[0] - first[0]) / 1e9);
            double[] sorted = lat.clone();
            Arrays.sort(sorted);
            return new Measurement(label, n, (n - 1) / seconds, percentile(sorted, 0.5), percentile(sorted, 0.99),
                    use.scorer());
        }
    }

    /**
     * CPU time of this JVM, its process total and each live thread's by name, read around a run: how much of it the
     * scorer used (its threads' names carry its application id: stream and global threads, their clients' network
     * threads), how much bench-score's own client, and the rest (the embedded broker, JIT, GC).
     */
    record ThreadCpu(long processNanos, long compileMillis, long gcMillis, java.util.Map<Long, Long> nanosById,
            java.util.Map<Long, String> names) {
        static ThreadCpu now() {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
            java.util.Map<Long, String> names = new java.util.HashMap<>();
            for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null) {
                    long c = threads.getThreadCpuTime(info.getThreadId());
                    if (c >= 0) {
                        cpu.put(info.getThreadId(), c);
                        names.put(info.getThreadId(), info.getThreadName());
                    }
                }
            }
            long process = ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            long gc = 0;
            for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, b.getCollectionTime());
            }
            return new ThreadCpu(process, java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
                    gc, cpu, names);
        }

        /** CPU seconds per role since {@code before}. */
        Use since(ThreadCpu before, String applicationId) {
            double scorer = 0;
            double streamThreads = 0;
            double client = 0;
            double others = 0;
            long self = Thread.currentThread().getId();
            for (var e : nanosById.entrySet()) {
                double s = (e.getValue() - before.nanosById.getOrDefault(e.getKey(), 0L)) / 1e9;
                String name = names.get(e.getKey());
                if (name.contains(applicationId)) {
                    scorer += s;
                    if (name.matches(".*-StreamThread-\\d+")) {
                        streamThreads += s;
                    }
                } else if (e.getKey() == self || name.contains(BENCH_CLIENT)) {
                    client += s;
                } else {
                    others += s;
                }
            }
            return new Use((processNanos - before.processNanos) / 1e9, scorer, streamThreads, client, others,
                    (compileMillis - before.compileMillis) / 1e3, (gcMillis - before.gcMillis) / 1e3);
        }

        /**
         * {@code others}: the remaining Java threads (the embedded broker's); the process total adds the JIT's and GC's
         * threads, whose work shows as the JIT's compilation time and GC's collection time (wall-clock seconds).
         */
        record Use(double process, double scorer, double streamThreads, double client, double others, double compile,
                double gc) {
            @Override
            public String toString() {
                return String.format(Locale.ROOT, "process %.2f s = scorer %.2f s (stream thread %.2f s) + bench client "
                        + "%.2f s + broker %.2f s + JIT, GC %.2f s (compiling %.1f s, collecting %.2f s)", process, scorer,
                        streamThreads, client, others, process - scorer - client - others, compile, gc);
            }
        }
    }

    /**
     * The scorer's stream thread and its clients, from their Kafka metrics: what its producer sent per request, what
     * its consumer fetched per request, how often it committed.
     */
    static String clientMetrics(PrometheusMeterRegistry meters) {
        return String.format(Locale.ROOT, "producer %.0f records/request, %.0f B/batch, %.0f requests; consumer %.0f "
                        + "records/fetch, %.0f B/fetch, %.0f fetches; stream thread %.0f records/poll, %.0f commits",
                metric(meters, "kafka.producer.records.per.request.avg", "-producer"),
                metric(meters, "kafka.producer.batch.size.avg", "-producer"),
                metric(meters, "kafka.producer.request.total", "-producer"),
                metric(meters, "kafka.consumer.fetch.manager.records.per.request.avg", "StreamThread-1-consumer"),
                metric(meters, "kafka.consumer.fetch.manager.fetch.size.avg", "StreamThread-1-consumer"),
                metric(meters, "kafka.consumer.fetch.manager.fetch.total", "StreamThread-1-consumer"),
                metric(meters, "kafka.stream.thread.poll.records.avg", null),
                metric(meters, "kafka.stream.thread.commit.total", null));
    }

    /** A metric of the client whose client.id ends with {@code clientSuffix} (any when null); NaN when absent. */
    private static double metric(PrometheusMeterRegistry meters, String name, String clientSuffix) {
        return meters.find(name).meters().stream()
                .filter(m -> clientSuffix == null || String.valueOf(m.getId().getTag("client.id")).endsWith(clientSuffix))
                .findFirst()
                .map(m -> m.measure().iterator().next().getValue())
                .orElse(Double.NaN);
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
