package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.eval.Evaluation;
import dev.certmetric.eval.EvaluationHtmlReport;
import dev.certmetric.eval.EvaluationJson;
import dev.certmetric.eval.EvaluationResult;
import dev.certmetric.eval.EvaluationSettings;
import dev.certmetric.eval.EvaluationTable;
import dev.certmetric.objective.LmnnPlObjective;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.UnitNormRows;
import dev.certmetric.train.BatchOptimizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code evaluate}: Euclidean, LMNN, LMNN-PL and the streaming learner on random splits of a CSV. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Compare Euclidean, LMNN, LMNN-PL and sgd-pl k-NN on random train/test splits of a CSV "
                + "(header row, numeric features, class label in the last column).")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE.csv",
            description = "CSV or ARFF (.arff) file, or the name of a bundled dataset (${COMPLETION-CANDIDATES}).",
            completionCandidates = Bundled.class)
    String data;

    @Option(names = "--rounds", defaultValue = "20", description = "Random splits (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of splits and noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--test-fraction", defaultValue = "0.3", description = "Test share of each split (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--methods", split = ",", defaultValue = "euclidean,lmnn,lmnn-pl,sgd-pl",
            description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--k", defaultValue = "3", description = "Neighbours for k-NN and targets per point (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--impostors", defaultValue = "10", description = "Impostors per point (default: ${DEFAULT-VALUE}).")
    int impostors;

    @Option(names = "--mu", defaultValue = "0.5", description = "Pull weight in [0, 1] (default: ${DEFAULT-VALUE}).")
    double mu;

    @Option(names = "--lambda", defaultValue = "10", description = "Perturbation-loss weight >= 0 (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--tau", defaultValue = "0.25", description = "Desired adversarial margin >= 0 (default: ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--tune", description = "Pick mu, lambda, tau per round by inner 3-fold cross-validation.")
    boolean tune;

    @Option(names = "--noise", split = ",", defaultValue = "0.05,0.1,0.2",
            description = "Gaussian noise sigmas added to preprocessed test inputs (default: ${DEFAULT-VALUE}).")
    double[] noise;

    @Option(names = "--radii", split = ",", defaultValue = "0.02,0.05,0.1",
            description = "Radii for certified accuracy (default: ${DEFAULT-VALUE}).")
    double[] radii;

    @Option(names = "--optimizer", defaultValue = BatchOptimizers.DEFAULT,
            description = "Batch optimiser of lmnn and lmnn-pl: lbfgs (L-BFGS on L) or reference (the authors' "
                    + "projected gradient on M, for fidelity) (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--passes", defaultValue = "5", description = "Passes of the training split for sgd-pl (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--rows", defaultValue = UnitNormRows.NAME,
            description = "Row scaling of every method's preprocessing, sgd-pl's too (its race of row scalings is "
                    + "off): unit-norm (the paper's protocol) or scaled. One for all, since certified radii compare "
                    + "only in one space (default: ${DEFAULT-VALUE}).")
    String rows;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration of the streaming learner sgd-pl runs, settings race included "
                    + "(default: the bundled certmetric.yaml); --k and --impostors override learner.k and "
                    + "learner.impostors, and learner.certify-every is 0 (certificates are computed on the test part).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a configuration key for sgd-pl, e.g. learner.race.enabled=false; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "OUT.json", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "OUT.html", description = "Write a self-contained HTML report with plots.")
    Path report;

    @Override
    public Integer call() throws IOException {
        CsvDataset dataset = Datasets.load(data);
        LmnnPlObjective objective;
        try {
            objective = new LmnnPlObjective(mu, lambda, tau);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--" + e.getMessage());
        }
        BatchOptimizers.Kind batchOptimizer;
        try {
            batchOptimizer = BatchOptimizers.byName(optimizer);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--optimizer: " + e.getMessage());
        }
        Map<String, String> learner = new LinkedHashMap<>(overrides);
        learner.put("learner.k", String.valueOf(k));
        learner.put("learner.impostors", String.valueOf(impostors));
        learner.put("learner.certify-every", "0");
        RowScaling rowScaling;
        try {
            rowScaling = RowScaling.of(rows);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--rows: " + e.getMessage());
        }
        learner.put("learner.rows", rows);
        learner.put("learner.rows-race", "0");
        EvaluationSettings settings = new EvaluationSettings(methods, rounds, seed, testFraction, k, impostors,
                objective, tune, noise, radii, passes, batchOptimizer, CertmetricConfig.load(config, learner).raceSettings(),
                rowScaling);
        PrintStream err = System.err;
        int total = rounds * methods.size();
        err.printf("%s: %d rows, %d features, %d classes; %d rounds of %s%n", dataset.name(), dataset.rows(),
                dataset.featureCount(), dataset.classes().size(), rounds, String.join(", ", methods));
        long start = System.nanoTime();
        EvaluationResult result = new Evaluation(settings).run(dataset, done -> progress(err, done, total, start));
        err.println();
        System.out.print(EvaluationTable.format(result));
        if (json != null) {
            EvaluationJson.write(result, json);
            err.println("wrote " + json);
        }
        if (report != null) {
            EvaluationHtmlReport.write(result, report);
            err.println("wrote " + report);
        }
        return 0;
    }

    private static void progress(PrintStream err, int done, int total, long start) {
        int width = 30;
        int filled = done * width / total;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done == 0 ? 0 : elapsed / done * (total - done);
        err.printf("\r[%s%s] %d/%d  %.1fs elapsed, ~%.0fs left ", "#".repeat(filled), ".".repeat(width - filled),
                done, total, elapsed, eta);
        err.flush();
    }

    static final class Bundled implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return CsvDataset.BUNDLED.iterator();
        }
    }
}
