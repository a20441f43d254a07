package dev.certmetric.train;

import org.junit.jupiter.api.Test;

import dev.certmetric.preprocess.RowScaling;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints of earlier formats restore: before the vote's memory (5) its window becomes the memory; before the row
 * scaling (6) the rows are unit-norm; before the partial batch was written (7) none is pending.
 */
class LearnerStateFormatTest {
    private static final int P = 4;

    /** Formats 5 and 6 knew only the paper's unit-norm rows. */
    private static final LearnerSettings OLD = LearnerSettings.DEFAULT.withRows(RowScaling.UNIT_NORM);

    private static StreamingLearner trained(LearnerSettings settings) {
        StreamingLearner learner = new StreamingLearner(settings, P);
        Random rnd = new Random(4);
        for (int e = 0; e < 400; e++) {
            int label = rnd.nextInt(2);
            double[] x = new double[P];
            for (int f = 0; f < P; f++) {
                x[f] = (label == 0 ? 1 : -1) * (f + 1) + rnd.nextGaussian();
            }
            learner.testThenTrain(x, "c" + label, e);
        }
        return learner;
    }

    @Test
    void aCheckpointWithoutTheRowScalingRestoresOnUnitNormRows() throws IOException {
        StreamingLearner learner = trained(OLD);
        StreamingLearner restored = LearnerStateCodec.fromBytes(formatSix(LearnerStateCodec.toBytes(learner)));
        assertEquals(learner.settings(), restored.settings());
        assertEquals(RowScaling.UNIT_NORM, restored.standardizer().rows());
        assertEquals(learner.counters(), restored.counters());
        assertEquals(learner.metric(), restored.metric());
        assertEquals(learner.memory().size(), restored.memory().size());
        assertArrayEquals(learner.voteState(), restored.voteState());
        double[] x = {1, 2, 3, 4};
        assertEquals(learner.testThenTrain(x, "c0", 400), restored.testThenTrain(x, "c0", 400));
    }

    @Test
    void theRowScalingSurvivesACheckpoint() throws IOException {
        StreamingLearner learner = trained(LearnerSettings.DEFAULT.withRows(RowScaling.SCALED));
        StreamingLearner restored = LearnerStateCodec.fromBytes(LearnerStateCodec.toBytes(learner));
        assertEquals(RowScaling.SCALED, restored.standardizer().rows());
        assertEquals(learner.standardizer(), restored.standardizer());
    }

    @Test
    void aCheckpointWithoutTheMemoryRestoresWithItsWindowAsTheMemory() throws IOException {
        StreamingLearner learner = trained(OLD);
        StreamingLearner restored = LearnerStateCodec.fromBytes(formatFive(LearnerStateCodec.toBytes(learner)));

        assertEquals(learner.counters(), restored.counters());
        assertEquals(learner.metric(), restored.metric());
        assertEquals(learner.window().entries().size(), restored.memory().size(), "the window became the memory");
        for (int c = 0; c < 2; c++) {
            assertEquals(learner.window().count(c), restored.memory().count(c));
        }
        double[] fresh = new StreamingLearner(OLD, P).voteState();
        assertArrayEquals(fresh, restored.voteState(), "the race restarts: its candidates have changed");
        double[] x = {1, 2, 3, 4};
        assertTrue(restored.testThenTrain(x, "c0", 400).tested(), "and it goes on learning");
    }

    @Test
    void aCheckpointWithoutThePartialBatchRestoresWithNonePending() throws IOException {
        StreamingLearner learner = trained(LearnerSettings.DEFAULT);
        double[] x = {1, 2, 3, 4};
        for (int e = 400; learner.anchorsInBatch() == 0; e++) {
            learner.testThenTrain(x, "c0", e);
        }
        byte[] current = LearnerStateCodec.toBytes(learner);
        int pending = layout(current).pending();
        StreamingLearner restored = LearnerStateCodec.fromBytes(older(current, 7, pending, pending, pending));
        assertEquals(0, restored.anchorsInBatch());
        assertEquals(learner.counters(), restored.counters());
        assertEquals(learner.metric(), restored.metric());
        assertEquals(learner.memory().size(), restored.memory().size());
    }

    /**
     * Offsets in the current format: where the memory settings begin, where the row scaling begins and ends, the
     * vote's end, where the partial batch begins.
     */
    private record Layout(int memorySettings, int rows, int afterRows, int afterVote, int pending) {
    }

    /** The same state as format 6 wrote it: no row scaling after the memory settings. */
    private static byte[] formatSix(byte[] current) throws IOException {
        Layout at = layout(current);
        return older(current, 6, at.rows(), at.afterRows(), at.pending());
    }

    /**
     * The same state as format 5 wrote it: no memory settings after learner.k-race, and nothing after the vote's
     * race.
     */
    private static byte[] formatFive(byte[] current) throws IOException {
        Layout at = layout(current);
        return older(current, 5, at.memorySettings(), at.afterRows(), at.afterVote());
    }

    /** The current bytes as format {@code format}: without [cut, resume) and everything from {@code end}. */
    private static byte[] older(byte[] current, int format, int cut, int resume, int end) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(current, 0, 4);
        out.writeInt(format);
        out.write(current, 8, cut - 8);
        out.write(current, resume, end - resume);
        return bytes.toByteArray();
    }

    /** Reads the current format field by field, in the codec's order. */
    private static Layout layout(byte[] current) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(current));
        in.readInt();
        in.readInt();
        in.readInt();
        in.readInt();
        in.readDouble();
        in.readDouble();
        in.readDouble();
        in.readInt();
        in.readInt();
        in.readLong();
        in.readInt();
        in.readUTF();
        in.readDouble();
        in.readInt();
        in.readInt();
        in.readUTF();
        in.readDouble();
        in.readDouble();
        in.readBoolean();
        int memorySettings = current.length - in.available();
        in.readInt();
        in.readInt();
        int rows = current.length - in.available();
        in.readUTF();
        int afterRows = current.length - in.available();
        in.readInt(); // p
        skipArray(in); // L
        in.readLong();
        skipArray(in);
        skipArray(in);
        in.readLong();
        skipArray(in);
        skipArray(in);
        int labels = in.readInt();
        for (int i = 0; i < labels; i++) {
            in.readUTF();
        }
        for (int i = 0; i < 5; i++) {
            in.readLong();
        }
        if (in.readBoolean()) {
            skipArray(in);
            in.readLong();
        }
        skipArray(in); // drift
        skipArray(in); // guard
        skipArray(in); // cache L
        in.readLong();
        skipArray(in);
        skipArray(in);
        in.readInt();
        skipEntries(in);
        skipArray(in); // vote
        int afterVote = current.length - in.available();
        skipArray(in); // memory L
        in.readLong();
        skipArray(in);
        skipArray(in);
        in.readLong();
        in.readInt();
        int classes = in.readInt();
        for (int c = 0; c < classes; c++) {
            in.readLong();
        }
        skipEntries(in);
        return new Layout(memorySettings, rows, afterRows, afterVote, current.length - in.available());
    }

    private static void skipEntries(DataInputStream in) throws IOException {
        int entries = in.readInt();
        for (int i = 0; i < entries; i++) {
            in.readInt();
            in.readLong();
            skipArray(in);
        }
    }

    private static void skipArray(DataInputStream in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            in.readDouble();
        }
    }
}
