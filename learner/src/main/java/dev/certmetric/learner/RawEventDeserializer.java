package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps each Kafka record whole (key, value bytes and position): decoding is the job's business. */
public final class RawEventDeserializer implements KafkaRecordDeserializationSchema<RawEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
        out.collect(new RawEvent(record.key(), record.value(), record.topic(), record.partition(), record.offset(),
                record.timestamp()));
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return RawEvent.TYPE;
    }
}
