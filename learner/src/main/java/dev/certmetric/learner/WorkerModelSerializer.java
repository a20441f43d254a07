package dev.certmetric.learner;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink's serializer for {@link WorkerModel} state as earlier versions wrote it: a length-prefixed
 * {@link WorkerModel#toBytes} (which wraps {@code SettingsRaceCodec}). The operators now keep those bytes
 * themselves as state and read this one only to restore checkpoints and savepoints written before.
 */
public final class WorkerModelSerializer extends TypeSerializerSingleton<WorkerModel> {
    private static final long serialVersionUID = 1L;
    public static final WorkerModelSerializer INSTANCE = new WorkerModelSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public WorkerModel createInstance() {
        return null;
    }

    @Override
    public WorkerModel copy(WorkerModel from) {
        return WorkerModel.fromBytes(WorkerModel.toBytes(from));
    }

    @Override
    public WorkerModel copy(WorkerModel from, WorkerModel reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(WorkerModel record, DataOutputView target) throws IOException {
        byte[] bytes = WorkerModel.toBytes(record);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public WorkerModel deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return WorkerModel.fromBytes(bytes);
    }

    @Override
    public WorkerModel deserialize(WorkerModel reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<WorkerModel> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the format version lives inside the bytes (WorkerModel / SettingsRaceCodec). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WorkerModel> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
