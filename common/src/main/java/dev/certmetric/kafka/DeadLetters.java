package dev.certmetric.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.certmetric.events.InvalidEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dead-letter records for rejected input. The value is the original bytes, untouched, so a fixed
 * record can be replayed as is; why and where it came from travel in headers.
 */
public final class DeadLetters {
    public static final String REASON_HEADER = "certmetric.dlq.reason";
    public static final String DETAIL_HEADER = "certmetric.dlq.detail";
    public static final String SOURCE_HEADER = "certmetric.dlq.source";

    private DeadLetters() {
    }

    /**
     * @param dlqTopic    dead-letter topic to write to
     * @param source      where the rejected record was read
     * @param key         the original key (may be null)
     * @param value       the original value bytes (may be null), passed through unchanged
     * @param invalid     why it was rejected
     */
    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, SourcePosition source, byte[] key,
                                                        byte[] value, InvalidEvent invalid) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, utf8(invalid.reason().wireName()));
        headers.add(DETAIL_HEADER, utf8(invalid.detail()));
        headers.add(SOURCE_HEADER, utf8(source.toString()));
        return new ProducerRecord<>(dlqTopic, null, key, value, headers);
    }

    /** Dead-letter record for a rejected consumer record. */
    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, ConsumerRecord<byte[], byte[]> rejected,
                                                        InvalidEvent invalid) {
        SourcePosition source = new SourcePosition(rejected.topic(), rejected.partition(), rejected.offset());
        return record(dlqTopic, source, rejected.key(), rejected.value(), invalid);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Position of a record in Kafka; prints as {@code topic-partition@offset}. */
    public record SourcePosition(String topic, int partition, long offset) {
        public SourcePosition {
            Objects.requireNonNull(topic, "topic");
        }

        @Override
        public String toString() {
            return topic + "-" + partition + "@" + offset;
        }
    }
}
