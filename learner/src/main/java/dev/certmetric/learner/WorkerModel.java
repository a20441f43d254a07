package dev.certmetric.learner;

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
 * One learner lineage: a {@link SettingsRace} (the plain learner is a race of one) with its identity
 * and a running loss. A worker trains one; the publisher holds the latest of every lineage and merges
 * them.
 *
 * <p>The lineage id is random and travels in checkpoints, so a worker and the publisher, both
 * restored from the same checkpoint, agree on it; after rescaling a worker may hold several.
 */
public final class WorkerModel {
    private static final int MAGIC = 0x434d574d; // "CMWM"
    /** 2: a settings race; 1 (still read): a bare learner, now a race of one. */
    private static final int FORMAT = 2;

    private final long lineage;
    private final SettingsRace race;
    /** Exponential moving average of the total loss of recent gradient steps (NaN before the first). */
    private double lossEma;

    public WorkerModel(long lineage, SettingsRace race, double lossEma) {
        this.lineage = lineage;
        this.race = race;
        this.lossEma = lossEma;
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

    public double lossEma() {
        return lossEma;
    }

    public void observeLoss(double loss) {
        if (Double.isFinite(loss)) {
            lossEma = Double.isNaN(lossEma) ? loss : 0.9 * lossEma + 0.1 * loss;
        }
    }

    /** Writes the lineage (flushing the learners' pending partial batches first). */
    public static void write(WorkerModel m, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeLong(m.lineage);
        out.writeDouble(m.lossEma);
        SettingsRaceCodec.write(m.race, out);
    }

    public static WorkerModel read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric worker model");
        }
        int format = in.readInt();
        if (format != FORMAT && format != 1) {
            throw new IOException("worker model format " + format + " is not supported (supported: 1, " + FORMAT + ")");
        }
        long lineage = in.readLong();
        double loss = in.readDouble();
        SettingsRace race = format == 1 ? SettingsRace.of(LearnerStateCodec.read(in)) : SettingsRaceCodec.read(in);
        return new WorkerModel(lineage, race, loss);
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
