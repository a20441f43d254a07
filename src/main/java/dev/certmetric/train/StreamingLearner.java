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

        // Test.
        String predicted = null;
        boolean hit = false;
        double radius = Double.NaN;
        TripletWindow.Entry[] neighbours = window.nearest(lx, settings.k(), c -> true, null);
        if (neighbours.length > 0) {
            int[] nl = new int[neighbours.length];
            double[] nd = new double[neighbours.length];
            for (int s = 0; s < neighbours.length; s++) {
                nl[s] = neighbours[s].label();
                nd[s] = LinearAlgebra.squaredDistance(lx, neighbours[s].lx());
            }
            int guess = KnnClassifier.plurality(nl, nd, labels.size());
            predicted = labels.get(guess);
            hit = guess == code;
            tested++;
            if (hit) {
                correct++;
            }
            if (settings.certifyEvery() > 0 && events % settings.certifyEvery() == 0) {
                radius = certify(x, guess);
            }
        }

        // Train.
        statistics.update(raw);
        TripletWindow.Entry self = window.add(code, timestamp, raw.clone(), x, lx);
        double minMargin = accumulate(self);
        boolean stepped = false;
        if (anchorsInBatch >= settings.batchSize()) {
            step();
            stepped = true;
        }
        return new Outcome(label, predicted, neighbours.length > 0, hit, radius, minMargin, stepped,
                stepped ? lastStep : null);
    }

    private double accumulate(TripletWindow.Entry anchor) {
        int code = anchor.label();
        TripletWindow.Entry[] targets = window.nearest(anchor.lx(), settings.k(), c -> c == code, anchor);
        if (targets.length == 0) {
            return Double.NaN;
        }
        TripletWindow.Entry[] impostors = window.nearest(anchor.lx(), settings.impostors(), c -> c != code, anchor);
        double pullWeight = settings.mu() / ((double) settings.batchSize() * settings.k());
        double tripletWeight = 1.0 / ((double) settings.batchSize() * settings.k() * settings.impostors());
        double minMargin = Double.NaN;
        for (TripletWindow.Entry j : targets) {
            gradient.addPull(anchor.x(), anchor.lx(), j.x(), j.lx(), pullWeight);
            for (TripletWindow.Entry i : impostors) {
                double gamma = gradient.addTriplet(anchor.x(), anchor.lx(), j.x(), j.lx(), i.x(), i.lx(), tripletWeight);
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

    private double certify(double[] x, int label) {
        List<TripletWindow.Entry> entries = window.entries();
        double[][] refs = new double[entries.size()][];
        int[] classes = new int[entries.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = entries.get(i).x();
            classes[i] = entries.get(i).label();
        }
        CertifiedKnn certified = new CertifiedKnn(new KnnClassifier(metric(), refs, classes, settings.k()));
        return certified.radius(x, label);
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
