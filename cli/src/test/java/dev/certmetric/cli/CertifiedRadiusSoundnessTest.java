package dev.certmetric.cli;

import dev.certmetric.scorer.ServingModel;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.ReferenceOptimizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The certified radius a scorer reports is sound: for sampled requests on real data, an adversarial
 * search in the preprocessed space (random directions, projected gradient steps on the k-NN vote
 * margin toward every other class, random restarts) never changes the predicted class within the
 * reported radius. The same search, given a larger budget, does find class changes, so it has teeth.
 */
class CertifiedRadiusSoundnessTest {
    private static final int QUERIES = 30;

    @Test
    void learnedMetricOnWineWithK3() {
        check("wine", 3, true);
    }

    @Test
    void learnedMetricOnIrisWithK1() {
        check("iris", 1, true);
    }

    @Test
    void euclideanMetricOnIrisWithK5() {
        check("iris", 5, false);
    }

    private static void check(String dataset, int k, boolean learn) {
        CsvDataset data = CsvDataset.readResource(dataset);
        Splits.TrainTest split = Splits.randomSplit(data.rows(), 0.3, 7);
        CsvDataset train = data.subset(split.train());
        Standardizer pre = Standardizer.fit(train.features());
        MahalanobisMetric metric = learn
                ? new ReferenceOptimizer(LearnerSettings.DEFAULT.objective(), new ReferenceOptimizer.Settings(3, 10, 20, 200, 1e-6))
                        .fit(pre.applyAll(train.features()), train.classCodes()).metric()
                : MahalanobisMetric.euclidean(data.featureCount());
        ServingModel model = ServingModel.of(AnomalyEvaluation.snapshot(dataset, 1, train, pre, metric, k));
        KnnClassifier knn = model.certifiedKnn().classifier();
        SplittableRandom rnd = new SplittableRandom(11);
        int[] test = split.test();
        int certified = 0;
        int broken = 0;
        double tightness = 0;
        for (int t = 0; t < Math.min(QUERIES, test.length); t++) {
            double[] z = model.preprocess(data.row(test[t]));
            ServingModel.Score s = model.scorePreprocessed(z);
            int label = knn.predict(z).label();
            double r = s.certifiedRadius();
            assertEquals(model.snapshot().classes().get(label), s.label());
            if (r <= 0) {
                continue;
            }
            certified++;
            double budget = r * (1 - 1e-9);
            double[] adv = attack(knn, metric, z, label, budget, rnd);
            if (adv != null) {
                fail(dataset + " k=" + k + ": class changed at distance " + norm(diff(adv, z)) + " < certified radius " + r);
            }
            // teeth: with a large budget the same search breaks most predictions
            double found = smallestBreakingBudget(knn, metric, z, label, r, rnd);
            if (found < Double.POSITIVE_INFINITY) {
                broken++;
                assertTrue(found >= r, "found budget " + found + " below radius " + r);
                tightness += r / found;
            }
        }
        System.out.printf(java.util.Locale.ROOT,
                "[certify] %s k=%d %s: %d certified queries, none broken within the radius; attack broke %d with a larger "
                        + "budget; mean radius/attack-distance = %.3f%n",
                dataset, k, learn ? "learned" : "euclidean", certified, broken, broken == 0 ? Double.NaN : tightness / broken);
        assertTrue(certified >= 10, "enough certified queries: " + certified);
        assertTrue(broken >= certified / 2, "the attack has teeth: broke " + broken + " of " + certified);
    }

    /** Doubles the budget from the radius until the attack succeeds (up to 64 r); returns the distance found. */
    private static double smallestBreakingBudget(KnnClassifier knn, MahalanobisMetric metric, double[] z, int label,
            double r, SplittableRandom rnd) {
        for (double budget = 2 * r; budget <= 64 * r; budget *= 2) {
            double[] adv = attack(knn, metric, z, label, budget, rnd);
            if (adv != null) {
                return norm(diff(adv, z));
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** A point within {@code budget} of z whose k-NN class differs from {@code label}, or null if none was found. */
    static double[] attack(KnnClassifier knn, MahalanobisMetric metric, double[] z, int label, double budget,
            SplittableRandom rnd) {
        int p = z.length;
        // random directions at several fractions of the budget
        for (int i = 0; i < 200; i++) {
            double[] u = unit(gaussian(p, rnd));
            for (double f : new double[] {0.5, 0.9, 1.0}) {
                double[] x = add(z, u, f * budget);
                if (knn.predict(x).label() != label) {
                    return x;
                }
            }
        }
        // projected (normalised) gradient descent on the vote margin toward each other class
        int s = (Math.min(knn.k(), knn.references().length) + 1) / 2;
        for (int target = 0; target < knn.numClasses(); target++) {
            if (target == label) {
                continue;
            }
            for (int restart = 0; restart < 4; restart++) {
                double[] x = restart == 0 ? z.clone() : add(z, unit(gaussian(p, rnd)), budget * rnd.nextDouble());
                double step = budget / 5;
                for (int it = 0; it < 60; it++) {
                    double[] g = marginGradient(knn, metric, x, label, target, s);
                    double gn = norm(g);
                    if (gn == 0) {
                        break;
                    }
                    x = add(x, g, -step / gn);
                    double[] d = diff(x, z);
                    double dn = norm(d);
                    if (dn > budget) {
                        x = add(z, unit(d), budget);
                    }
                    if (knn.predict(x).label() != label) {
                        return x;
                    }
                    if (it % 20 == 19) {
                        step /= 2;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Gradient of f(x) = D_target(x) - D_label(x), where D_c is the squared distance to the s-th
     * nearest exemplar of class c: lowering f pulls target-class exemplars in and pushes label ones out.
     */
    private static double[] marginGradient(KnnClassifier knn, MahalanobisMetric metric, double[] x, int label, int target,
            int s) {
        int t = sthNearest(knn, metric, x, target, s);
        int l = sthNearest(knn, metric, x, label, s);
        double[] g = new double[x.length];
        if (t < 0 || l < 0) {
            return g;
        }
        double[] mt = new double[x.length];
        double[] ml = new double[x.length];
        double[] scratch = new double[metric.rank()];
        metric.applyM(diff(x, knn.references()[t]), scratch, mt);
        metric.applyM(diff(x, knn.references()[l]), scratch, ml);
        for (int i = 0; i < g.length; i++) {
            g[i] = 2 * mt[i] - 2 * ml[i];
        }
        return g;
    }

    private static int sthNearest(KnnClassifier knn, MahalanobisMetric metric, double[] x, int c, int s) {
        double[][] refs = knn.references();
        int n = 0;
        double[] d = new double[refs.length];
        int[] idx = new int[refs.length];
        for (int i = 0; i < refs.length; i++) {
            if (knn.classOf(i) == c) {
                d[n] = metric.distanceSquared(x, refs[i]);
                idx[n] = i;
                n++;
            }
        }
        if (n == 0) {
            return -1;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double[] dd = Arrays.copyOf(d, n);
        Arrays.sort(order, (a, b) -> Double.compare(dd[a], dd[b]));
        return idx[order[Math.min(s, n) - 1]];
    }

    private static double[] gaussian(int p, SplittableRandom rnd) {
        double[] u = new double[p];
        for (int i = 0; i < p; i++) {
            // Box-Muller
            u[i] = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
        }
        return u;
    }

    private static double[] unit(double[] v) {
        double n = norm(v);
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] /= n;
        }
        return out;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double[] diff(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static double[] add(double[] a, double[] dir, double scale) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + scale * dir[i];
        }
        return out;
    }
}
