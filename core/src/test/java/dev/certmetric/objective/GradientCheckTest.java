package dev.certmetric.objective;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.triplets.ReferenceTriplets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Analytic gradients against central finite differences, term by term, in both M and L forms. */
class GradientCheckTest {
    private static final int N = 24;
    private static final int P = 5;

    /** mu, lambda, tau select the terms: (1,0,*) pull only; (0,0,*) hinge only; (0,*,*) hinge + perturbation. */
    @ParameterizedTest(name = "M form: mu={0} lambda={1} tau={2}")
    @CsvSource({"1, 0, 0.3", "0, 0, 0.3", "0.34, 20, 0.27", "0, 5, 2.0", "0.5, 100, 0.45"})
    void matrixGradientMatchesFiniteDifferences(double mu, double lambda, double tau) {
        Data d = data(7);
        LmnnPlObjective objective = new LmnnPlObjective(mu, lambda, tau);
        TripletSet triplets = ReferenceTriplets.build(d.x, d.y, 3, 4);
        MatrixGradient f = new MatrixGradient(objective, d.x, triplets);
        double[] m = randomPsd(new Random(3));
        double[] g = f.evaluate(m).gradient();
        Random rnd = new Random(11);
        for (int trial = 0; trial < 6; trial++) {
            double[] e = new double[P * P];
            for (int a = 0; a < P; a++) {
                for (int b = a; b < P; b++) {
                    double v = rnd.nextGaussian();
                    e[a * P + b] = v;
                    e[b * P + a] = v;
                }
            }
            double h = 1e-6;
            double numeric = (f.value(axpy(m, h, e)).total() - f.value(axpy(m, -h, e)).total()) / (2 * h);
            double analytic = 0;
            for (int i = 0; i < e.length; i++) {
                analytic += g[i] * e[i];
            }
            assertEquals(numeric, analytic, 1e-5 * Math.max(1, Math.abs(numeric)), "direction " + trial);
        }
    }

    /** q = 5 and 3 take the anchor gradient's Gram form, q = 2 and 1 its factor form (2 q < p). */
    @ParameterizedTest(name = "L form: mu={0} lambda={1} tau={2} q={3}")
    @CsvSource({"1, 0, 0.3, 5", "0, 0, 0.3, 5", "0.34, 20, 0.27, 5", "0, 5, 2.0, 3", "0.5, 100, 0.45, 2",
            "0.34, 20, 0.27, 1", "0.34, 20, 0.27, 3"})
    void linearGradientMatchesFiniteDifferencesAndMatrixForm(double mu, double lambda, double tau, int q) {
        Data d = data(5);
        LmnnPlObjective objective = new LmnnPlObjective(mu, lambda, tau);
        TripletSet triplets = ReferenceTriplets.build(d.x, d.y, 3, 4);
        Random rnd = new Random(q);
        double[] l = new double[q * P];
        for (int i = 0; i < l.length; i++) {
            l[i] = (i % (P + 1) == 0 ? 1 : 0) + 0.3 * rnd.nextGaussian();
        }
        AnchorGradient acc = new AnchorGradient(objective, q, P);
        ObjectiveValue value = accumulate(acc, l, q, d.x, triplets);
        double[] g = acc.gradient().clone();

        // Same value as the M form at M = L^T L, and dF/dL = 2 L G.
        double[] m = MahalanobisMetric.of(q, P, l).m();
        MatrixGradient.Result mr = new MatrixGradient(objective, d.x, triplets).evaluate(m);
        assertEquals(mr.value().total(), value.total(), 1e-9);
        for (int r = 0; r < q; r++) {
            for (int c = 0; c < P; c++) {
                double expected = 0;
                for (int k = 0; k < P; k++) {
                    expected += 2 * l[r * P + k] * mr.gradient()[k * P + c];
                }
                assertEquals(expected, g[r * P + c], 1e-8);
            }
        }
        for (int i = 0; i < l.length; i++) {
            double h = 1e-6;
            double[] lp = l.clone();
            double[] lm = l.clone();
            lp[i] += h;
            lm[i] -= h;
            double numeric = (accumulate(new AnchorGradient(objective, q, P), lp, q, d.x, triplets).total()
                    - accumulate(new AnchorGradient(objective, q, P), lm, q, d.x, triplets).total()) / (2 * h);
            assertEquals(numeric, g[i], 1e-5 * Math.max(1, Math.abs(numeric)), "entry " + i);
        }
    }

    /** The L-BFGS optimiser's function: F(L^T L) and dF/dL = 2 L G, entry by entry, at a random square L. */
    @ParameterizedTest(name = "factor form: mu={0} lambda={1} tau={2}")
    @CsvSource({"1, 0, 0.3", "0, 0, 0.3", "0.34, 20, 0.27", "0, 5, 2.0", "0.5, 100, 0.45"})
    void factorGradientMatchesFiniteDifferencesAndLinearForm(double mu, double lambda, double tau) {
        Data d = data(9);
        LmnnPlObjective objective = new LmnnPlObjective(mu, lambda, tau);
        TripletSet triplets = ReferenceTriplets.build(d.x, d.y, 3, 4);
        Random rnd = new Random(17);
        double[] l = new double[P * P];
        for (int i = 0; i < l.length; i++) {
            l[i] = (i % (P + 1) == 0 ? 1 : 0) + 0.3 * rnd.nextGaussian();
        }
        FactorGradient f = new FactorGradient(objective, d.x, triplets);
        FactorGradient.Result r = f.evaluate(l);
        AnchorGradient linear = new AnchorGradient(objective, P, P);
        assertEquals(accumulate(linear, l, P, d.x, triplets).total(), r.value().total(), 1e-9);
        for (int i = 0; i < l.length; i++) {
            assertEquals(linear.gradient()[i], r.gradient()[i], 1e-8, "entry " + i + " against the L form");
            double h = 1e-6;
            double[] lp = l.clone();
            double[] lm = l.clone();
            lp[i] += h;
            lm[i] -= h;
            double numeric = (f.value(lp).total() - f.value(lm).total()) / (2 * h);
            assertEquals(numeric, r.gradient()[i], 1e-5 * Math.max(1, Math.abs(numeric)), "entry " + i);
        }
    }

    @ParameterizedTest(name = "every term is exercised: lambda={0}")
    @CsvSource({"20", "100"})
    void perturbationTermIsActiveInTheChecks(double lambda) {
        Data d = data(7);
        TripletSet triplets = ReferenceTriplets.build(d.x, d.y, 3, 4);
        ObjectiveValue v = new MatrixGradient(new LmnnPlObjective(0.34, lambda, 0.27), d.x, triplets)
                .value(randomPsd(new Random(3)));
        assertTrue(v.perturbation() > 0 && v.hinge() > 0 && v.pull() > 0, v.toString());
        assertTrue(v.violated() > 0 && v.violated() < v.triplets(), "both branches of psi are covered");
    }

    /** The triplet set anchor by anchor (ReferenceTriplets has all target x impostor combinations of each). */
    static ObjectiveValue accumulate(AnchorGradient acc, double[] l, int q, double[][] x, TripletSet t) {
        acc.reset(l);
        MahalanobisMetric metric = MahalanobisMetric.of(q, P, l);
        double[][] lx = new double[x.length][];
        double[][] mx = new double[x.length][P];
        for (int i = 0; i < x.length; i++) {
            lx[i] = metric.transform(x[i]);
            LinearAlgebra.multiplyTransposed(l, q, P, lx[i], mx[i]);
        }
        java.util.Map<Integer, java.util.List<Integer>> targets = new java.util.TreeMap<>();
        java.util.Map<Integer, java.util.List<Integer>> impostors = new java.util.TreeMap<>();
        for (int k = 0; k < t.pullSize(); k++) {
            targets.computeIfAbsent(t.pullAnchor(k), a -> new java.util.ArrayList<>()).add(t.pullTarget(k));
        }
        for (int k = 0; k < t.impostorPairs(); k++) {
            impostors.computeIfAbsent(t.impostorAnchor(k), a -> new java.util.ArrayList<>()).add(t.impostorOf(k));
        }
        int combinations = 0;
        for (var e : targets.entrySet()) {
            combinations += e.getValue().size() * impostors.getOrDefault(e.getKey(), java.util.List.of()).size();
        }
        assertEquals(t.size(), combinations, "every anchor's triplets are all its target x impostor pairs");
        double pullWeight = acc.objective().mu() / t.pullSize();
        for (var e : targets.entrySet()) {
            int i = e.getKey();
            int[] js = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            int[] ls = impostors.getOrDefault(i, java.util.List.of()).stream().mapToInt(Integer::intValue).toArray();
            acc.addAnchor(x[i], lx[i], js.length, rows(x, js), rows(lx, js), rows(mx, js),
                    ls.length, rows(x, ls), rows(lx, ls), rows(mx, ls), pullWeight, 1.0 / t.size());
        }
        return acc.value();
    }

    private static double[][] rows(double[][] a, int[] index) {
        double[][] out = new double[index.length][];
        for (int i = 0; i < index.length; i++) {
            out[i] = a[index[i]];
        }
        return out;
    }

    record Data(double[][] x, int[] y) {
    }

    /** Overlapping classes, so some triplets are violated, some inside the margin, some safe. */
    static Data data(long seed) {
        Random rnd = new Random(seed);
        double[][] x = new double[N][P];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            y[i] = i % 3;
            for (int c = 0; c < P; c++) {
                x[i][c] = 0.3 * rnd.nextGaussian() + (c == y[i] ? 0.6 : 0);
            }
        }
        return new Data(x, y);
    }

    static double[] randomPsd(Random rnd) {
        double[] a = new double[P * P];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian() * 0.4 + (i % (P + 1) == 0 ? 1 : 0);
        }
        double[] m = new double[P * P];
        for (int r = 0; r < P; r++) {
            for (int c = 0; c < P; c++) {
                for (int k = 0; k < P; k++) {
                    m[r * P + c] += a[k * P + r] * a[k * P + c];
                }
            }
        }
        return m;
    }

    private static double[] axpy(double[] m, double h, double[] e) {
        double[] out = m.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += h * e[i];
        }
        return out;
    }
}
