package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.embedded.EmbeddedKafkaBroker;
import dev.certmetric.kafka.KafkaClientProperties;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.snapshot.MetricSnapshot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import java.util.Random;

/** Shared helpers of the learner's integration tests (real broker, real MiniCluster). */
final class LearnerFixtures {
    private LearnerFixtures() {
    }

    static CertmetricConfig config(EmbeddedKafkaBroker broker, String model, int parallelism) {
        return CertmetricConfig.builder()
                .set("kafka.bootstrap-servers", broker.bootstrapServers())
                .set("model.name", model)
                .set("topics.events", model + ".events")
                .set("topics.dead-letters", model + ".dlq")
                .set("topics.snapshots", model + ".snapshots")
                .set("learner.parallelism", String.valueOf(parallelism))
                .set("learner.certify-every", "0")
                .set("checkpoint.interval-ms", "300")
                .set("snapshots.every-millis", "300")
                .set("snapshots.every-updates", "40")
                .set("metrics.port", "0")
                .build();
    }

    static void createTopics(EmbeddedKafkaBroker broker, CertmetricConfig c, int partitions) {
        broker.createTopic(c.eventsTopic(), partitions, false);
        broker.createTopic(c.deadLettersTopic(), 1, false);
        broker.createSnapshotTopic(c.snapshotsTopic(), c.snapshotMaxBytes());
    }

    /** A dataset split into a training part (events) and a held-out part. */
    record Split(CsvDataset train, CsvDataset test) {
    }

    static Split split(String dataset, long seed) {
        CsvDataset data = CsvDataset.readResource(dataset);
        Splits.TrainTest tt = Splits.randomSplit(data.rows(), 0.3, seed);
        return new Split(data.subset(tt.train()), data.subset(tt.test()));
    }

    /** The training rows, shuffled and repeated, as n JSON events. */
    static List<byte[]> events(CsvDataset train, int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> out = new ArrayList<>(n);
        int[] order = new int[train.rows()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        long ts = 1_700_000_000_000L;
        while (out.size() < n) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < order.length && out.size() < n; i++) {
                int r = order[i];
                out.add(EventEncoder.toJson(new LabeledEvent("e" + out.size(), train.label(r), train.row(r), ts++)));
            }
        }
        return out;
    }

    static void produce(EmbeddedKafkaBroker broker, String topic, List<byte[]> values) {
        produce(KafkaClientProperties.producer(broker.bootstrapServers()), topic, values);
    }

    /** Produces {@code values} with keys k0, k1, ... through a producer of the given settings. */
    static void produce(java.util.Properties producerSettings, String topic, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            int i = 0;
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, ("k" + i++).getBytes(), v));
            }
            producer.flush();
        }
    }

    /** Every committed record of partition 0 of {@code topic}, in order (gives up after 20 s). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafkaBroker broker, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                SnapshotTopicReader.consumerProperties(broker.bootstrapServers(), Map.of()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Produces the events, runs a bounded job over exactly them to its end, returns all committed snapshots. */
    static List<MetricSnapshot> run(EmbeddedKafkaBroker broker, CertmetricConfig c, List<byte[]> events)
            throws Exception {
        produce(broker, c.eventsTopic(), events);
        EventRange range = EventRange.firstN(c, LearnerJob.groupId(c), events.size(), Duration.ofSeconds(30), a -> { });
        if (range.size() != events.size()) {
            throw new AssertionError("the range holds " + range.size() + " of " + events.size() + " events");
        }
        try (LocalLearner job = LocalLearner.start(c, range, 0)) {
            job.await(Duration.ofSeconds(120));
        }
        return snapshots(c);
    }

    static List<MetricSnapshot> snapshots(CertmetricConfig c) {
        return SnapshotTopicReader.readAll(c.bootstrapServers(), c.kafkaPropertyMap(), c.snapshotsTopic(),
                c.modelName(), Duration.ofSeconds(30));
    }

    /** 3-NN accuracy on the held-out part, references = the training part, both preprocessed. */
    static double holdoutAccuracy(MetricSnapshot s, Split split, boolean learned) {
        MahalanobisMetric metric = learned ? s.metric() : MahalanobisMetric.euclidean(s.p());
        double[][] refs = s.preprocessing().applyAll(split.train().features());
        List<String> classes = s.classes();
        int[] refClasses = codes(split.train(), classes);
        KnnClassifier knn = new KnnClassifier(metric, refs, refClasses, 3);
        return knn.accuracy(s.preprocessing().applyAll(split.test().features()), codes(split.test(), classes));
    }

    private static int[] codes(CsvDataset d, List<String> classes) {
        int[] out = new int[d.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = classes.indexOf(d.label(i));
        }
        return out;
    }

    static void assertStrictlyIncreasing(List<MetricSnapshot> snapshots) {
        for (int i = 1; i < snapshots.size(); i++) {
            long prev = snapshots.get(i - 1).version();
            long cur = snapshots.get(i).version();
            if (cur <= prev) {
                throw new AssertionError("versions not strictly increasing at " + i + ": " + prev + " then " + cur);
            }
        }
    }
}
