package dev.certmetric.learner;

import dev.certmetric.memory.ExemplarReservoir;
import dev.certmetric.train.LearnerStateCodec;
import dev.certmetric.train.StateBytes;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.SettingsRaceCodec;
import dev.certmetric.train.StreamingLearner;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One learner lineage: a {@link SettingsRace} (the plain learner is a race of one) with its identity,
 * a running loss and its exemplar memory for snapshots ({@link ExemplarReservoir}, fed every event, read only
 * by the publisher). A worker trains one; the publisher holds the latest of every lineage and merges them.
 *
 * <p>The lineage id is random and travels in checkpoints, so a worker and the publisher, both
 * restored from the same checkpoint, agree on it; after rescaling a worker may hold several.
 */
public final class WorkerModel {
    private static final int MAGIC = 0x434d574d; // "CMWM"
    /**
     * 3: a settings race and the exemplar memory; 2 and 1 (still read, with an empty memory): a settings race, a
     * bare learner (now a race of one).
     */
    private static final int FORMAT = 3;

    private final long lineage;
    private final SettingsRace race;
    /** Exponential moving average of the total loss of recent gradient steps (NaN before the first). */
    private double lossEma;
    private final ExemplarReservoir memory;

    /** A new lineage, before its first event: no loss yet, and an empty memory of {@code memoryPerClass} a class. */
    static WorkerModel start(long lineage, SettingsRace race, int memoryPerClass) {
        return new WorkerModel(lineage, race, Double.NaN,
                new ExemplarReservoir(memoryPerClass, race.leader().dimension()));
    }

    /** A lineage without exemplar memory (snapshots carry its window alone). */
    public WorkerModel(long lineage, SettingsRace race, double lossEma) {
        this(lineage, race, lossEma, new ExemplarReservoir(0, race.leader().dimension()));
    }

    public WorkerModel(long lineage, SettingsRace race, double lossEma, ExemplarReservoir memory) {
        if (memory.dimension() != race.leader().dimension()) {
            throw new IllegalArgumentException("memory of dimension " + memory.dimension() + " for a learner of "
                    + race.leader().dimension());
        }
        this.lineage = lineage;
        this.race = race;
        this.lossEma = lossEma;
        this.memory = memory;
    }

    public long lineage() {
        return lineage;
    }

    public SettingsRace race() {
        return race;
    }

    /** The race's leader: after the race, the only learner. */
    public StreamingLearner learner() {
        return race.leader();
    }

    /** The exemplar memory: a uniform sample per class of the distinct rows since the leader's last drift. */
    public ExemplarReservoir memory() {
        return memory;
    }

    /**
     * Offers an event the race has just learned to the memory, restarted by a drift the leader detected (or by a
     * new race leader with another drift count: the memory follows the learner whose window is published).
     */
    public void remember(double[] raw, String label, long timestamp) {
        memory.add(label, timestamp, raw, learner().counters().drifts());
    }

    public double lossEma() {
        return lossEma;
    }

    public void observeLoss(double loss) {
        if (Double.isFinite(loss)) {
            lossEma = Double.isNaN(lossEma) ? loss : 0.9 * lossEma + 0.1 * loss;
        }
    }

    /** Writes the lineage, the learners' partial batches included (writing steps none of them). */
    public static void write(WorkerModel m, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeLong(m.lineage);
        out.writeDouble(m.lossEma);
        SettingsRaceCodec.write(m.race, out);
        ExemplarReservoir.write(m.memory, out);
    }

    public static WorkerModel read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric worker model");
        }
        int format = in.readInt();
        if (format < 1 || format > FORMAT) {
            throw new IOException("worker model format " + format + " is not supported (supported: 1 to " + FORMAT + ")");
        }
        long lineage = in.readLong();
        double loss = in.readDouble();
        SettingsRace race = format == 1 ? SettingsRace.of(LearnerStateCodec.read(in)) : SettingsRaceCodec.read(in);
        if (format < 3) {
            return new WorkerModel(lineage, race, loss);
        }
        try {
            return new WorkerModel(lineage, race, loss, ExemplarReservoir.read(in));
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt worker model: " + e.getMessage(), e);
        }
    }

    public static byte[] toBytes(WorkerModel m) {
        return StateBytes.of(out -> write(m, out));
    }

    public static WorkerModel fromBytes(byte[] bytes) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
