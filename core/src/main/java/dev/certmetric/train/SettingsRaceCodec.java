package dev.certmetric.train;

import dev.certmetric.preprocess.RowScaling;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of a {@link SettingsRace}'s whole state, for checkpoints: the race settings, its event
 * count, every candidate's raced settings (mu, lambda, tau, learning rate, row scaling) and counts, and each alive
 * candidate's learner ({@link LearnerStateCodec}, partial batch included). A restored
 * race continues exactly as the uninterrupted one would.
 */
public final class SettingsRaceCodec {
    private static final int MAGIC = 0x434d5352; // "CMSR"
    private static final int FORMAT = 2;
    /** The format before the row scaling was raced: every candidate ran on its learners' rows. */
    private static final int FORMAT_WITHOUT_ROWS = 1;

    private SettingsRaceCodec() {
    }

    public static void write(SettingsRace race, DataOutput out) throws IOException {
        RaceSettings s = race.settings();
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(s.firstBudget());
        out.writeDouble(s.certifiedWeight());
        out.writeDouble(s.certifiedRadius());
        out.writeLong(race.events());
        out.writeInt(s.population());
        for (int i = 0; i < s.population(); i++) {
            LearnerSettings c = s.candidates().get(i);
            out.writeDouble(c.mu());
            out.writeDouble(c.lambda());
            out.writeDouble(c.tau());
            out.writeDouble(c.learningRate());
            out.writeUTF(c.rows());
            for (long n : race.counts(i)) {
                out.writeLong(n);
            }
            StreamingLearner learner = race.learner(i);
            out.writeBoolean(learner != null);
            if (learner != null) {
                LearnerStateCodec.write(learner, out);
            }
        }
    }

    public static SettingsRace read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric settings race");
        }
        int format = in.readInt();
        if (format != FORMAT && format != FORMAT_WITHOUT_ROWS) {
            throw new IOException("settings race format " + format + " is not supported (supported: "
                    + FORMAT_WITHOUT_ROWS + ", " + FORMAT + ")");
        }
        int firstBudget = in.readInt();
        double weight = in.readDouble();
        double radius = in.readDouble();
        long events = in.readLong();
        int n = in.readInt();
        if (n < 1 || n > RaceSettings.MAX_POPULATION) {
            throw new IOException("corrupt settings race: population " + n);
        }
        double[][] raced = new double[n][];
        String[] rows = new String[n];
        long[][] counts = new long[n][5];
        StreamingLearner[] learners = new StreamingLearner[n];
        StreamingLearner template = null;
        for (int i = 0; i < n; i++) {
            raced[i] = new double[] {in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble()};
            rows[i] = format == FORMAT ? in.readUTF() : null;
            for (int c = 0; c < counts[i].length; c++) {
                counts[i][c] = in.readLong();
            }
            if (in.readBoolean()) {
                learners[i] = LearnerStateCodec.read(in);
                template = template != null ? template : learners[i];
            }
        }
        if (template == null) {
            throw new IOException("corrupt settings race: no alive candidate");
        }
        // Candidates differ only in the raced values, so any alive learner's settings give the rest.
        List<LearnerSettings> candidates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LearnerSettings t = template.settings();
            LearnerSettings c;
            try {
                c = t.withObjective(raced[i][0], raced[i][1], raced[i][2]).withLearningRate(raced[i][3])
                        .withRows(rows[i] == null ? t.rowScaling() : RowScaling.of(rows[i]));
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt settings race: candidate " + i + ": " + e.getMessage(), e);
            }
            if (learners[i] != null && !learners[i].settings().equals(c)) {
                throw new IOException("corrupt settings race: candidate " + i + " holds a learner with other settings");
            }
            candidates.add(c);
        }
        try {
            return SettingsRace.restore(new RaceSettings(candidates, firstBudget, weight, radius), events, learners, counts);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt settings race: " + e.getMessage(), e);
        }
    }

    public static byte[] toBytes(SettingsRace race) {
        return StateBytes.of(out -> write(race, out));
    }

    public static SettingsRace fromBytes(byte[] bytes) throws IOException {
        return read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
