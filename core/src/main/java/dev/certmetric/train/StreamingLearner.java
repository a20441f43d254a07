package dev.certmetric.train;

import dev.certmetric.certify.CertifiedKnn;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.objective.LinearGradient;
import dev.certmetric.objective.ObjectiveValue;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.triplets.TripletWindow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-pass stochastic learner of LMNN + perturbation loss, driven one labelled event at a time
 * by {@link #testThenTrain}: the event is first classified by k-NN on the window under the current
 * metric (prequential test), then becomes an anchor whose targets and impostors are its nearest
 * same-class and other-class window entries under the current metric; every {@code batchSize}
 * anchors the accumulated gradient of L takes one step of the step rule.
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
    private final int p;
    private final int q;
    private final double[] l;
    private final StepRule stepRule;
    private final OnlineStandardizer statistics;
    private final TripletWindow window;
    private final List<String> labels;
    private final Map<String, Integer> codes = new HashMap<>();
    private final LinearGradient gradient;
    private Standardizer standardizer;
    // Per-event scratch (selection results), reused.
    private TripletWindow.Entry[] neighbours;
    private double[] neighbourD;
    private int[] neighbourLabels;
    private double[] neighbourDistances;
    private TripletWindow.Entry[] targets;
    private double[] targetD;
    private TripletWindow.Entry[] impostors;
    private double[] impostorD;
    private final int[] found = new int[3];

    private int certifyEvery;
    private long events;
    private long tested;
    private long correct;
    private long updates;
    private int anchorsInBatch;
    private ObjectiveValue lastStep;

    public StreamingLearner(LearnerSettings settings, int p) {
        this(settings, p, MahalanobisMetric.identity(settings.rankFor(p), p), null,
                new OnlineStandardizer(p), new ArrayList<>(), new Counters(0, 0, 0, 0));
    }

    StreamingLearner(LearnerSettings settings, int p, double[] l, StepRule stepRule,
                     OnlineStandardizer statistics, List<String> labels, Counters counters) {
        if (p < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + p);
        }
        this.settings = settings;
        this.p = p;
        this.q = settings.rankFor(p);
        if (l.length != q * p) {
            throw new IllegalArgumentException("L has " + l.length + " entries, expected " + q * p);
        }
        this.l = l;
        this.stepRule = stepRule != null ? stepRule
                : StepRule.create(settings.stepRule(), settings.learningRate(), q * p);
        this.statistics = statistics;
        this.window = new TripletWindow(settings.windowPerClass(), settings.windowMillis());
        this.labels = labels;
        for (int c = 0; c < labels.size(); c++) {
            codes.put(labels.get(c), c);
        }
        this.gradient = new LinearGradient(settings.objective(), q, p);
        this.gradient.reset(l);
        this.standardizer = statistics.current();
        this.certifyEvery = settings.certifyEvery();
        this.events = counters.events();
        this.tested = counters.tested();
        this.correct = counters.correct();
        this.updates = counters.updates();
    }

    /** Event counters, as checkpointed. */
    public record Counters(long events, long tested, long correct, long updates) {
    }

    public Outcome testThenTrain(double[] raw, String label, long timestamp) {
        if (raw.length != p) {
            throw new IllegalArgumentException("expected " + p + " features, got " + raw.length);
        }
        window.evictExpired(timestamp);
        int code = codes.computeIfAbsent(label, name -> {
            labels.add(name);
            return labels.size() - 1;
        });
        double[] x = standardizer.apply(raw);
        double[] lx = new double[q];
        LinearAlgebra.multiply(l, q, p, x, lx);
        events++;

        // One distance pass over the window serves the test k-NN, the targets and the impostors: the
        // window is the same for all three but for the anchor itself, which takes the slot of the entry
        // its class evicts (skipped below); the selections tie-break exactly as TripletWindow.nearest.
        int k = settings.k();
        double[] dist = window.distances(lx);
        ensureBuffers(k, settings.impostors());

        // Test.
        String predicted = null;
        boolean hit = false;
        double radius = Double.NaN;
        int slot = window.nextSlot(code);
        window.selectAll(dist, code, slot, k, settings.impostors(), neighbours, neighbourD, targets, targetD,
                impostors, impostorD, found);
        int n = found[0];
        if (n > 0) {
            int[] nl = n == k ? neighbourLabels : new int[n];
            double[] nd = n == k ? neighbourDistances : new double[n];
            for (int s = 0; s < n; s++) {
                nl[s] = neighbours[s].label();
                nd[s] = neighbourD[s];
            }
            int guess = KnnClassifier.plurality(nl, nd, labels.size());
            predicted = labels.get(guess);
            hit = guess == code;
            tested++;
            if (hit) {
                correct++;
            }
            if (certifyEvery > 0 && events % certifyEvery == 0) {
                radius = certify(lx, guess);
            }
        }

        // Train: the anchor's targets (same class, not itself nor the entry it evicts) and impostors.
        int nt = found[1];
        int ni = found[2];
        statistics.update(raw);
        TripletWindow.Entry self = window.add(code, timestamp, raw.clone(), x, lx);
        double minMargin = accumulate(self, nt, ni);
        boolean stepped = false;
        if (anchorsInBatch >= settings.batchSize()) {
            step();
            stepped = true;
        }
        return new Outcome(label, predicted, n > 0, hit, radius, minMargin, stepped,
                stepped ? lastStep : null);
    }

    private void ensureBuffers(int k, int m) {
        if (neighbours == null || neighbours.length != k || impostors.length != m) {
            neighbours = new TripletWindow.Entry[k];
            neighbourD = new double[k];
            neighbourLabels = new int[k];
            neighbourDistances = new double[k];
            targets = new TripletWindow.Entry[k];
            targetD = new double[k];
            impostors = new TripletWindow.Entry[m];
            impostorD = new double[m];
        }
    }

    private double accumulate(TripletWindow.Entry anchor, int nt, int ni) {
        if (nt == 0) {
            return Double.NaN;
        }
        double pullWeight = settings.mu() / ((double) settings.batchSize() * settings.k());
        double tripletWeight = 1.0 / ((double) settings.batchSize() * settings.k() * settings.impostors());
        double minMargin = Double.NaN;
        double[] ax = anchor.x();
        double[] alx = anchor.lx();
        for (int t = 0; t < nt; t++) {
            TripletWindow.Entry j = targets[t];
            gradient.addPull(ax, alx, j.x(), j.lx(), pullWeight);
            for (int m = 0; m < ni; m++) {
                TripletWindow.Entry i = impostors[m];
                double gamma = gradient.addTriplet(ax, alx, j.x(), j.lx(), i.x(), i.lx(), tripletWeight);
                minMargin = Double.isNaN(minMargin) ? gamma : Math.min(minMargin, gamma);
            }
        }
        anchorsInBatch++;
        return minMargin;
    }

    /**
     * Takes the pending step of a partial batch, if any, so that no event's gradient is held outside
     * the checkpointable state. Called before every checkpoint and at end of input.
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
        anchorsInBatch = 0;
        standardizer = statistics.current();
        window.refresh(standardizer, l, q);
        gradient.reset(l);
    }

    /**
     * The certified radius of the query (given as L x) against the window, reusing the window's cached
     * L x of every entry (fresh: L has not changed since the last refresh) instead of re-transforming
     * the references; the same numbers as {@code new CertifiedKnn(new KnnClassifier(metric(), ...))}.
     */
    private double certify(double[] lq, int label) {
        List<TripletWindow.Entry> entries = window.entries();
        int n = entries.size();
        double[][] lxs = new double[n][];
        double[][] mxs = new double[n][p];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            TripletWindow.Entry e = entries.get(i);
            lxs[i] = e.lx();
            LinearAlgebra.multiplyTransposed(l, q, p, e.lx(), mxs[i]);
            classes[i] = e.label();
        }
        return CertifiedKnn.radius(lq, lxs, mxs, classes, settings.k(), label);
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

    /** The current metric (a copy). */
    public MahalanobisMetric metric() {
        return MahalanobisMetric.of(q, p, l);
    }

    public Standardizer standardizer() {
        return statistics.current();
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
        return new Counters(events, tested, correct, updates);
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
        window.refresh(standardizer, l, q);
        gradient.reset(l);
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

    OnlineStandardizer statistics() {
        return statistics;
    }

    /** Re-adds a checkpointed window entry; call {@link #refreshWindow()} after the last one. */
    void restoreWindowEntry(int label, long timestamp, double[] raw) {
        window.add(label, timestamp, raw, new double[p], new double[q]);
    }

    void refreshWindow() {
        window.refresh(standardizer, l, q);
    }
}
