package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One Kafka record as read from the events topic, undecoded: decoding happens in the job so that an
 * invalid record can be routed to the dead-letter topic with its original bytes. A Flink POJO
 * (public fields, no-arg constructor), so Flink serializes it with its PojoSerializer, never Kryo.
 */
public class RawEvent {
    public byte[] key;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    /** The record's Kafka timestamp (ms since epoch). */
    public long timestamp;

    public RawEvent() {
    }

    public RawEvent(byte[] key, byte[] value, String topic, int partition, long offset, long timestamp) {
        this.key = key;
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    public static final TypeInformation<RawEvent> TYPE = TypeInformation.of(RawEvent.class);

    @Override
    public String toString() {
        return "RawEvent[" + topic + "-" + partition + "@" + offset + "]";
    }
}
