package dev.certmetric.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.certmetric.events.InvalidEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dead-letter records for rejected input. The value is the original bytes, untouched up to a
 * size limit, so a fixed record can be replayed as is; why and where it came from travel in headers.
 *
 * <p>Everything is bounded (value, key, detail), so a dead letter always fits Kafka's default 1 MB
 * record limits: a rejected record must never fail the dead-letter sink, or it would fail the job
 * again on every restart.
 */
public final class DeadLetters {
    public static final String REASON_HEADER = "certmetric.dlq.reason";
    public static final String DETAIL_HEADER = "certmetric.dlq.detail";
    public static final String SOURCE_HEADER = "certmetric.dlq.source";
    /** Size in bytes of the original value; the value is cut to the limit when larger. */
    public static final String ORIGINAL_BYTES_HEADER = "certmetric.dlq.original-bytes";
    /** Size in bytes of the original key, present only when the key was cut to {@link #MAX_KEY_BYTES}. */
    public static final String ORIGINAL_KEY_BYTES_HEADER = "certmetric.dlq.original-key-bytes";
    public static final int MAX_KEY_BYTES = 1024;
    /** The detail header is cut to this many characters. */
    public static final int MAX_DETAIL_CHARS = 1024;

    private DeadLetters() {
    }

    /**
     * @param dlqTopic    dead-letter topic to write to
     * @param source      where the rejected record was read
     * @param key         the original key (may be null)
     * @param value       the original value bytes (may be null), passed through unchanged up to maxValueBytes
     * @param invalid     why it was rejected
     * @param maxValueBytes longer values keep only their first maxValueBytes bytes
     */
    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, SourcePosition source, byte[] key,
                                                        byte[] value, InvalidEvent invalid, int maxValueBytes) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON_HEADER, utf8(invalid.reason().wireName()));
        String detail = invalid.detail();
        headers.add(DETAIL_HEADER, utf8(detail.length() <= MAX_DETAIL_CHARS ? detail
                : detail.substring(0, MAX_DETAIL_CHARS) + "..."));
        headers.add(SOURCE_HEADER, utf8(source.toString()));
        if (value != null) {
            headers.add(ORIGINAL_BYTES_HEADER, utf8(Integer.toString(value.length)));
        }
        if (key != null && key.length > MAX_KEY_BYTES) {
            headers.add(ORIGINAL_KEY_BYTES_HEADER, utf8(Integer.toString(key.length)));
        }
        return new ProducerRecord<>(dlqTopic, null, cut(key, MAX_KEY_BYTES), cut(value, maxValueBytes), headers);
    }

    /** Dead-letter record for a rejected consumer record. */
    public static ProducerRecord<byte[], byte[]> record(String dlqTopic, ConsumerRecord<byte[], byte[]> rejected,
                                                        InvalidEvent invalid, int maxValueBytes) {
        SourcePosition source = new SourcePosition(rejected.topic(), rejected.partition(), rejected.offset());
        return record(dlqTopic, source, rejected.key(), rejected.value(), invalid, maxValueBytes);
    }

    private static byte[] cut(byte[] bytes, int max) {
        return bytes == null || bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
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
