package dev.certmetric.cli;

import dev.certmetric.data.CsvDataset;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ROC AUC of the anomaly score for a class withheld from training (wine and iris, every class in turn).
 *
 * <p>Asserted: the mean AUC over the withheld classes of each dataset is above chance for both the
 * learned and the Euclidean metric. Single classes can sit at chance: the paper's preprocessing
 * scales every row to unit norm, so a novel class that differs from the known ones mainly in
 * magnitude after standardisation (iris setosa against versicolor/virginica statistics) lands among
 * the known directions on the sphere.
 */
class AnomalyEvaluationTest {
    @Test
    void aucOfWithheldClassIsAboveChanceForLearnedAndEuclideanMetrics() {
        for (String name : new String[] {"wine", "iris"}) {
            CsvDataset data = CsvDataset.readResource(name);
            double sumLearned = 0;
            double sumEuclid = 0;
            int runs = data.classes().size();
            for (int c = 0; c < runs; c++) {
                AnomalyEvaluation.Result r = AnomalyEvaluation.evaluate(data, c, 0.3, 42);
                System.out.println("[anomaly-auc] " + r);
                sumLearned += r.aucLearned();
                sumEuclid += r.aucEuclidean();
            }
            System.out.printf(java.util.Locale.ROOT, "[anomaly-auc] %s mean over %d withheld classes: learned=%.3f euclidean=%.3f%n",
                    name, runs, sumLearned / runs, sumEuclid / runs);
            assertTrue(sumLearned / runs > 0.5, name + " learned mean AUC " + sumLearned / runs);
            assertTrue(sumEuclid / runs > 0.5, name + " euclidean mean AUC " + sumEuclid / runs);
        }
    }

    @Test
    void aucCountsTiesAsHalf() {
        assertEquals(1.0, AnomalyEvaluation.auc(new double[] {2, 3}, new double[] {0, 1}), 0);
        assertEquals(0.5, AnomalyEvaluation.auc(new double[] {1}, new double[] {1}), 0);
        assertEquals(0.75, AnomalyEvaluation.auc(new double[] {1, 2}, new double[] {1}), 0);
    }
}
