package dev.certmetric.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import dev.certmetric.events.Decoded;
import dev.certmetric.events.EventDecoder;
import dev.certmetric.events.InvalidEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void keepsOriginalBytesAndDescribesTheRejection() {
        byte[] key = "row-7".getBytes(StandardCharsets.UTF_8);
        // Deliberately not valid UTF-8: the DLQ must not re-encode the value.
        byte[] value = {'{', (byte) 0xff, (byte) 0xfe, 0, '}'};
        ConsumerRecord<byte[], byte[]> rejected = new ConsumerRecord<>("certmetric.events", 3, 42L, key, value);
        Decoded decoded = EventDecoder.anyDimension().decode(value);
        InvalidEvent invalid = (InvalidEvent) decoded;

        ProducerRecord<byte[], byte[]> dlq = DeadLetters.record("certmetric.dlq", rejected, invalid, 1024);

        assertEquals("certmetric.dlq", dlq.topic());
        assertNull(dlq.partition());
        assertArrayEquals(key, dlq.key());
        assertArrayEquals(value, dlq.value());
        assertEquals("malformed_json", header(dlq, DeadLetters.REASON_HEADER));
        assertEquals(invalid.detail(), header(dlq, DeadLetters.DETAIL_HEADER));
        assertEquals("certmetric.events-3@42", header(dlq, DeadLetters.SOURCE_HEADER));
        assertEquals("5", header(dlq, DeadLetters.ORIGINAL_BYTES_HEADER));
    }

    @Test
    void largeValuesAndKeysAreCutWithTheirOriginalSizesInHeaders() {
        byte[] key = new byte[5000];
        byte[] value = new byte[10 << 20];
        value[0] = '{';
        InvalidEvent invalid = new InvalidEvent(dev.certmetric.events.InvalidReason.OVERSIZED, "x".repeat(5000));
        ProducerRecord<byte[], byte[]> dlq = DeadLetters.record("dlq", new DeadLetters.SourcePosition("in", 0, 9), key,
                value, invalid, 65536);
        assertEquals(65536, dlq.value().length);
        assertEquals('{', dlq.value()[0]);
        assertEquals(DeadLetters.MAX_KEY_BYTES, dlq.key().length);
        assertEquals(String.valueOf(10 << 20), header(dlq, DeadLetters.ORIGINAL_BYTES_HEADER));
        assertEquals("5000", header(dlq, DeadLetters.ORIGINAL_KEY_BYTES_HEADER));
        assertEquals(DeadLetters.MAX_DETAIL_CHARS + 3, header(dlq, DeadLetters.DETAIL_HEADER).length());
    }

    @Test
    void nullKeyAndValueStayNull() {
        InvalidEvent invalid = (InvalidEvent) EventDecoder.anyDimension().decode(null);
        ProducerRecord<byte[], byte[]> dlq = DeadLetters.record("dlq",
                new DeadLetters.SourcePosition("in", 0, 0), null, null, invalid, 1024);
        assertNull(dlq.key());
        assertNull(dlq.value());
        assertEquals("empty", header(dlq, DeadLetters.REASON_HEADER));
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
