package dev.certmetric.knn;

import dev.certmetric.metric.LinearAlgebra;
import dev.certmetric.metric.MahalanobisMetric;

import java.util.Arrays;

/**
 * k-nearest-neighbour classification under a Mahalanobis metric. The reference points are
 * transformed once (L x), so a query costs O(q p + n q). Immutable.
 *
 * <p>Votes are a plurality; a tie goes to the tied class whose nearest member is closest.
 */
public final class KnnClassifier {
    private final MahalanobisMetric metric;
    private final double[][] references;
    private final double[][] transformed;
    private final int[] classes;
    private final int numClasses;
    private final int k;

    /** A prediction with the neighbours it was made from, nearest first. */
    public record Prediction(int label, int[] neighbours, double[] squaredDistances) {
    }

    public KnnClassifier(MahalanobisMetric metric, double[][] references, int[] classes, int k) {
        if (references.length == 0) {
            throw new IllegalArgumentException("k-NN needs at least one reference point");
        }
        if (classes.length != references.length) {
            throw new IllegalArgumentException("references and classes differ in length");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.metric = metric;
        this.references = references;
        this.classes = classes.clone();
        this.numClasses = Arrays.stream(classes).max().orElse(0) + 1;
        this.k = k;
        this.transformed = new double[references.length][];
        for (int i = 0; i < references.length; i++) {
            transformed[i] = metric.transform(references[i]);
        }
    }

    public MahalanobisMetric metric() {
        return metric;
    }

    public int k() {
        return k;
    }

    public double[][] references() {
        return references;
    }

    public int classOf(int reference) {
        return classes[reference];
    }

    public int numClasses() {
        return numClasses;
    }

    public Prediction predict(double[] x) {
        return predict(metric.transform(x), transformed, classes, k, numClasses);
    }

    /**
     * k-NN from precomputed transforms: {@code lq} = L x of the query and {@code transformed[i]} = L x_i of the
     * references (e.g. a learner's cached window, or plain inputs for the Euclidean metric).
     */
    public static Prediction predict(double[] lq, double[][] transformed, int[] classes, int k, int numClasses) {
        double[] d2 = new double[transformed.length];
        for (int i = 0; i < transformed.length; i++) {
            d2[i] = LinearAlgebra.squaredDistance(lq, transformed[i]);
        }
        return fromSquaredDistances(d2, classes, k, numClasses);
    }

    /** k-NN from the query's squared distances to the references: the k nearest (ties by index) and their vote. */
    public static Prediction fromSquaredDistances(double[] d2, int[] classes, int k, int numClasses) {
        int kk = Math.min(k, d2.length);
        int[] best = new int[kk];
        double[] bestD = new double[kk];
        Arrays.fill(bestD, Double.POSITIVE_INFINITY);
        for (int i = 0; i < d2.length; i++) {
            double d = d2[i];
            if (d < bestD[kk - 1]) {
                int s = kk - 1;
                while (s > 0 && bestD[s - 1] > d) {
                    bestD[s] = bestD[s - 1];
                    best[s] = best[s - 1];
                    s--;
                }
                bestD[s] = d;
                best[s] = i;
            }
        }
        int[] labels = new int[kk];
        for (int s = 0; s < kk; s++) {
            labels[s] = classes[best[s]];
        }
        return new Prediction(plurality(labels, bestD, numClasses), best, bestD);
    }

    /**
     * The plurality class of neighbours given nearest first; a tie goes to the tied class whose
     * nearest member is closest. Shared with the streaming learner's prequential test.
     */
    public static int plurality(int[] labels, double[] distances, int numClasses) {
        int[] votes = new int[numClasses];
        double[] nearest = new double[numClasses];
        java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int s = 0; s < labels.length; s++) {
            int c = labels[s];
            votes[c]++;
            nearest[c] = Math.min(nearest[c], distances[s]);
        }
        int winner = 0;
        for (int c = 1; c < numClasses; c++) {
            if (votes[c] > votes[winner] || (votes[c] == votes[winner] && nearest[c] < nearest[winner])) {
                winner = c;
            }
        }
        return winner;
    }

    /** Fraction of rows whose predicted class equals the given one. */
    public double accuracy(double[][] x, int[] y) {
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            if (predict(x[i]).label() == y[i]) {
                correct++;
            }
        }
        return x.length == 0 ? Double.NaN : (double) correct / x.length;
    }
}
