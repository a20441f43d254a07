package dev.certmetric.train;

import java.util.Random;

/** A stream of three classes apart on the first two features, all other features noise: for learner tests. */
public final class ThreeClasses {
    private ThreeClasses() {
    }

    /** A point of class y (0, 1 or 2) in p dimensions. */
    public static double[] point(Random rnd, int y, int p) {
        double[] x = new double[p];
        double angle = 2 * Math.PI * y / 3;
        x[0] = 2 * Math.cos(angle) + 0.4 * rnd.nextGaussian();
        x[1] = 2 * Math.sin(angle) + 0.4 * rnd.nextGaussian();
        for (int c = 2; c < p; c++) {
            x[c] = 0.5 * rnd.nextGaussian();
        }
        return x;
    }
}
