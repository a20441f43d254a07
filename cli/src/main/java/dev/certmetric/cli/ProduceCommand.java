package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.events.EventEncoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.kafka.KafkaClientProperties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Replays a labeled CSV into Kafka as JSON {@link LabeledEvent}s keyed by id. */
@Command(name = "produce",
        mixinStandardHelpOptions = true,
        description = "Replay a CSV (header row, numeric features, class label in the last column) "
                + "into Kafka as labeled JSON events.")
public final class ProduceCommand implements Callable<Integer> {
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE.csv",
            description = "CSV file to replay, or the name of a bundled dataset.")
    String data;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "certmetric.events", description = "Target topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N",
            description = "Events per second, 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "R",
            description = "Replay the file R times, R >= 1 (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--shuffle", description = "Shuffle the row order of every replay.")
    boolean shuffle;

    @Option(names = "--seed", defaultValue = "42", description = "Shuffle seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka producer setting; repeatable.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new BadInputException("--rate must be a finite number >= 0 events/s (0 = unthrottled), got " + rate);
        }
        if (repeat < 1) {
            throw new BadInputException("--repeat must be >= 1, got " + repeat);
        }
        CsvDataset rows = Datasets.load(data);
        String stem = stem(rows.name());
        long total = (long) rows.rows() * repeat;
        PrintWriter err = spec.commandLine().getErr();

        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        long sent = 0;
        try (KafkaProducer<String, byte[]> producer = createProducer()) {
            Random random = new Random(seed);
            long start = System.nanoTime();
            long nextProgress = start + PROGRESS_INTERVAL_NANOS;
            for (int r = 0; r < repeat; r++) {
                for (int row : order(rows.rows(), shuffle ? random : null)) {
                    if (rate > 0) {
                        awaitNanos(start + (long) (sent * 1e9 / rate));
                    }
                    LabeledEvent event = new LabeledEvent(stem + "-" + r + "-" + row, rows.label(row),
                            rows.row(row), System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(topic, event.id(), EventEncoder.toJson(event)),
                            (metadata, e) -> {
                                if (e != null) {
                                    sendFailure.compareAndSet(null, e);
                                }
                            });
                    sent++;
                    failIfSendFailed(sendFailure);
                    if (System.nanoTime() >= nextProgress) {
                        err.printf("produced %d/%d events%n", sent, total);
                        err.flush();
                        nextProgress += PROGRESS_INTERVAL_NANOS;
                    }
                }
            }
            producer.flush();
        }
        failIfSendFailed(sendFailure);
        spec.commandLine().getOut().printf("produced %d events to %s%n", sent, topic);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private KafkaProducer<String, byte[]> createProducer() {
        Properties props = KafkaClientProperties.producer(bootstrap);
        props.putAll(producerProperties);
        try {
            return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new BadInputException("--bootstrap/--producer-property: cannot create a producer: "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
        }
    }

    private void failIfSendFailed(AtomicReference<Exception> failure) {
        Exception e = failure.get();
        if (e != null) {
            // One line, no stack trace: what fails a send here (no broker at --bootstrap, a record over the topic's
            // limit, an ACL) is the user's to fix.
            throw new BadInputException("sending to topic " + topic + " on " + bootstrap + " (--bootstrap) failed: "
                    + e.getMessage(), e);
        }
    }

    /** Row indices in file order, or shuffled (Fisher-Yates) when a random source is given. */
    private static int[] order(int n, Random random) {
        int[] order = Splits.identity(n);
        if (random != null) {
            Splits.shuffle(order, random);
        }
        return order;
    }

    private static void awaitNanos(long deadline) {
        for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
