package dev.certmetric.scorer;

import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pruned search (single-precision bound, exact re-check) answers exactly what the unpruned one answers, on
 * adversarial catalogues (jqwik, fixed seed, bounded tries): exact duplicates under different ids, items that
 * differ only in the last bits or only in features too small to survive the preprocessing (exact ties after
 * it), L from 1e-150 to 1e6, raw features from 1e-300 to 1e140, q from 1 to 72 (head only, head and tail,
 * uneven widths), up to 1,500 items across the re-rotations, with replacements and deletes. A search for all n
 * items cannot prune (the k-th best stays infinite until the last row), so it is the brute force; every
 * search for k items must be its first k, ids and distance bits alike, and the brute force must be ordered by
 * (distance, id) and agree with ||L (z_query - z_item)|| computed from the definition.
 */
class CatalogueSearchPropertyTest {
    /** One adversarial catalogue: its shape and the seed that fills it. */
    record Case(int q, int extraP, int lExponent, int featureExponent, int items, long seed) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 72),
                Arbitraries.integers().between(0, 6),
                Arbitraries.of(-150, -40, 0, 6),
                Arbitraries.of(-300, -150, 0, 100, 140),
                Arbitraries.integers().between(1, 1500),
                Arbitraries.longs()).as(Case::new);
    }

    @Property(tries = 60, seed = "411")
    void prunedSearchIsTheBruteForceBitForBit(@ForAll("cases") Case c) {
        check(c);
    }

    /**
     * Distinct squared distances whose roots are equal: ordered by id, as the answer's distances are equal (they
     * were once ordered by the squared distances).
     */
    @Example
    void equalDistancesAfterTheRootAreOrderedById() {
        check(new Case(6, 1, -40, -300, 1176, 6));
    }

    private static void check(Case c) {
        Random rnd = new Random(c.seed());
        int q = c.q();
        int p = q + c.extraP();
        double[] l = new double[q * p];
        double lScale = Math.pow(10, c.lExponent());
        for (int i = 0; i < l.length; i++) {
            l[i] = rnd.nextInt(5) == 0 ? 0 : lScale * rnd.nextGaussian();
        }
        l[rnd.nextInt(l.length)] = lScale;                                    // never all zero
        MahalanobisMetric metric = MahalanobisMetric.of(q, p, l);
        double[] mean = new double[p];
        double[] std = new double[p];
        double fScale = Math.pow(10, c.featureExponent());
        for (int f = 0; f < p; f++) {
            mean[f] = rnd.nextBoolean() ? 0 : fScale * rnd.nextGaussian();
            std[f] = rnd.nextInt(4) == 0 ? 0 : fScale * (0.5 + rnd.nextDouble());   // 0: a constant feature
        }
        Standardizer pre = new Standardizer(mean, std);
        CatalogueIndex index = new CatalogueIndex(pre, metric, 0);
        Map<String, double[]> items = new LinkedHashMap<>();
        List<double[]> centres = new ArrayList<>();
        for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
            centres.add(point(rnd, p, fScale));
        }
        for (int i = 0; i < c.items(); i++) {
            String id = "i" + Integer.toString(rnd.nextInt(1 << 20), 36) + "-" + i;
            double[] x = item(rnd, centres.get(rnd.nextInt(centres.size())), items, fScale);
            put(index, items, id, x);
            if (i % 97 == 96) {                                                // replace one, delete one
                List<String> ids = new ArrayList<>(items.keySet());
                put(index, items, ids.get(rnd.nextInt(ids.size())), point(rnd, p, fScale));
                String gone = ids.get(rnd.nextInt(ids.size()));
                index.remove(gone);
                items.remove(gone);
            }
        }
        int n = items.size();
        assertEquals(n, index.size());
        if (n == 0) {
            return;
        }
        List<double[]> stored = List.copyOf(items.values());
        for (int t = 0; t < 6; t++) {
            double[] query = switch (t % 3) {
                case 0 -> stored.get(rnd.nextInt(n));                          // ties at 0 with its duplicates
                case 1 -> item(rnd, stored.get(rnd.nextInt(n)), items, fScale);
                default -> midpoint(stored.get(rnd.nextInt(n)), stored.get(rnd.nextInt(n)));
            };
            CatalogueIndex.Match[] all = index.search(query, n);
            assertEquals(n, all.length);
            checkBruteForce(pre, metric, items, query, all);
            for (int k : new int[] {1, 2, 3, 10, 37}) {
                CatalogueIndex.Match[] some = index.search(query, k);
                assertEquals(Math.min(k, n), some.length);
                for (int s = 0; s < some.length; s++) {
                    assertEquals(all[s].id(), some[s].id(), "k=" + k + ", match " + s);
                    assertEquals(Double.doubleToLongBits(all[s].distance()), Double.doubleToLongBits(some[s].distance()),
                            "k=" + k + ", match " + s + ": " + all[s].distance() + " vs " + some[s].distance());
                }
            }
        }
    }

    private static void put(CatalogueIndex index, Map<String, double[]> items, String id, double[] x) {
        double[] y = index.project(x);
        assertTrue(y != null, "finite projection");
        index.put(id, null, x, y);
        items.put(id, x);
    }

    private static double[] point(Random rnd, int p, double scale) {
        double[] x = new double[p];
        for (int f = 0; f < p; f++) {
            x[f] = scale * rnd.nextGaussian();
        }
        return x;
    }

    /**
     * Near a point: a copy (an exact duplicate), a copy moved by one ulp or by 1e-12 in a few features, a copy
     * whose only changes are 1e-200 times smaller than the point (lost to the preprocessing), or a Gaussian
     * neighbour; kept within the features' bound of 1e140.
     */
    private static double[] item(Random rnd, double[] near, Map<String, double[]> items, double scale) {
        double[] x = near.clone();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                if (!items.isEmpty() && rnd.nextBoolean()) {
                    List<double[]> all = List.copyOf(items.values());
                    return all.get(rnd.nextInt(all.size())).clone();
                }
            }
            case 1 -> {
                for (int f = rnd.nextInt(x.length); f < x.length; f += 1 + rnd.nextInt(3)) {
                    x[f] = rnd.nextBoolean() ? Math.nextUp(x[f]) : x[f] * (1 + 1e-12 * rnd.nextGaussian());
                }
            }
            case 2 -> {
                for (int f = 0; f < x.length; f++) {
                    x[f] += 1e-200 * scale * rnd.nextGaussian();
                }
            }
            default -> {
                double spread = rnd.nextBoolean() ? 0.3 : 1e-6;
                for (int f = 0; f < x.length; f++) {
                    x[f] += spread * scale * rnd.nextGaussian();
                }
            }
        }
        for (int f = 0; f < x.length; f++) {
            x[f] = Math.max(-1e140, Math.min(1e140, x[f]));
        }
        return x;
    }

    private static double[] midpoint(double[] a, double[] b) {
        double[] x = new double[a.length];
        for (int f = 0; f < a.length; f++) {
            x[f] = a[f] / 2 + b[f] / 2;
        }
        return x;
    }

    /** Ordered by (distance, id); each distance within rounding of ||L (z_query - z_item)||. */
    private static void checkBruteForce(Standardizer pre, MahalanobisMetric metric, Map<String, double[]> items,
            double[] query, CatalogueIndex.Match[] all) {
        double[] lq = metric.transform(pre.apply(query));
        for (int s = 0; s < all.length; s++) {
            if (s > 0) {
                CatalogueIndex.Match a = all[s - 1];
                CatalogueIndex.Match b = all[s];
                assertTrue(a.distance() < b.distance() || a.distance() == b.distance() && a.id().compareTo(b.id()) < 0,
                        "brute force ordered at " + s + ": " + a + " then " + b);
            }
            double[] li = metric.transform(pre.apply(items.get(all[s].id())));
            double d = 0;
            double size = 0;
            for (int r = 0; r < lq.length; r++) {
                d += (lq[r] - li[r]) * (lq[r] - li[r]);
                size += lq[r] * lq[r] + li[r] * li[r];
            }
            double expected = Math.sqrt(d);
            assertEquals(expected, all[s].distance(), 1e-9 * expected + 1e-12 * Math.sqrt(size) + Double.MIN_NORMAL,
                    "distance of " + all[s].id());
        }
    }
}
