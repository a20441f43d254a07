package dev.certmetric.eval;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.BatchOptimizers;
import dev.certmetric.train.RaceSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming learner at its defaults, fed each bundled set's training splits as a stream, certifies at least
 * as many held-out points as Euclidean k-NN at r = 0.05 and 0.1 (the evaluate protocol: 5 random 70/30 splits,
 * 5 passes). The tolerance of one point is about two test points per split on the smallest sets, below the
 * split-to-split spread; before the Euclidean guard, breast-cancer was 2.9 points below.
 */
class StreamingRobustnessTest {
    static final List<String> BUNDLED = CsvDataset.BUNDLED;
    private static final double TOLERANCE = 0.01;

    @ParameterizedTest
    @FieldSource("BUNDLED")
    void certifiesAtLeastAsMuchAsEuclidean(String name) {
        LearnerSettings defaults = LearnerSettings.DEFAULT.withCertifyEvery(0).withRows(RowScaling.UNIT_NORM);
        EvaluationSettings settings = new EvaluationSettings(List.of("euclidean", "sgd-pl"), 5, 1, 0.3,
                defaults.k(), defaults.impostors(), new LmnnPlObjective(0.5, 10, 0.25), false, new double[] {0.1},
                new double[] {0.05, 0.1}, 5, BatchOptimizers.byName(BatchOptimizers.DEFAULT), RaceSettings.off(defaults), RowScaling.UNIT_NORM);
        EvaluationResult result = new Evaluation(settings).run(CsvDataset.readResource(name), done -> { });
        MethodResult euclidean = result.methods().get("euclidean");
        MethodResult streaming = result.methods().get("sgd-pl");
        for (double r : new double[] {0.05, 0.1}) {
            double e = euclidean.certified().get(r);
            double s = streaming.certified().get(r);
            assertTrue(s >= e - TOLERANCE, name + ": certified accuracy at " + r + " of sgd-pl " + s
                    + " vs euclidean " + e);
        }
    }
}
