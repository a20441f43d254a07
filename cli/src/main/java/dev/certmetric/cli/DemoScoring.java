package dev.certmetric.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.kafka.KafkaClientProperties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The demo's held-out evaluation through the running scorer: every held-out row is produced as a
 * request {@code {"id","features"}} (raw features; the scorer applies the snapshot's preprocessing)
 * and the figures are computed from the answers read back from the scores topic (read_committed).
 */
final class DemoScoring {
    /** Radii (preprocessed input space) of the certified-accuracy figures. */
    static final double[] RADII = {0.02, 0.05, 0.1};
    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoScoring() {
    }

    /**
     * Figures from the scorer's answers.
     *
     * @param versions the snapshot versions that answered
     * @param certifiedAccuracy per {@link #RADII}: correct and certified radius >= r
     * @param medianRadius median certified radius over the rows, a misclassified row counting 0, an
     *     unbounded radius (single-class model) +infinity
     */
    record Answers(int requests, int errors, String firstError, SortedSet<Long> versions, double accuracy,
            double[] certifiedAccuracy, double medianRadius, double meanAnomalyScore) {

        /** "v7" or "v6..v7" if the model changed while answering. */
        String versionLabel() {
            return versions.isEmpty() ? "none" : versions.first().equals(versions.last()) ? "v" + versions.first()
                    : "v" + versions.first() + "..v" + versions.last();
        }
    }

    static byte[] request(String id, double[] features) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        ArrayNode f = o.putArray("features");
        for (double v : features) {
            f.add(v);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the held-out rows as requests and waits (up to {@code timeout}) for every answer. */
    static Answers score(String bootstrap, Map<String, String> kafkaProperties, String requestTopic, String scoreTopic,
                         CsvDataset test, Duration timeout) {
        String prefix = "holdout-" + Long.toHexString(System.nanoTime()) + "-";
        Properties cp = new Properties();
        cp.putAll(kafkaProperties);
        cp.putAll(KafkaClientProperties.consumer(bootstrap, "certmetric-demo-holdout"));
        cp.put("enable.auto.commit", "false");
        Map<String, JsonNode> answers = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(scoreTopic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(scoreTopic, info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30))); // fix the start before sending

            Properties pp = new Properties();
            pp.putAll(kafkaProperties);
            pp.putAll(KafkaClientProperties.producer(bootstrap));
            pp.put("linger.ms", "5");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < test.rows(); i++) {
                    producer.send(new ProducerRecord<>(requestTopic, prefix + i, request(prefix + i, test.row(i))));
                }
                producer.flush();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (answers.size() < test.rows()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the scorer answered " + answers.size() + " of " + test.rows()
                            + " held-out requests within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() != null && r.key().startsWith(prefix)) {
                        try {
                            answers.put(r.key(), JSON.readTree(r.value()));
                        } catch (IOException e) {
                            throw new IllegalStateException("unreadable answer for " + r.key() + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
        }
        List<JsonNode> ordered = new ArrayList<>();
        for (int i = 0; i < test.rows(); i++) {
            ordered.add(answers.get(prefix + i));
        }
        return summarize(ordered, test);
    }

    /** The figures of answers (answer i for held-out row i). */
    static Answers summarize(List<JsonNode> answers, CsvDataset test) {
        int n = answers.size();
        int errors = 0;
        String firstError = null;
        int correct = 0;
        int[] certified = new int[RADII.length];
        double[] radii = new double[n];
        double anomalySum = 0;
        int anomalyCount = 0;
        SortedSet<Long> versions = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            JsonNode a = answers.get(i);
            if (a.hasNonNull("error")) {
                errors++;
                if (firstError == null) {
                    firstError = a.get("error").asText();
                }
                continue;
            }
            versions.add(a.path("version").asLong());
            boolean ok = test.label(i).equals(a.path("label").asText(null));
            JsonNode r = a.get("certified_radius");
            double radius = r == null || r.isNull() ? Double.POSITIVE_INFINITY : r.asDouble();
            if (ok) {
                correct++;
                radii[i] = radius;
                for (int k = 0; k < RADII.length; k++) {
                    if (radius >= RADII[k]) {
                        certified[k]++;
                    }
                }
            }
            if (a.hasNonNull("anomaly_score")) {
                anomalySum += a.get("anomaly_score").asDouble();
                anomalyCount++;
            }
        }
        double[] certifiedAccuracy = new double[RADII.length];
        for (int k = 0; k < RADII.length; k++) {
            certifiedAccuracy[k] = n == 0 ? Double.NaN : (double) certified[k] / n;
        }
        Arrays.sort(radii);
        double median = n == 0 ? Double.NaN : n % 2 == 1 ? radii[n / 2]
                : (Double.isInfinite(radii[n / 2]) ? radii[n / 2] : (radii[n / 2 - 1] + radii[n / 2]) / 2);
        return new Answers(n, errors, firstError, versions, n == 0 ? Double.NaN : (double) correct / n,
                certifiedAccuracy, median, anomalyCount == 0 ? Double.NaN : anomalySum / anomalyCount);
    }
}
