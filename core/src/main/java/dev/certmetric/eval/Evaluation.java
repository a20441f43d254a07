package dev.certmetric.eval;

import dev.certmetric.certify.CertifiedKnn;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.data.Splits;
import dev.certmetric.knn.KnnClassifier;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.train.BatchOptimizer;
import dev.certmetric.train.SettingsRace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * The paper's protocol: repeated random train/test splits; preprocessing fitted on the training
 * part; per method the k-NN test accuracy, the accuracy with Gaussian noise added to the
 * preprocessed test inputs, and the certified accuracy (correct and certified radius >= r).
 */
public final class Evaluation {
    public static final List<String> METHODS = List.of("euclidean", "lmnn", "lmnn-pl", "sgd-pl");

    /** The grid searched by {@code --tune}, inside the authors' tuned ranges. */
    private static final double[] TUNE_MU = {0.2, 0.5};
    private static final double[] TUNE_LAMBDA = {1, 10, 50};
    private static final double[] TUNE_TAU = {0.1, 0.27};
    private static final int TUNE_FOLDS = 3;

    private final EvaluationSettings settings;

    public Evaluation(EvaluationSettings settings) {
        this.settings = settings;
    }

    /** A fitted method: its metric and the preprocessing its inputs go through. */
    private record Fitted(MahalanobisMetric metric, Standardizer standardizer) {
    }

    /**
     * Runs every round; {@code progress} receives the number of finished (round, method) steps.
     */
    public EvaluationResult run(CsvDataset data, IntConsumer progress) {
        List<String> methods = settings.methods();
        int m = methods.size();
        int rounds = settings.rounds();
        double[][] accuracy = new double[m][rounds];
        double[][][] noisy = new double[m][settings.noise().length][rounds];
        double[][][] certified = new double[m][settings.radii().length][rounds];
        double[] fitSeconds = new double[m];
        int done = 0;
        for (int round = 0; round < rounds; round++) {
            Splits.TrainTest split = Splits.randomSplit(data.rows(), settings.testFraction(), settings.seed() + round);
            CsvDataset train = data.subset(split.train());
            CsvDataset test = data.subset(split.test());
            int[] trainY = train.classCodes();
            int[] testY = test.classCodes();
            Standardizer batch = Standardizer.fit(train.features(), settings.rows());
            LmnnPlObjective objective = settings.tune()
                    ? tune(batch.applyAll(train.features()), trainY, settings.seed() + round)
                    : settings.objective();
            for (int mi = 0; mi < m; mi++) {
                long start = System.nanoTime();
                Fitted fitted = fit(methods.get(mi), train.features(), trainY, batch, objective, settings.seed() + round);
                fitSeconds[mi] += (System.nanoTime() - start) / 1e9 / rounds;
                double[][] trainX = fitted.standardizer().applyAll(train.features());
                double[][] testX = fitted.standardizer().applyAll(test.features());
                KnnClassifier knn = new KnnClassifier(fitted.metric(), trainX, trainY, settings.k());
                accuracy[mi][round] = knn.accuracy(testX, testY);
                double[] sigmas = settings.noise();
                for (int s = 0; s < sigmas.length; s++) {
                    Random rnd = new Random(settings.seed() * 1_000_003L + round * 101L + s);
                    noisy[mi][s][round] = knn.accuracy(addNoise(testX, sigmas[s], rnd), testY);
                }
                double[] radii = settings.radii();
                if (radii.length > 0) {
                    CertifiedKnn certifier = new CertifiedKnn(knn);
                    for (int i = 0; i < testX.length; i++) {
                        CertifiedKnn.Certified c = certifier.classify(testX[i]);
                        for (int r = 0; r < radii.length; r++) {
                            if (c.label() == testY[i] && c.radius() >= radii[r]) {
                                certified[mi][r][round] += 1.0 / testX.length;
                            }
                        }
                    }
                }
                progress.accept(++done);
            }
        }
        Map<String, MethodResult> results = new LinkedHashMap<>();
        for (int mi = 0; mi < m; mi++) {
            TreeMap<Double, Double> noisyMeans = new TreeMap<>();
            for (int s = 0; s < settings.noise().length; s++) {
                noisyMeans.put(settings.noise()[s], mean(noisy[mi][s]));
            }
            TreeMap<Double, Double> certifiedMeans = new TreeMap<>();
            for (int r = 0; r < settings.radii().length; r++) {
                certifiedMeans.put(settings.radii()[r], mean(certified[mi][r]));
            }
            results.put(methods.get(mi), new MethodResult(mean(accuracy[mi]), std(accuracy[mi]), noisyMeans,
                    certifiedMeans, fitSeconds[mi]));
        }
        return new EvaluationResult(data.name(), data.rows(), data.featureCount(), rounds, settings.seed(), results);
    }

    private Fitted fit(String method, double[][] rawTrain, int[] y, Standardizer batch, LmnnPlObjective objective,
                       long seed) {
        int p = rawTrain[0].length;
        return switch (method) {
            case "euclidean" -> new Fitted(MahalanobisMetric.euclidean(p), batch);
            case "lmnn" -> new Fitted(batchOptimizer(objective.withoutPerturbation())
                    .fit(batch.applyAll(rawTrain), y).metric(), batch);
            case "lmnn-pl" -> new Fitted(batchOptimizer(objective).fit(batch.applyAll(rawTrain), y).metric(), batch);
            case "sgd-pl" -> fitStreaming(rawTrain, y, seed);
            default -> throw new IllegalArgumentException("unknown method " + method);
        };
    }

    private BatchOptimizer batchOptimizer(LmnnPlObjective objective) {
        return settings.optimizer().create(objective, settings.k(), settings.impostors());
    }

    /**
     * The streaming learner as made from config (settings race included), fed the shuffled training
     * split as a stream, {@code passes} times.
     */
    private Fitted fitStreaming(double[][] rawTrain, int[] y, long seed) {
        SettingsRace learner = new SettingsRace(settings.streaming(), rawTrain[0].length);
        Random rnd = new Random(seed);
        int[] order = Splits.identity(rawTrain.length);
        long time = 0;
        for (int pass = 0; pass < settings.passes(); pass++) {
            Splits.shuffle(order, rnd);
            for (int i : order) {
                learner.testThenTrain(rawTrain[i], Integer.toString(y[i]), time++);
            }
        }
        learner.flush();
        return new Fitted(learner.leader().publishedMetric(), learner.leader().standardizer());
    }

    /** Picks mu, lambda, tau by inner cross-validation of LMNN-PL on the (preprocessed) training part. */
    private LmnnPlObjective tune(double[][] x, int[] y, long seed) {
        List<Splits.TrainTest> folds = Splits.kFold(x.length, TUNE_FOLDS, seed);
        LmnnPlObjective best = settings.objective();
        double bestAccuracy = -1;
        for (double mu : TUNE_MU) {
            for (double lambda : TUNE_LAMBDA) {
                for (double tau : TUNE_TAU) {
                    LmnnPlObjective candidate = new LmnnPlObjective(mu, lambda, tau);
                    double accuracy = 0;
                    for (Splits.TrainTest fold : folds) {
                        double[][] fx = pick(x, fold.train());
                        int[] fy = pick(y, fold.train());
                        MahalanobisMetric metric = batchOptimizer(candidate).fit(fx, fy).metric();
                        accuracy += new KnnClassifier(metric, fx, fy, settings.k())
                                .accuracy(pick(x, fold.test()), pick(y, fold.test()));
                    }
                    if (accuracy > bestAccuracy) {
                        bestAccuracy = accuracy;
                        best = candidate;
                    }
                }
            }
        }
        return best;
    }

    static double[][] addNoise(double[][] x, double sigma, Random rnd) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
            for (int c = 0; c < out[i].length; c++) {
                out[i][c] += sigma * rnd.nextGaussian();
            }
        }
        return out;
    }

    private static double[][] pick(double[][] x, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = x[rows[i]];
        }
        return out;
    }

    private static int[] pick(int[] y, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = y[rows[i]];
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length < 2 ? 0 : Math.sqrt(s / (v.length - 1));
    }
}
