package dev.certmetric.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.certmetric.events.Decoded;
import dev.certmetric.events.EventDecoder;
import dev.certmetric.events.LabeledEvent;
import dev.certmetric.embedded.WithEmbeddedKafka;
import dev.certmetric.kafka.KafkaClientProperties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProduceCommandTest extends WithEmbeddedKafka {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void replaysCsvAsDecodableEventsKeyedById() throws Exception {
        Path csv = writeCsv("tiny.csv", "a,b,species", "1.5,2,setosa", "3,-4.25,virginica", "0,0,setosa");
        broker.createTopic("events", 2, false);

        long before = System.currentTimeMillis();
        int exit = run("produce", "--data", csv.toString(), "--bootstrap", broker.bootstrapServers(),
                "--topic", "events", "--repeat", "2", "--shuffle", "--seed", "7", "--rate", "40",
                "--producer-property", "linger.ms=5");

        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("produced 6 events to events"), out.toString());
        Map<String, LabeledEvent> events = consume("events", 6);
        assertEquals(Set.of("tiny-0-0", "tiny-0-1", "tiny-0-2", "tiny-1-0", "tiny-1-1", "tiny-1-2"), events.keySet());
        LabeledEvent second = events.get("tiny-1-1");
        assertEquals("virginica", second.label());
        assertEquals(List.of(3.0, -4.25), List.of(second.features()[0], second.features()[1]));
        assertTrue(second.ts() >= before);
    }

    @Test
    void rateThrottlesSending() throws Exception {
        Path csv = writeCsv("slow.csv", "x,label", "1,a", "2,b", "3,c", "4,d", "5,e");
        long start = System.nanoTime();
        int exit = run("produce", "--data", csv.toString(), "--bootstrap", broker.bootstrapServers(),
                "--topic", "slow", "--rate", "20");
        assertEquals(0, exit, err.toString());
        // Five events at 20/s: the last one is due 200 ms after the first.
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 200);
    }

    @Test
    void missingFileIsBadInput() {
        int exit = run("produce", "--data", dir.resolve("nope.csv").toString(), "--bootstrap", "127.0.0.1:1");
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, exit);
        assertTrue(err.toString().contains("--data"), err.toString());
    }

    @Test
    void negativeRateIsBadInput() throws Exception {
        Path csv = writeCsv("r.csv", "x,label", "1,a");
        int exit = run("produce", "--data", csv.toString(), "--bootstrap", "127.0.0.1:1", "--rate", "-1");
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, exit);
        assertTrue(err.toString().contains("--rate must be a finite number >= 0"), err.toString());
    }

    /** No broker at --bootstrap: one line naming it, exit 2 (was an IllegalStateException's stack trace). */
    @Test
    void anUnreachableBrokerIsOneLineNamingTheOption() throws Exception {
        Path csv = writeCsv("u.csv", "x,label", "1,a", "2,b");
        int exit = run("produce", "--data", csv.toString(), "--bootstrap", "127.0.0.1:1",
                "--producer-property", "max.block.ms=1000");
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, exit);
        assertTrue(err.toString().startsWith("error: sending to topic certmetric.events on 127.0.0.1:1 (--bootstrap) failed"),
                err.toString());
    }

    @Test
    void nonNumericFeatureIsBadInput() throws Exception {
        Path csv = writeCsv("bad.csv", "x,label", "1,a", "oops,b");
        int exit = run("produce", "--data", csv.toString(), "--bootstrap", "127.0.0.1:1");
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, exit);
        assertTrue(err.toString().contains("line 3), column 'x' (#1)"), err.toString());
    }

    private int run(String... args) {
        CommandLine cli = CertmetricCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path writeCsv(String name, String... lines) throws Exception {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    private static Map<String, LabeledEvent> consume(String topic, int expected) {
        EventDecoder decoder = EventDecoder.forDimension(2);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(KafkaClientProperties.consumer(broker.bootstrapServers(), "check-" + topic),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertEquals(expected, records.size());
        return records.stream().collect(Collectors.toMap(ConsumerRecord::key, r -> {
            LabeledEvent event = assertInstanceOf(Decoded.Valid.class, decoder.decode(r.value())).event();
            assertEquals(r.key(), event.id());
            return event;
        }, (a, b) -> a, TreeMap::new));
    }
}
