package dev.certmetric.train;

import dev.certmetric.drift.DriftDetector;
import dev.certmetric.drift.DriftDetectors;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.UnitNormRows;
import dev.certmetric.triplets.TripletWindow;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of a {@link StreamingLearner}'s whole state (settings, L, step-rule moments,
 * preprocessing statistics, label dictionary, counters, the running average of L, the drift detector, the Euclidean guard's scores,
 * the L and statistics its window cache was built with, the window's raw events, the vote's race, and the vote's
 * memory with the L and statistics it is projected under, and the partial batch's accumulated gradient), for
 * checkpoints. Writing does not step a partial batch: a learner restored from the bytes continues exactly as the
 * one written would have, wherever the stream was cut.
 */
public final class LearnerStateCodec {
    private static final int MAGIC = 0x434d4c53; // "CMLS"
    private static final int FORMAT = 8;
    /** The format before the partial batch was written (it was stepped first): read with none pending. */
    private static final int FORMAT_WITHOUT_PENDING = 7;
    /** The format before the row scaling was a setting: every learner then ran on the paper's unit-norm rows. */
    private static final int FORMAT_WITHOUT_ROWS = 6;
    /**
     * The format before the vote's memory, when the vote read the window: read with the window's events as the
     * memory, projected under the window's L, and the race of the vote restarted (its candidates have changed).
     */
    private static final int FORMAT_WITHOUT_MEMORY = 5;
    /** The format before the k race: read as a learner with learner.k-race false, as it ran. */
    private static final int FORMAT_WITHOUT_K_RACE = 4;

    private LearnerStateCodec() {
    }

    public static void write(StreamingLearner learner, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        LearnerSettings s = learner.settings();
        out.writeInt(s.k());
        out.writeInt(s.impostors());
        out.writeDouble(s.mu());
        out.writeDouble(s.lambda());
        out.writeDouble(s.tau());
        out.writeInt(s.rank());
        out.writeInt(s.windowPerClass());
        out.writeLong(s.windowMillis());
        out.writeInt(s.batchSize());
        out.writeUTF(s.stepRule());
        out.writeDouble(s.learningRate());
        out.writeInt(s.certifyEvery());
        out.writeInt(s.averageSteps());
        out.writeUTF(s.driftDetector());
        out.writeDouble(s.driftThreshold());
        out.writeDouble(s.guardRadius());
        out.writeBoolean(s.kRace());
        out.writeInt(s.memoryPerClass());
        out.writeInt(s.memoryBudget());
        out.writeUTF(s.rows());

        out.writeInt(learner.dimension());
        writeArray(out, learner.parameters());
        StepRule rule = learner.stepRule();
        out.writeLong(rule.steps());
        writeArray(out, rule.firstMoments());
        writeArray(out, rule.secondMoments());
        writeStatistics(out, learner.statistics());
        List<String> labels = learner.labels();
        out.writeInt(labels.size());
        for (String label : labels) {
            out.writeUTF(label);
        }
        StreamingLearner.Counters c = learner.counters();
        out.writeLong(c.events());
        out.writeLong(c.tested());
        out.writeLong(c.correct());
        out.writeLong(c.updates());
        out.writeLong(c.drifts());
        double[] average = learner.averageView();
        out.writeBoolean(average != null);
        if (average != null) {
            writeArray(out, average);
            out.writeLong(learner.averagedSteps());
        }
        writeArray(out, learner.driftDetector().state());
        double[] guard = learner.guardScores();
        writeArray(out, guard == null ? new double[0] : guard);
        writeArray(out, learner.frozenView());
        writeStatistics(out, learner.frozenStatistics());
        out.writeInt(learner.stepsSinceRefresh());
        writeEntries(out, learner.window().entries());
        writeArray(out, learner.voteState());
        writeArray(out, learner.memoryL());
        writeStatistics(out, learner.memoryStatistics());
        out.writeLong(learner.memoryProjectedAt());
        out.writeInt(learner.memory().perClass());
        long[] seen = learner.memorySeen();
        out.writeInt(seen.length);
        for (long n : seen) {
            out.writeLong(n);
        }
        writeEntries(out, learner.memory().entries());
        out.writeInt(learner.anchorsInBatch());
        writeArray(out, learner.pendingGradient());
    }

    private static void writeStatistics(DataOutput out, OnlineStandardizer stats) throws IOException {
        out.writeLong(stats.count());
        writeArray(out, stats.meanView());
        writeArray(out, stats.m2View());
    }

    private static OnlineStandardizer readStatistics(DataInput in) throws IOException {
        return OnlineStandardizer.restore(in.readLong(), readArray(in), readArray(in));
    }

    /** Each entry's class, event time and raw features: the rest is re-derived on restore. */
    private static void writeEntries(DataOutput out, List<TripletWindow.Entry> entries) throws IOException {
        out.writeInt(entries.size());
        for (TripletWindow.Entry e : entries) {
            out.writeInt(e.label());
            out.writeLong(e.timestamp());
            writeArray(out, e.raw());
        }
    }

    public static StreamingLearner read(DataInput in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a certmetric learner state");
        }
        int format = in.readInt();
        if (format < FORMAT_WITHOUT_K_RACE || format > FORMAT) {
            throw new IOException("learner state format " + format + " is not supported (supported: "
                    + FORMAT_WITHOUT_K_RACE + " to " + FORMAT + ")");
        }
        boolean kRace = format >= FORMAT_WITHOUT_MEMORY;
        boolean withMemory = format > FORMAT_WITHOUT_MEMORY;
        LearnerSettings d = LearnerSettings.DEFAULT;
        LearnerSettings s = new LearnerSettings(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(),
                in.readDouble(), in.readInt(), in.readInt(), in.readLong(), in.readInt(), in.readUTF(),
                in.readDouble(), in.readInt(), in.readInt(), in.readUTF(), in.readDouble(), in.readDouble(),
                kRace && in.readBoolean(), withMemory ? in.readInt() : d.memoryPerClass(),
                withMemory ? in.readInt() : d.memoryBudget(),
                format > FORMAT_WITHOUT_ROWS ? in.readUTF() : UnitNormRows.NAME);
        int p = in.readInt();
        double[] l = readArray(in);
        long steps = in.readLong();
        StepRule rule = StepRule.restore(s.stepRule(), s.learningRate(), readArray(in), readArray(in), steps);
        OnlineStandardizer stats = readStatistics(in);
        int labelCount = in.readInt();
        List<String> labels = new ArrayList<>(labelCount);
        for (int i = 0; i < labelCount; i++) {
            labels.add(in.readUTF());
        }
        StreamingLearner.Counters counters = new StreamingLearner.Counters(in.readLong(), in.readLong(), in.readLong(),
                in.readLong(), in.readLong());
        double[] average = null;
        long averagedSteps = 0;
        if (in.readBoolean()) {
            average = readArray(in);
            averagedSteps = in.readLong();
        }
        DriftDetector drift = DriftDetectors.restore(s.driftDetector(), readArray(in));
        StreamingLearner learner = new StreamingLearner(s, p, l, rule, stats, labels, counters, average,
                averagedSteps, drift);
        learner.restoreGuard(readArray(in));
        double[] cacheL = readArray(in);
        learner.restoreCache(cacheL, readStatistics(in),
                in.readInt());
        int entries = in.readInt();
        List<TripletWindow.Entry> window = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            TripletWindow.Entry e = new TripletWindow.Entry(in.readInt(), in.readLong(), readArray(in), null, null);
            learner.restoreWindowEntry(e.label(), e.timestamp(), e.raw());
            window.add(e);
        }
        if (kRace) {
            double[] vote = readArray(in);
            if (withMemory) {
                learner.restoreVote(vote);
            }
        }
        learner.rebuildWindowCache();
        if (withMemory) {
            double[] memoryL = readArray(in);
            OnlineStandardizer memoryStats = readStatistics(in);
            long projectedAt = in.readLong();
            int depth = in.readInt();
            int classes = in.readInt();
            if (classes < 0 || classes > labelCount) {
                throw new IOException("corrupt learner state: " + classes + " memory classes of " + labelCount);
            }
            long[] seen = new long[classes];
            for (int c = 0; c < classes; c++) {
                seen[c] = in.readLong();
            }
            int memoryEntries = in.readInt();
            for (int i = 0; i < memoryEntries; i++) {
                learner.restoreMemoryEntry(depth, in.readInt(), in.readLong(), readArray(in));
            }
            learner.restoreMemory(memoryL, memoryStats, projectedAt, seen);
        } else {
            long[] seen = new long[labelCount];
            for (TripletWindow.Entry e : window) {
                learner.restoreMemoryEntry(s.windowPerClass(), e.label(), e.timestamp(), e.raw());
                seen[e.label()]++;
            }
            learner.restoreMemory(cacheL, learner.frozenStatistics(), learner.counters().events(), seen);
        }
        if (format > FORMAT_WITHOUT_PENDING) {
            int anchors = in.readInt();
            try {
                learner.restorePending(anchors, readArray(in));
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt learner state: " + e.getMessage(), e);
            }
        }
        return learner;
    }

    public static byte[] toBytes(StreamingLearner learner) {
        return StateBytes.of(out -> write(learner, out));
    }

    public static StreamingLearner fromBytes(byte[] bytes) throws IOException {
        return read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    private static void writeArray(DataOutput out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double v : a) {
            out.writeDouble(v);
        }
    }

    private static double[] readArray(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000_000) {
            throw new IOException("corrupt learner state: array length " + n);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }
}
