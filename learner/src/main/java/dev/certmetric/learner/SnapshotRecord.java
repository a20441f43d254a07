package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** An encoded snapshot bound for the compacted snapshots topic (key = model name). A Flink POJO. */
public class SnapshotRecord {
    public String modelName;
    public long version;
    /** {@code SnapshotCodec.encode} bytes. */
    public byte[] value;
    public long createdAtMillis;

    public SnapshotRecord() {
    }

    public SnapshotRecord(String modelName, long version, byte[] value, long createdAtMillis) {
        this.modelName = modelName;
        this.version = version;
        this.value = value;
        this.createdAtMillis = createdAtMillis;
    }

    public static final TypeInformation<SnapshotRecord> TYPE = TypeInformation.of(SnapshotRecord.class);
}
