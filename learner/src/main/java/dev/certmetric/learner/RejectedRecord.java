package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** A record that failed decoding, with its original bytes, bound for the dead-letter topic. */
public class RejectedRecord {
    public byte[] key;
    public byte[] value;
    /** The reason's code, e.g. BAD_JSON (see the events decoder). */
    public String reason;
    /** A one-line human-readable explanation. */
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    public RejectedRecord() {
    }

    public RejectedRecord(RawEvent raw, String reason, String detail) {
        this.key = raw.key;
        this.value = raw.value;
        this.reason = reason;
        this.detail = detail;
        this.topic = raw.topic;
        this.partition = raw.partition;
        this.offset = raw.offset;
        this.timestamp = raw.timestamp;
    }

    public static final TypeInformation<RejectedRecord> TYPE = TypeInformation.of(RejectedRecord.class);
}
