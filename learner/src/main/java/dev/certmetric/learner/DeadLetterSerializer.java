package dev.certmetric.learner;

import dev.certmetric.events.InvalidEvent;
import dev.certmetric.events.InvalidReason;
import dev.certmetric.kafka.DeadLetters;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a rejected record to the dead-letter topic: original key and value (cut to {@code dlq.max-bytes},
 * see {@link DeadLetters}), reason in headers.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<RejectedRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final int maxValueBytes;

    public DeadLetterSerializer(String topic, int maxValueBytes) {
        this.topic = topic;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(RejectedRecord r, KafkaSinkContext context, Long timestamp) {
        InvalidReason reason = InvalidReason.valueOf(r.reason.toUpperCase(java.util.Locale.ROOT));
        return DeadLetters.record(topic, new DeadLetters.SourcePosition(r.topic, r.partition, r.offset), r.key,
                r.value, new InvalidEvent(reason, r.detail == null ? "" : r.detail), maxValueBytes);
    }
}
