package dev.certmetric.cli;

import dev.certmetric.scorer.AnomalyCalibration;
import dev.certmetric.scorer.ServingModel;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.Hyperparameters;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.TrainingStats;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.ReferenceOptimizer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * How useful the anomaly score is: a class is withheld from training (novelty), a metric is fitted
 * on the other classes, and the ROC AUC of the scorer's anomaly score separates the withheld class
 * (positives) from held-out rows of the known classes (negatives). The learned metric
 * ({@link ReferenceOptimizer}, LMNN + perturbation loss with the default learner weights) is compared
 * with the Euclidean one on the same preprocessing, exemplars and calibration procedure.
 */
public final class AnomalyEvaluation {
    private AnomalyEvaluation() {
    }

    /**
     * @param aucLearned AUC of the anomaly score under the learned metric
     * @param aucEuclidean AUC under the Euclidean metric
     * @param aucLearnedDistance AUC of the raw nearest-exemplar distance (learned), i.e. without the
     *     score's saturation at 1 beyond the largest calibration quantile
     * @param aucEuclideanDistance the same for the Euclidean metric
     */
    public record Result(String dataset, String withheld, int positives, int negatives, double aucLearned,
            double aucEuclidean, double aucLearnedDistance, double aucEuclideanDistance) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "%s withheld=%s (%d novel, %d known): AUC anomaly_score learned=%.3f euclidean=%.3f | "
                            + "raw NN distance learned=%.3f euclidean=%.3f",
                    dataset, withheld, positives, negatives, aucLearned, aucEuclidean, aucLearnedDistance,
                    aucEuclideanDistance);
        }
    }

    /** Withholds class {@code withheld} (code) of {@code data}; {@code testFraction} of the known rows are negatives. */
    public static Result evaluate(CsvDataset data, int withheld, double testFraction, long seed) {
        int[] codes = data.classCodes();
        List<Integer> knownRows = new ArrayList<>();
        List<Integer> novelRows = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            (codes[i] == withheld ? novelRows : knownRows).add(i);
        }
        Splits.TrainTest split = Splits.randomSplit(knownRows.size(), testFraction, seed);
        int[] trainRows = Arrays.stream(split.train()).map(knownRows::get).toArray();
        int[] testRows = Arrays.stream(split.test()).map(knownRows::get).toArray();
        CsvDataset train = data.subset(trainRows);
        Standardizer pre = Standardizer.fit(train.features());
        double[][] z = pre.applyAll(train.features());
        int[] y = recode(train.classCodes());
        ReferenceOptimizer optimizer = new ReferenceOptimizer(LearnerSettings.DEFAULT.objective(),
                new ReferenceOptimizer.Settings(3, 10, 20, 300, 1e-6));
        MahalanobisMetric learned = optimizer.fit(z, y).metric();
        MahalanobisMetric euclid = MahalanobisMetric.euclidean(data.featureCount());
        ServingModel mLearned = ServingModel.of(snapshot(data.name() + "-learned", 1, train, pre, learned, 3));
        ServingModel mEuclid = ServingModel.of(snapshot(data.name() + "-euclidean", 1, train, pre, euclid, 3));
        double[][] pos = scores(mLearned, mEuclid, data, novelRows.stream().mapToInt(Integer::intValue).toArray());
        double[][] neg = scores(mLearned, mEuclid, data, testRows);
        return new Result(data.name(), data.classes().get(withheld), novelRows.size(), testRows.length,
                auc(pos[0], neg[0]), auc(pos[1], neg[1]), auc(pos[2], neg[2]), auc(pos[3], neg[3]));
    }

    /** {anomaly learned, anomaly euclidean, distance learned, distance euclidean} per row. */
    private static double[][] scores(ServingModel learned, ServingModel euclid, CsvDataset data, int[] rows) {
        double[][] out = new double[4][rows.length];
        for (int i = 0; i < rows.length; i++) {
            ServingModel.Score a = learned.score(data.row(rows[i]));
            ServingModel.Score b = euclid.score(data.row(rows[i]));
            out[0][i] = a.anomalyScore();
            out[1][i] = b.anomalyScore();
            out[2][i] = a.nearestDistance();
            out[3][i] = b.nearestDistance();
        }
        return out;
    }

    private static int[] recode(int[] codes) {
        int[] distinct = Arrays.stream(codes).distinct().sorted().toArray();
        int[] out = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = Arrays.binarySearch(distinct, codes[i]);
        }
        return out;
    }

    /**
     * A servable snapshot of a metric over training rows: every row (preprocessed) an exemplar, the
     * calibration their leave-one-out nearest-neighbour distances.
     */
    public static MetricSnapshot snapshot(String name, long version, CsvDataset train, Standardizer pre,
            MahalanobisMetric metric, int k) {
        double[][] z = pre.applyAll(train.features());
        List<Exemplar> exemplars = new ArrayList<>();
        TreeMap<String, Integer> perClass = new TreeMap<>();
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            String label = train.label(i);
            exemplars.add(new Exemplar(label, z[i]));
            if (perClass.merge(label, 1, Integer::sum) == 1) {
                classes.add(label);
            }
        }
        int window = perClass.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        double[] calibration = z.length >= 2 ? AnomalyCalibration.fromExemplars(metric, z).quantiles() : new double[0];
        return MetricSnapshot.builder()
                .modelName(name)
                .version(version)
                .createdAt(Instant.now())
                .metric(metric)
                .preprocessing(pre)
                .hyperparameters(new Hyperparameters(k, 10, LearnerSettings.DEFAULT.mu(), LearnerSettings.DEFAULT.lambda(),
                        LearnerSettings.DEFAULT.tau(), metric.rank(), "reference", 1.0, window, z.length, new TreeMap<>()))
                .trainingStats(new TrainingStats(z.length, 0, 0, 0, 0, 0, 0, calibration))
                .classes(classes)
                .exemplars(exemplars)
                .build();
    }

    /** ROC AUC (Mann-Whitney): P(score of a positive > score of a negative), ties count one half. */
    public static double auc(double[] positives, double[] negatives) {
        double wins = 0;
        for (double p : positives) {
            for (double n : negatives) {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        return wins / ((double) positives.length * negatives.length);
    }
}
