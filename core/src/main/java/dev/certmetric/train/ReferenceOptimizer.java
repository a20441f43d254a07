package dev.certmetric.train;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.metric.PsdMatrices;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.objective.MatrixGradient;
import dev.certmetric.objective.ObjectiveValue;
import dev.certmetric.objective.TripletSet;
import dev.certmetric.triplets.ReferenceTriplets;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-batch projected gradient on M with the reference implementation's rules (docs/ALGORITHM.md,
 * section 4): start at M = I, step 1; after each step multiply the step by 1.01 if the objective
 * fell, else halve it (floor 1e-4); project onto the PSD cone; stop after at least
 * {@code minIterations} once the largest change of the objective over the last 5 iterations is
 * below {@code tolerance} times its value, or after {@code maxIterations}.
 */
public final class ReferenceOptimizer implements BatchOptimizer {
    /**
     * @param k target neighbours per point
     * @param v impostors per point
     */
    public record Settings(int k, int v, int minIterations, int maxIterations, double tolerance) {
        public static final Settings DEFAULT = new Settings(3, 10, 50, 1000, 1e-7);

        public Settings {
            if (k < 1 || v < 1 || minIterations < 0 || maxIterations < minIterations || !(tolerance >= 0)) {
                throw new IllegalArgumentException("invalid optimiser settings " + this);
            }
        }

        public Settings withNeighbours(int k, int v) {
            return new Settings(k, v, minIterations, maxIterations, tolerance);
        }
    }

    private static final int WINDOW = 5;
    private static final double MIN_STEP = 1e-4;

    private final LmnnPlObjective objective;
    private final Settings settings;

    public ReferenceOptimizer(LmnnPlObjective objective, Settings settings) {
        this.objective = objective;
        this.settings = settings;
    }

    @Override
    public Fit fit(double[][] x, int[] y) {
        TripletSet triplets = ReferenceTriplets.build(x, y, settings.k(), settings.v());
        return fit(x, triplets);
    }

    @Override
    public Fit fit(double[][] x, TripletSet triplets) {
        int p = x[0].length;
        MatrixGradient f = new MatrixGradient(objective, x, triplets);
        double[] m = new double[p * p];
        for (int a = 0; a < p; a++) {
            m[a * p + a] = 1;
        }
        MatrixGradient.Result current = f.evaluate(m);
        List<ObjectiveValue> trace = new ArrayList<>();
        trace.add(current.value());
        double step = 1;
        int iteration = 0;
        while (iteration < settings.maxIterations()) {
            iteration++;
            double[] g = current.gradient();
            double[] next = new double[p * p];
            for (int e = 0; e < next.length; e++) {
                next[e] = m[e] - step * g[e];
            }
            PsdMatrices.projectInPlace(next, p);
            MatrixGradient.Result evaluated = f.evaluate(next);
            step = evaluated.value().total() < current.value().total() ? step * 1.01 : Math.max(step / 2, MIN_STEP);
            m = next;
            current = evaluated;
            trace.add(current.value());
            if (iteration >= settings.minIterations() && converged(trace)) {
                break;
            }
        }
        return new Fit(MahalanobisMetric.fromM(m, p, p), iteration, List.copyOf(trace));
    }

    private boolean converged(List<ObjectiveValue> trace) {
        return stalled(trace, WINDOW, settings.tolerance());
    }

    /** Whether the largest change of the objective over the last {@code window} iterations is below tolerance times its value. */
    static boolean stalled(List<ObjectiveValue> trace, int window, double tolerance) {
        int size = trace.size();
        if (size <= window) {
            return false;
        }
        double largest = 0;
        for (int t = size - window; t < size; t++) {
            largest = Math.max(largest, Math.abs(trace.get(t).total() - trace.get(t - 1).total()));
        }
        return largest < tolerance * Math.abs(trace.get(size - 1).total());
    }
}
