package dev.certmetric.eval;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantilesTest {
    /** Evenly spaced quantiles run from the minimum to the maximum, never decrease, and follow the rule. */
    @Property(tries = 200)
    void evenlySpacedQuantilesFollowTheRuleAndNeverDecrease(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = -1e6, max = 1e6) Double> values,
            @ForAll @IntRange(min = 2, max = 150) int m) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double[] q = Quantiles.evenly(v, m);
        assertEquals(m, q.length);
        assertEquals(sorted[0], q[0]);
        assertEquals(sorted[sorted.length - 1], q[m - 1]);
        for (int i = 0; i < m; i++) {
            if (i > 0) {
                assertTrue(q[i] >= q[i - 1], "quantile " + i + " decreased: " + q[i - 1] + " -> " + q[i]);
            }
            double pos = (double) i / (m - 1) * (sorted.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, sorted.length - 1);
            double exact = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
            assertEquals(exact, q[i], 1e-9 * Math.max(1, Math.abs(exact)), "quantile " + i);
        }
    }
}
