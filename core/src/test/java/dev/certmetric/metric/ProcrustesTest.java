package dev.certmetric.metric;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ProcrustesTest {

    @Test
    void undoesARotationAndKeepsTheMetric() {
        int q = 3;
        int p = 5;
        Random random = new Random(1);
        double[] l = new double[q * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = random.nextGaussian();
        }
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        double[] r = {c, -s, 0, s, c, 0, 0, 0, -1}; // a rotation-reflection
        double[] rotated = new double[q * p];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < q; k++) {
                    rotated[i * p + j] += r[i * q + k] * l[k * p + j];
                }
            }
        }
        double[] aligned = Procrustes.align(rotated, l, q, p);
        assertArrayEquals(l, aligned, 1e-9);
        assertArrayEquals(MahalanobisMetric.of(q, p, rotated).m(), MahalanobisMetric.of(q, p, aligned).m(), 1e-9);
    }
}
