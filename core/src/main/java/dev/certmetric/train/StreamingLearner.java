package dev.certmetric.train;

import dev.certmetric.certify.CertifiedKnn;
import dev.certmetric.drift.DriftDetector;
import dev.certmetric.drift.DriftDetectors;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.objective.AnchorGradient;
import dev.certmetric.objective.ObjectiveValue;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.triplets.TripletWindow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-pass stochastic learner of LMNN + perturbation loss, driven one labelled event at a time
 * by {@link #testThenTrain}: the event is first classified by k-NN on the vote's memory under the published
 * metric (prequential test; the memory's depth and the vote's k are raced on the stream), then becomes an
 * anchor whose targets and impostors are its nearest same-class and other-class window entries (the memory's
 * newest); every {@code batchSize} anchors the accumulated gradient of L takes one step of the step rule.
 *
 * <p>What it publishes ({@link #metric()}) is the running average of L over the last
 * {@code averageSteps} steps or so (iterate averaging): with a constant step size the last iterate
 * wanders around the optimum, and the average sits much closer to it. A drift detector on the
 * prequential error shrinks the window and the memory to about the events since the estimated change and
 * restarts the average, so memory and metric follow a changed stream.
 *
 * <p>Mutable and single-threaded: a Flink operator owns one instance and checkpoints it whole with
 * {@link LearnerStateCodec}.
 */
public final class StreamingLearner {
    /** What one event did: its prequential test and whether a gradient step followed. */
    public record Outcome(String label, String predicted, boolean tested, boolean correct,
                          double certifiedRadius, double minMargin, boolean stepped, ObjectiveValue step) {
    }

    private final LearnerSettings settings;
    private final RowScaling rows;
    private final int p;
    private final int q;
    /** Steps between two rebuilds of the window's cached transforms. */
    static final int REFRESH_EVERY_STEPS = 4;
    /**
     * A refresh re-preprocesses the window only once the running statistics have seen this fraction more events
     * than the cached ones: they cover the whole stream, so late in a stream a refresh would otherwise redo the
     * preprocessing of every entry for a change of order 1/events, and with many classes that dominated the cost.
     */
    static final int RESTANDARDIZE_GROWTH = 32;
    /** Nearest window entries, under each metric, that the Euclidean guard's certificates are computed on. */
    static final int GUARD_NEIGHBOURS = 64;

    private final double[] l;
    /** L as of the last window refresh: what the cached transforms and the gradient are computed with. */
    private final double[] frozen;
    /** The same L by rows and by columns, for the L x and M x products of the hot path. */
    private final double[][] frozenRows;
    /** M x of window entries by entry index, valid where imageEpoch holds the current epoch (bumped on refresh). */
    private double[] images = new double[0];
    private long[] imageEpoch = new long[0];
    private long epoch = 1;
    /** An upper bound on ||L||_2 of the cache's L, for the certificates' pruning; valid in sigmaEpoch. */
    private double sigma;
    private long sigmaEpoch;
    private final double[] imageScratch;
    private final double[][] frozenColumns;
    /** The running statistics as of the last window refresh: what the cached preprocessed forms use. */
    private OnlineStandardizer frozenStatistics;
    private int stepsSinceRefresh;
    private final StepRule stepRule;
    private final OnlineStandardizer statistics;
    private final TripletWindow window;
    private final List<String> labels;
    private final Map<String, Integer> codes = new HashMap<>();
    private final AnchorGradient gradient;
    private final double[] average;
    private final DriftDetector drift;
    /** Null when off. */
    private EuclideanGuard guard;
    private Standardizer standardizer;
    // Per-event scratch, reused: the event, the selections (window indices) and their points.
    private final double[] x;
    private final double[] lx;
    private int[] targets;
    private double[] targetD;
    private int[] impostors;
    private double[] impostorD;
    private double[][] targetX;
    private double[][] targetLx;
    private double[][] targetMx;
    private double[][] impostorX;
    private double[][] impostorLx;
    private double[][] impostorMx;
    private final int[] found = new int[2];
    private final VoteRace vote;
    /**
     * The vote's memory: each class's newest events, deeper than the window, read in the nested tiers that the vote
     * races ({@link LearnerSettings#memoryTiers}). Its entries are projected under the published (averaged) L and
     * the statistics of its last {@link #reprojectMemory}, which runs rarely, so that an event costs one distance
     * pass over it and not its re-projection; the vote, its certificate and what snapshots publish then use one
     * metric.
     */
    private TripletWindow memory;
    private final int[] tiers;
    private final double[] memoryL;
    private final double[][] memoryRows;
    private final double[][] memoryColumns;
    private OnlineStandardizer memoryStatistics;
    private Standardizer memoryStandardizer;
    private long memoryProjectedAt;
    /** Events per class since the memory (re)started, which its depth is shared by ({@link #memoryTarget}). */
    private long[] seen = new long[0];
    private double memorySigma = Double.NaN;
    private final double[] mx;
    private final double[] mlx;
    private final int[] tierFound;
    private int[][] tierBest;
    private double[][] tierD;
    private int[][] tierLabels;
    private boolean[][] tierRepeats;
    /**
     * Events between two projections of the memory: from {@value #REPROJECT_MIN} early on, while L moves fast, to
     * {@value #REPROJECT_MAX}, an eighth of the events seen in between. A projection costs O(memory p q), so this
     * keeps it below O(p q) an event once the memory is full.
     */
    static final int REPROJECT_MIN = 32;
    static final int REPROJECT_MAX = 1000;
    /**
     * A resize of the memory copies it: the depth aims 1/{@value #RESIZE_SLACK} below the budget, and grows by at
     * least that much.
     */
    static final int RESIZE_SLACK = 16;
    /** The memory's first depth per class; {@link #fitMemory} deepens it as classes fill. */
    static final int INITIAL_MEMORY_DEPTH = 128;
    private final int[] guardLearned = new int[GUARD_NEIGHBOURS];
    private final int[] guardEuclidean = new int[GUARD_NEIGHBOURS];
    private final double[] guardD = new double[GUARD_NEIGHBOURS];

    private int certifyEvery;
    private long events;
    private long tested;
    private long correct;
    private long updates;
    private long averagedSteps;
    private long drifts;
    private int anchorsInBatch;
    private ObjectiveValue lastStep;

    public StreamingLearner(LearnerSettings settings, int p) {
        this(settings, p, MahalanobisMetric.initial(settings.rankFor(p), p), null,
                new OnlineStandardizer(p), new ArrayList<>(), new Counters(0, 0, 0, 0, 0), null, 0,
                DriftDetectors.create(settings.driftDetector(), settings.driftThreshold()));
    }

    StreamingLearner(LearnerSettings settings, int p, double[] l, StepRule stepRule,
                     OnlineStandardizer statistics, List<String> labels, Counters counters,
                     double[] average, long averagedSteps, DriftDetector drift) {
        if (p < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + p);
        }
        this.settings = settings;
        this.rows = settings.rowScaling();
        this.p = p;
        this.q = settings.rankFor(p);
        if (l.length != q * p) {
            throw new IllegalArgumentException("L has " + l.length + " entries, expected " + q * p);
        }
        this.l = l;
        this.frozen = l.clone();
        this.frozenRows = new double[q][p];
        this.imageScratch = new double[q];
        this.frozenColumns = new double[p][q];
        LinearAlgebra.rows(frozen, q, p, frozenRows);
        LinearAlgebra.columns(frozen, q, p, frozenColumns);
        this.stepRule = stepRule != null ? stepRule
                : StepRule.create(settings.stepRule(), settings.learningRate(), q * p);
        this.statistics = statistics;
        this.window = new TripletWindow(settings.windowPerClass(), settings.windowMillis(), p, q);
        this.x = new double[p];
        this.lx = new double[q];
        this.labels = labels;
        for (int c = 0; c < labels.size(); c++) {
            codes.put(labels.get(c), c);
        }
        this.gradient = new AnchorGradient(settings.objective(), q, p);
        this.gradient.reset(frozen);
        this.frozenStatistics = statistics.copy();
        this.standardizer = frozenStatistics.current(rows);
        this.certifyEvery = settings.certifyEvery();
        this.events = counters.events();
        this.tested = counters.tested();
        this.correct = counters.correct();
        this.updates = counters.updates();
        this.drifts = counters.drifts();
        if (settings.averageSteps() > 0) {
            this.average = average != null ? average : l.clone();
            if (this.average.length != l.length) {
                throw new IllegalArgumentException("average of L has " + this.average.length + " entries, expected "
                        + l.length);
            }
            this.averagedSteps = averagedSteps;
        } else {
            this.average = null;
        }
        this.drift = drift;
        this.guard = settings.guardRadius() > 0 ? new EuclideanGuard(settings.guardRadius()) : null;
        this.tiers = settings.memoryTiers();
        this.vote = new VoteRace(settings.k(), settings.kRace(), tiers.length);
        this.tierFound = new int[tiers.length];
        this.memoryL = (this.average != null ? this.average : l).clone();
        this.memoryRows = new double[q][p];
        this.memoryColumns = new double[p][q];
        this.memoryStatistics = statistics.copy();
        this.memoryProjectedAt = events;
        this.mx = new double[p];
        this.mlx = new double[q];
        this.memory = new TripletWindow(Math.min(INITIAL_MEMORY_DEPTH,
                Math.min(settings.memoryPerClass(), settings.memoryBudget())), settings.windowMillis(), p, q);
        projectMemory();
    }

    /**
     * A learner that carries on from a published snapshot when no checkpoint is left (a fresh start of
     * a job whose model already exists): the snapshot's L (also as the running average), its
     * preprocessing as the running statistics over its {@code eventsSeen} events, its classes, its
     * counters, and its exemplars as the window. Exemplars are published preprocessed; each enters the
     * window as the raw row that the snapshot's preprocessing maps back to {@code x} ({@link Standardizer#invert}).
     * The learner runs on the snapshot's row scaling, whatever {@code settings} says: its L was learned on those
     * rows. The step rule starts afresh.
     *
     * <p>A snapshot that carries the identity its Euclidean guard preferred ({@link Hyperparameters#carriesEuclidean})
     * has no learned L in it: at full rank the identity is seeded as L; below it (the identity's rank p does not fit)
     * L starts where a fresh learner of that rank starts. Either way the guard starts on the identity's side, so the
     * identity stays served until the learner's own samples prefer its L.
     *
     * @throws IllegalArgumentException if the snapshot carries a learned L of a rank other than {@code settings}' one
     */
    public static StreamingLearner seededFrom(MetricSnapshot snapshot, LearnerSettings configured) {
        LearnerSettings settings = configured.withRows(snapshot.preprocessing().rows());
        int p = snapshot.p();
        int q = settings.rankFor(p);
        boolean euclidean = snapshot.hyperparameters().carriesEuclidean();
        if (q != snapshot.q() && !euclidean) {
            throw new IllegalArgumentException("snapshot v" + snapshot.version() + " has a learned metric of rank "
                    + snapshot.q() + ", but learner.rank = " + settings.rank() + " gives rank " + q + " for p = " + p
                    + ": set learner.rank: " + snapshot.q() + " to continue it, or learner.from-scratch to learn anew");
        }
        double[] l = q == snapshot.q() ? snapshot.l() : MahalanobisMetric.initial(q, p);
        Standardizer pre = snapshot.preprocessing();
        double[] mean = pre.mean();
        double[] std = pre.std();
        TrainingStats stats = snapshot.trainingStats();
        long n = Math.max(1, stats.eventsSeen());
        double[] m2 = new double[p];
        for (int f = 0; f < p; f++) {
            m2[f] = std[f] * std[f] * n;
        }
        long correct = Math.round(stats.prequentialAccuracy() * stats.eventsSeen());
        StreamingLearner learner = new StreamingLearner(settings, p, l, null,
                OnlineStandardizer.restore(n, mean, m2), new ArrayList<>(snapshot.classes()),
                new Counters(stats.eventsSeen(), stats.eventsSeen(), correct, stats.updates(), 0), null, 0,
                DriftDetectors.create(settings.driftDetector(), settings.driftThreshold()));
        long timestamp = snapshot.createdAt().toEpochMilli();
        for (Exemplar e : snapshot.exemplars()) {
            double[] raw = pre.invert(e.features());
            Integer code = learner.codes.get(e.label());
            if (code == null) {
                throw new IllegalArgumentException("exemplar label '" + e.label() + "' is not among the snapshot's classes");
            }
            learner.restoreWindowEntry(code, timestamp, raw);
            learner.memory.add(code, timestamp, raw, new double[p], new double[learner.q]);
            learner.fitMemory(code);
        }
        learner.rebuildWindowCache();
        learner.projectMemory();
        if (euclidean && learner.guard != null) {
            learner.guard = EuclideanGuard.favouringEuclidean(settings.guardRadius());
        }
        return learner;
    }

    /** Event counters, as checkpointed. */
    public record Counters(long events, long tested, long correct, long updates, long drifts) {
    }

    public Outcome testThenTrain(double[] raw, String label, long timestamp) {
        if (raw.length != p) {
            throw new IllegalArgumentException("expected " + p + " features, got " + raw.length);
        }
        window.evictExpired(timestamp);
        memory.evictExpired(timestamp);
        int code = codes.computeIfAbsent(label, name -> {
            labels.add(name);
            return labels.size() - 1;
        });

        standardizer.apply(raw, x);
        LinearAlgebra.multiplyColumns(frozenColumns, x, lx);
        events++;

        int k = settings.k();
        int v = settings.impostors();
        // The voting candidate's k and tier: the race may hand the lead to another as it scores this event.
        int voteK = vote.k();
        int voteTier = vote.tier();
        ensureBuffers(vote.maxK(), k, v);

        // Test: one distance pass over the memory gives every tier's nearest neighbours.
        String predicted = null;
        boolean hit = false;
        double radius = Double.NaN;
        if (events - memoryProjectedAt >= Math.max(REPROJECT_MIN, Math.min(REPROJECT_MAX, events / 8))) {
            reprojectMemory();
        }
        memoryStandardizer.apply(raw, mx);
        LinearAlgebra.multiplyColumns(memoryColumns, mx, mlx);
        double[][] memoryD = memory.distances(mlx);
        memory.selectTiers(memoryD, tiers, vote.maxK(), tierBest, tierD, tierFound);
        int n = tierFound[tiers.length - 1];
        if (n > 0) {
            for (int t = 0; t < tiers.length; t++) {
                for (int s = 0; s < tierFound[t]; s++) {
                    tierLabels[t][s] = memory.label(tierBest[t][s]);
                    tierRepeats[t][s] = repeatsNearer(t, s);
                }
            }
            int guess = vote.predict(tierLabels, tierD, tierRepeats, tierFound, labels.size(), code);
            predicted = labels.get(guess);
            hit = guess == code;
            tested++;
            if (hit) {
                correct++;
            }
            if (certifyEvery > 0 && events % certifyEvery == 0) {
                radius = certify(memoryD, guess, voteK, tiers[voteTier]);
            }
            if (drift.add(!hit)) {
                onDrift(); // after the certificate, which reads the memory that voted
            }
        }

        // Train: the anchor's targets (same class, not itself nor the entry its class evicts from the window) and
        // impostors, gathered from the window before the anchor's own entry overwrites the evicted slot.
        if (n > 0 && guard != null && EuclideanGuard.samples(events)) {
            guardSample(window.distances(lx), code, voteK);
        }
        int depth = window.perClass();
        int ownDepth = window.count(code) == depth ? depth - 1 : depth;
        boolean fromMemory = memory.perClass() >= depth;
        if (fromMemory) {
            // The window's entries are the memory's newest of each class: they are chosen on the memory's pass,
            // under its L, which spares the window a pass of its own.
            memory.selectTriplets(memoryD, code, ownDepth, depth, k, v, targets, targetD, impostors, impostorD,
                    found);
        } else {
            window.selectTriplets(window.distances(lx), code, ownDepth, depth, k, v, targets, targetD, impostors,
                    impostorD, found);
        }
        int nt = found[0];
        int ni = found[1];
        for (int t = 0; t < nt; t++) {
            gather(windowIndex(targets[t], fromMemory), targetX[t], targetLx[t], targetMx[t]);
        }
        for (int m = 0; m < ni; m++) {
            gather(windowIndex(impostors[m], fromMemory), impostorX[m], impostorLx[m], impostorMx[m]);
        }
        statistics.update(raw);
        int added = window.add(code, timestamp, raw, x, lx);
        memory.add(code, timestamp, raw, mx, mlx);
        fitMemory(code);
        if (added < imageEpoch.length) {
            imageEpoch[added] = 0;
        }
        double minMargin = Double.NaN;
        if (nt > 0) {
            double pullWeight = settings.mu() / ((double) settings.batchSize() * k);
            double tripletWeight = 1.0 / ((double) settings.batchSize() * k * v);
            minMargin = gradient.addAnchor(x, lx, nt, targetX, targetLx, targetMx, ni, impostorX, impostorLx,
                    impostorMx, pullWeight, tripletWeight);
            anchorsInBatch++;
        }
        boolean stepped = false;
        if (anchorsInBatch >= settings.batchSize()) {
            step();
            stepped = true;
        }
        return new Outcome(label, predicted, n > 0, hit, radius, minMargin, stepped,
                stepped ? lastStep : null);
    }

    /** The window index of a selected entry: of the memory's entry of the same class and age, if from the memory. */
    private int windowIndex(int index, boolean fromMemory) {
        return fromMemory ? window.indexOfAge(memory.label(index), memory.age(index)) : index;
    }

    /** A window entry's x, L x and M x = L^T L x under the cache's L. */
    private void gather(int index, double[] ex, double[] elx, double[] emx) {
        window.x(index, ex);
        window.lx(index, elx);
        image(index, emx);
    }

    /**
     * The entry's M x into out, computed when first asked for under the cache's L and kept until the next refresh:
     * between two refreshes an entry serves as target or impostor of many anchors.
     */
    private void image(int index, double[] out) {
        int entries = window.classes() * window.perClass();
        if (imageEpoch.length < entries) {
            imageEpoch = Arrays.copyOf(imageEpoch, entries);
            images = Arrays.copyOf(images, entries * p);
        }
        if (imageEpoch[index] == epoch) {
            System.arraycopy(images, index * p, out, 0, p);
        } else {
            LinearAlgebra.multiplyTransposed(frozenRows, window.lx(index, imageScratch), out);
            System.arraycopy(out, 0, images, index * p, p);
            imageEpoch[index] = epoch;
        }
    }

    private void ensureBuffers(int n, int k, int m) {
        if (tierBest == null || tierBest[0].length != n || targets.length != k || impostors.length != m) {
            targets = new int[k];
            targetD = new double[k];
            impostors = new int[m];
            impostorD = new double[m];
            targetX = new double[k][p];
            targetLx = new double[k][q];
            targetMx = new double[k][p];
            impostorX = new double[m][p];
            impostorLx = new double[m][q];
            impostorMx = new double[m][p];
            tierBest = new int[tiers.length][n];
            tierD = new double[tiers.length][n];
            tierLabels = new int[tiers.length][n];
            tierRepeats = new boolean[tiers.length][n];
        }
    }

    /**
     * Whether neighbour s of tier t's list holds the same raw features and class as a nearer one: a copy, which
     * only a stream that repeats its points holds, and which the snapshot's exemplars (distinct rows) leave out.
     * A copy has exactly its original's distance, so only the run of equal distances before s is compared.
     */
    private boolean repeatsNearer(int t, int s) {
        for (int r = s - 1; r >= 0 && tierD[t][r] == tierD[t][s]; r--) {
            if (tierLabels[t][r] == tierLabels[t][s] && memory.sameRaw(tierBest[t][r], tierBest[t][s])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes the pending step of a partial batch, if any: at end of input, and before L is read as final or
     * replaced. Checkpoints do not need it (they carry the partial batch), so they leave what is learned as it is.
     */
    public boolean flush() {
        if (anchorsInBatch == 0) {
            return false;
        }
        step();
        return true;
    }

    private void step() {
        lastStep = gradient.value();
        stepRule.apply(l, gradient.gradient());
        updates++;
        if (average != null) {
            // A plain mean until the horizon is reached, then an exponential one: no start-up bias.
            averagedSteps++;
            double w = 1.0 / Math.min(averagedSteps, settings.averageSteps());
            for (int e = 0; e < l.length; e++) {
                average[e] += w * (l[e] - average[e]);
            }
        }
        anchorsInBatch = 0;
        if (++stepsSinceRefresh >= REFRESH_EVERY_STEPS) {
            refresh();
        } else {
            gradient.reset(frozen);
        }
    }

    private void refresh() {
        System.arraycopy(l, 0, frozen, 0, l.length);
        stepsSinceRefresh = 0;
        long cached = frozenStatistics.count();
        if (statistics.count() - cached >= Math.max(1, cached / RESTANDARDIZE_GROWTH)) {
            frozenStatistics = statistics.copy();
            standardizer = frozenStatistics.current(rows);
            rebuildCache();
        } else {
            LinearAlgebra.rows(frozen, q, p, frozenRows);
            LinearAlgebra.columns(frozen, q, p, frozenColumns);
            window.transform(frozen);
            gradient.reset(frozen);
            epoch++;
        }
    }

    private void rebuildCache() {
        LinearAlgebra.rows(frozen, q, p, frozenRows);
        LinearAlgebra.columns(frozen, q, p, frozenColumns);
        window.refresh(standardizer);
        window.transform(frozen);
        gradient.reset(frozen);
        epoch++;
    }

    /**
     * Counts the event of class {@code code} that just joined the memory, and keeps the memory's depth at its
     * target ({@link #memoryTarget}): shrinking when the memory holds more than the budget, deepening (at most
     * doubling, so that rings are not allocated far ahead of their use) when this class is full below the target.
     */
    private void fitMemory(int code) {
        if (seen.length <= code) {
            seen = Arrays.copyOf(seen, code + 1);
        }
        seen[code]++;
        int depth = memory.perClass();
        if (memory.size() > settings.memoryBudget()) {
            resizeMemory(memoryTarget());
        } else if (memory.count(code) == depth && fits(depth + depth / RESIZE_SLACK + 1)) {
            resizeMemory((int) Math.min(2L * depth, memoryTarget()));
        }
    }

    /**
     * Whether the target is at least {@code depth}: the sum is monotone in the depth, so this one pass decides it
     * without sorting, on every event of a full class.
     */
    private boolean fits(int depth) {
        if (depth > settings.memoryPerClass()) {
            return false;
        }
        long held = 0;
        for (long n : seen) {
            held += Math.min(n, depth);
        }
        int budget = settings.memoryBudget();
        return held <= budget - budget / RESIZE_SLACK;
    }

    /**
     * The memory's target depth: the water level d at which every class's min(events seen, d) sum to the budget
     * less a 1/{@value #RESIZE_SLACK} slack, at most learner.memory.per-class. Classes with fewer events than d
     * leave their share to the others. Both growing and shrinking aim at it, so that the classes still filling do
     * not make the depth swing (each resize copies the memory).
     */
    private int memoryTarget() {
        long[] counts = Arrays.copyOf(seen, memory.classes());
        Arrays.sort(counts);
        int budget = settings.memoryBudget();
        long remaining = budget - budget / RESIZE_SLACK;
        for (int i = 0; i < counts.length; i++) {
            long share = remaining / (counts.length - i);
            if (counts[i] > share) {
                return (int) Math.max(1, Math.min(settings.memoryPerClass(), share));
            }
            remaining -= counts[i];
        }
        return settings.memoryPerClass();
    }

    /** Keeps each class's newest entries in a memory of another depth. */
    private void resizeMemory(int depth) {
        TripletWindow resized = new TripletWindow(depth, settings.windowMillis(), p, q);
        for (TripletWindow.Entry e : memory.entries()) {
            resized.add(e.label(), e.timestamp(), e.raw(), e.x(), e.lx());
        }
        memory = resized;
    }

    /**
     * Projects the memory under the published L and the current statistics: the identity while the guard prefers
     * it and L is square (a low-rank L cannot hold it; the learned one is used then).
     */
    private void reprojectMemory() {
        boolean euclidean = q == p && guard != null && guard.prefersEuclidean();
        System.arraycopy(euclidean ? MahalanobisMetric.identity(q, p) : average != null ? average : l, 0, memoryL, 0,
                l.length);
        memoryStatistics = statistics.copy();
        memoryProjectedAt = events;
        projectMemory();
    }

    /** Re-computes the memory's cached forms from memoryL and memoryStatistics. */
    private void projectMemory() {
        LinearAlgebra.rows(memoryL, q, p, memoryRows);
        LinearAlgebra.columns(memoryL, q, p, memoryColumns);
        memoryStandardizer = memoryStatistics.current(rows);
        memory.refresh(memoryStandardizer);
        memory.transform(memoryL);
        memorySigma = Double.NaN;
    }

    private void onDrift() {
        drifts++;
        // Keep about the events since the estimated change, spread over the classes (at least k + 1 each).
        long age = drift.changeAge();
        long perClass = age == Long.MAX_VALUE ? settings.windowPerClass() : (age + labels.size() - 1) / labels.size();
        window.retainNewest((int) Math.max(settings.k() + 1, Math.min(perClass, settings.windowPerClass())));
        memory.retainNewest((int) Math.max(settings.k() + 1, Math.min(perClass, memory.perClass())));
        for (int c = 0; c < seen.length; c++) {
            seen[c] = memory.count(c);
        }
        restartAverage();
    }

    private void restartAverage() {
        if (average != null) {
            System.arraycopy(l, 0, average, 0, l.length);
            averagedSteps = 1;
        }
    }

    /**
     * The certified radius of the vote: the event against the memory tier that voted, from its distances under
     * the memory's L (the selection's own pass) and the memory's cached L x, with M x of a reference computed only
     * when the radius search reaches it; the same number as {@code new CertifiedKnn(new KnnClassifier(...))} with
     * the memory's metric on that tier's entries.
     */
    private double certify(double[][] dist, int label, int k, int depth) {
        References refs = new References(memory, memory.indices(depth), dist, this::memoryImage);
        if (Double.isNaN(memorySigma)) {
            memorySigma = CertifiedKnn.spectralNormBound(memoryL, q, p);
        }
        return CertifiedKnn.radius(refs.d2, refs.classes, k, label, refs::norm, memorySigma);
    }

    /** A memory entry's M x = L^T L x under the memory's L. */
    private void memoryImage(int index, double[] out) {
        LinearAlgebra.multiplyTransposed(memoryRows, memory.lx(index, imageScratch), out);
    }

    /** The cache's L's norm bound, computed when a certificate first needs it after a refresh. */
    private double sigma() {
        if (sigmaEpoch != epoch) {
            sigma = CertifiedKnn.spectralNormBound(frozen, q, p);
            sigmaEpoch = epoch;
        }
        return sigma;
    }

    /**
     * The guard's paired sample: this event classified and certified under the learned metric and under the
     * identity, on the same preprocessed inputs, against the union of its {@link #GUARD_NEIGHBOURS} nearest
     * window entries under each metric. Both predictions are the full window's (the k nearest are in the union);
     * the radii are those of the k-NN rule on the union, where the pairs that decide a radius lie, which keeps a
     * sample O(window (p + q)) rather than quadratic in the window. Entries equal to the event are left out
     * (leave-one-out): when a stream repeats its points (several passes over a training set), a point's own copy
     * would otherwise decide both answers and hide how the metrics generalise.
     *
     * @param learnedD the event's distances to the window under the learned metric ({@link TripletWindow#distances})
     */
    private void guardSample(double[][] learnedD, int code, int k) {
        double[][] euclideanD = window.preprocessedDistances(x);
        int a = window.nearest(learnedD, euclideanD, GUARD_NEIGHBOURS, guardLearned, guardD);
        int b = window.nearest(euclideanD, euclideanD, GUARD_NEIGHBOURS, guardEuclidean, guardD);
        int[] near = union(guardLearned, a, guardEuclidean, b);
        if (near.length == 0) {
            return;
        }
        References learnedRefs = new References(window, near, learnedD, this::image);
        References euclideanRefs = new References(window, near, euclideanD, window::x);
        int classes = labels.size();
        int learned = KnnClassifier.fromSquaredDistances(learnedRefs.d2, learnedRefs.classes, k, classes).label();
        int euclidean = KnnClassifier.fromSquaredDistances(euclideanRefs.d2, euclideanRefs.classes, k, classes).label();
        guard.add(learned == code,
                learned == code
                        ? CertifiedKnn.radius(learnedRefs.d2, learnedRefs.classes, k, code, learnedRefs::norm, sigma())
                        : 0,
                euclidean == code,
                euclidean == code ? CertifiedKnn.radius(euclideanRefs.d2, euclideanRefs.classes, k, code,
                        euclideanRefs::norm, 1) : 0);
    }

    /** The distinct indices of a[0..na) and b[0..nb), ascending. */
    private static int[] union(int[] a, int na, int[] b, int nb) {
        int[] all = Arrays.copyOf(a, na + nb);
        System.arraycopy(b, 0, all, na, nb);
        Arrays.sort(all);
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (n == 0 || all[i] != all[n - 1]) {
                all[n++] = all[i];
            }
        }
        return Arrays.copyOf(all, n);
    }

    /** An entry's image M x under some metric: what the norm of a pair, |M (x_a - x_b)|, is taken of. */
    private interface EntryImage {
        void into(int index, double[] out);
    }

    /**
     * Entries of a window or the memory as a radius search sees them: the event's squared distances, classes, and
     * the norm |M (x_a - x_b)| of a pair, each entry's image gathered when first asked for.
     */
    private final class References {
        final double[] d2;
        final int[] classes;
        private final int[] indices;
        private final EntryImage images;
        private final double[][] image;

        References(TripletWindow from, int[] indices, double[][] dist, EntryImage images) {
            int n = indices.length;
            this.indices = indices;
            this.images = images;
            this.d2 = new double[n];
            this.classes = new int[n];
            int perClass = from.perClass();
            for (int i = 0; i < n; i++) {
                classes[i] = from.label(indices[i]);
                d2[i] = dist[classes[i]][indices[i] % perClass];
            }
            this.image = new double[n][];
        }

        double norm(int a, int b) {
            return Math.sqrt(LinearAlgebra.squaredDistance(image(a), image(b)));
        }

        private double[] image(int i) {
            if (image[i] == null) {
                double[] v = new double[p];
                images.into(indices[i], v);
                image[i] = v;
            }
            return image[i];
        }
    }

    /**
     * Computes the prequential certified radius for one event in {@code every} (0 = never) instead of
     * the settings' certify-every. Not checkpointed: a settings race certifies more often while it races.
     */
    public void certifyEvery(int every) {
        if (every < 0) {
            throw new IllegalArgumentException("certify-every must be >= 0, got " + every);
        }
        certifyEvery = every;
    }

    /**
     * The learned metric (a copy): the running average of L, or the last iterate without averaging. This is
     * what data-parallel learners merge; what is served is {@link #publishedMetric()}.
     */
    public MahalanobisMetric metric() {
        return MahalanobisMetric.of(q, p, average != null ? average : l);
    }

    /** The metric to serve: the learned one, or the identity unless the learned one clearly leads the guard. */
    public MahalanobisMetric publishedMetric() {
        return publishesEuclidean(List.of(this)) ? MahalanobisMetric.euclidean(p) : metric();
    }

    /**
     * Whether the Euclidean guards of these learners (data-parallel lineages of one model), summed, have snapshots
     * publish the identity metric instead of the learned one ({@link EuclideanGuard#publishesEuclidean}); false when
     * any has no guard.
     */
    public static boolean publishesEuclidean(List<StreamingLearner> learners) {
        double learned = 0;
        double euclidean = 0;
        for (StreamingLearner learner : learners) {
            if (learner.guard == null) {
                return false;
            }
            double[] s = learner.guard.scores();
            learned += s[0];
            euclidean += s[1];
        }
        return new EuclideanGuard(learners.get(0).guard.radius(), learned, euclidean).publishesEuclidean();
    }

    /** The k of this learner's k-NN vote now: learner.k, or the leader of its k race. */
    public int voteK() {
        return vote.k();
    }

    /** The k that data-parallel lineages of one model publish ({@link VoteRace#merged}). */
    public static int voteK(List<StreamingLearner> learners) {
        return VoteRace.merged(learners.stream().map(l -> l.vote).toList());
    }

    double[] voteState() {
        return vote.state();
    }

    void restoreVote(double[] state) {
        vote.restore(state);
    }

    /** The guard's decayed scores {learned, euclidean}, or null without a guard. */
    public double[] guardScores() {
        return guard == null ? null : guard.scores();
    }

    public Standardizer standardizer() {
        return statistics.current(rows);
    }

    public LearnerSettings settings() {
        return settings;
    }

    public int dimension() {
        return p;
    }

    public int rank() {
        return q;
    }

    public List<String> labels() {
        return List.copyOf(labels);
    }

    public Counters counters() {
        return new Counters(events, tested, correct, updates, drifts);
    }

    public long events() {
        return events;
    }

    public long updates() {
        return updates;
    }

    /** Prequential accuracy over all tested events so far (NaN before the first). */
    public double prequentialAccuracy() {
        return tested == 0 ? Double.NaN : (double) correct / tested;
    }

    public TripletWindow window() {
        return window;
    }

    /** The last completed step's objective value (null before the first step). */
    public ObjectiveValue lastStep() {
        return lastStep;
    }

    /**
     * Replaces L by another map of the same shape (e.g. a merged model broadcast back to a
     * data-parallel worker). A pending partial batch is stepped first; the step rule's moments,
     * the window, the statistics and the counters are kept. No event is counted.
     */
    public void adoptMetric(double[] newL) {
        if (newL.length != l.length) {
            throw new IllegalArgumentException("L has " + newL.length + " entries, expected " + l.length);
        }
        for (double v : newL) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("L has a non-finite entry");
            }
        }
        flush();
        System.arraycopy(newL, 0, l, 0, l.length);
        restartAverage();
        refresh();
    }

    /** A copy of the running preprocessing statistics (e.g. to merge learners exactly). */
    public OnlineStandardizer statisticsCopy() {
        return statistics.copy();
    }

    // For LearnerStateCodec.
    double[] parameters() {
        return l;
    }

    StepRule stepRule() {
        return stepRule;
    }

    /** The running average of L (null without averaging) and how many steps it has seen. */
    double[] averageView() {
        return average;
    }

    long averagedSteps() {
        return averagedSteps;
    }

    DriftDetector driftDetector() {
        return drift;
    }

    OnlineStandardizer statistics() {
        return statistics;
    }

    /** The window cache's L, statistics and age in steps, for the codec. */
    double[] frozenView() {
        return frozen;
    }

    OnlineStandardizer frozenStatistics() {
        return frozenStatistics;
    }

    int stepsSinceRefresh() {
        return stepsSinceRefresh;
    }

    /** Restores the window cache's L, statistics and age, before the window entries are re-added. */
    void restoreCache(double[] cacheL, OnlineStandardizer cacheStatistics, int steps) {
        if (cacheL.length != frozen.length) {
            throw new IllegalArgumentException("cached L has " + cacheL.length + " entries, expected " + frozen.length);
        }
        System.arraycopy(cacheL, 0, frozen, 0, frozen.length);
        frozenStatistics = cacheStatistics;
        standardizer = cacheStatistics.current(rows);
        stepsSinceRefresh = steps;
    }

    /** Anchors in the partial batch, whose step is pending. */
    int anchorsInBatch() {
        return anchorsInBatch;
    }

    /** The partial batch's accumulated objective and gradient (empty without one), for checkpoints. */
    double[] pendingGradient() {
        return anchorsInBatch == 0 ? new double[0] : gradient.accumulated();
    }

    /**
     * Restores a checkpointed partial batch, after the window cache (and so the gradient's L) is restored: the
     * learner then takes the same step at the same event as if it had never stopped.
     */
    void restorePending(int anchors, double[] accumulated) {
        if (anchors < 0 || anchors >= settings.batchSize() || (anchors == 0) != (accumulated.length == 0)) {
            throw new IllegalArgumentException("a partial batch of " + anchors + " anchors (batch size "
                    + settings.batchSize() + ") with " + accumulated.length + " accumulated numbers");
        }
        if (anchors > 0) {
            gradient.restoreAccumulated(accumulated);
        }
        anchorsInBatch = anchors;
    }

    /** Restores the guard's scores (empty: no guard was checkpointed, so none runs). */
    void restoreGuard(double[] scores) {
        if (scores.length == 0) {
            guard = null;
        } else if (guard == null || scores.length != 2) {
            throw new IllegalArgumentException("guard state of " + scores.length + " values does not fit the settings");
        } else {
            guard = new EuclideanGuard(guard.radius(), scores[0], scores[1]);
        }
    }

    /** Re-adds a checkpointed window entry; call {@link #rebuildWindowCache()} after the last one. */
    void restoreWindowEntry(int label, long timestamp, double[] raw) {
        window.add(label, timestamp, raw, new double[p], new double[q]);
    }

    void rebuildWindowCache() {
        rebuildCache();
    }

    /**
     * Re-adds a checkpointed memory entry (the memory first sized to the checkpoint's depth); call
     * {@link #restoreMemory} after the last one.
     */
    void restoreMemoryEntry(int depth, int label, long timestamp, double[] raw) {
        if (memory.perClass() != depth) {
            resizeMemory(depth);
        }
        memory.add(label, timestamp, raw, new double[p], new double[q]);
    }

    /** Restores the L and statistics the memory is projected under, and projects it. */
    void restoreMemory(double[] memoryL, OnlineStandardizer memoryStatistics, long projectedAt, long[] seen) {
        this.seen = seen.clone();
        if (memoryL.length != this.memoryL.length) {
            throw new IllegalArgumentException("memory L has " + memoryL.length + " entries, expected "
                    + this.memoryL.length);
        }
        System.arraycopy(memoryL, 0, this.memoryL, 0, memoryL.length);
        this.memoryStatistics = memoryStatistics;
        this.memoryProjectedAt = projectedAt;
        projectMemory();
    }

    double[] memoryL() {
        return memoryL;
    }

    OnlineStandardizer memoryStatistics() {
        return memoryStatistics;
    }

    long memoryProjectedAt() {
        return memoryProjectedAt;
    }

    long[] memorySeen() {
        return seen.clone();
    }

    /** The vote's memory. */
    public TripletWindow memory() {
        return memory;
    }

    /** Events per class in the memory tier the vote reads now (the leader's tier, within the memory's depth). */
    public int voteDepth() {
        return Math.min(tiers[vote.tier()], memory.perClass());
    }
}
