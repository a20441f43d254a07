package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A learner worker's whole model state ({@link WorkerModel#toBytes}), sent to the snapshot publisher
 * that merges every lineage into the published model. A Flink POJO (no Kryo).
 */
public class WorkerUpdate {
    public long lineage;
    public int subtask;
    public byte[] state;

    public WorkerUpdate() {
    }

    public WorkerUpdate(long lineage, int subtask, byte[] state) {
        this.lineage = lineage;
        this.subtask = subtask;
        this.state = state;
    }

    public static final TypeInformation<WorkerUpdate> TYPE = TypeInformation.of(WorkerUpdate.class);
}
