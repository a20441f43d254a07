package dev.certmetric.cli;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.eval.EvaluationResult;
import dev.certmetric.eval.Prequential;
import dev.certmetric.eval.PrequentialHtmlReport;
import dev.certmetric.eval.PrequentialJson;
import dev.certmetric.eval.PrequentialResult;
import dev.certmetric.train.RaceSettings;
import dev.certmetric.train.SettingsRace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code prequential}: a file replayed in order through the streaming learner, test then train, in process. */
@Command(name = "prequential", mixinStandardHelpOptions = true,
        description = "Replay a CSV or ARFF file in file order through the streaming learner (the Flink job's learner, "
                + "configured the same way), testing then training on each event as MOA's EvaluatePrequential; "
                + "no Kafka or Flink.")
public final class PrequentialCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "CSV or ARFF (.arff) file, or the name of a bundled dataset (${COMPLETION-CANDIDATES}); "
                    + "replayed in file order.",
            completionCandidates = EvaluateCommand.Bundled.class)
    String data;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration (default: the bundled certmetric.yaml).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "OUT.json", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "OUT.html", description = "Write a self-contained HTML report with charts.")
    Path report;

    @Override
    public Integer call() throws IOException {
        RaceSettings settings = CertmetricConfig.load(config, overrides).raceSettings();
        CsvDataset dataset = Datasets.load(data);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s: %d events, %d features, %d classes; test then train on each, in file order%n", dataset.name(),
                dataset.rows(), dataset.featureCount(), dataset.classes().size());
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        // The replay thread's CPU time, as MOA reports its evaluation time: comparable on a shared machine.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        PrequentialResult r = Prequential.run(dataset, p -> new SettingsRace(settings, p), progress::update);
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        progress.finish();
        double[] certified = r.certified();
        StringBuilder cert = new StringBuilder();
        for (int i = 0; i < certified.length; i++) {
            cert.append(String.format(Locale.ROOT, "%s%.4f at r=%s", i == 0 ? "" : ", ", certified[i],
                    EvaluationResult.key(Prequential.RADII.get(i))));
        }
        out.printf(Locale.ROOT, "prequential accuracy %.4f, kappa %.4f over %d events (%.0f events/s; %.3f CPU s)%n",
                r.accuracy(), r.kappa(), r.events(), r.eventsPerSecond(), cpuSeconds);
        out.printf(Locale.ROOT, "certified accuracy %s (estimated on the %d events certified, learner.certify-every = %d)%n",
                cert, r.certifiedSample(), r.settings().certifyEvery());
        out.println(r.chosen().describe(r.features()));
        out.flush();
        if (json != null) {
            PrequentialJson.write(r, json);
            err.println("wrote " + json);
        }
        if (report != null) {
            PrequentialHtmlReport.write(r, report);
            err.println("wrote " + report);
        }
        err.flush();
        return 0;
    }

    /**
     * Progress on stderr without flooding logs: on a terminal one line redrawn at most 4 times a second,
     * otherwise a plain line every 10% of the events.
     */
    static final class ProgressLine {
        private static final long REDRAW_NANOS = 250_000_000L;
        private final PrintWriter err;
        private final boolean terminal;
        private long lastDraw;
        private long lastTenth;

        ProgressLine(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void update(long done, long total, double accuracy, double seconds) {
            long now = System.nanoTime();
            long tenth = done * 10 / total;
            if (terminal ? now - lastDraw < REDRAW_NANOS && done < total : tenth == lastTenth) {
                return;
            }
            lastDraw = now;
            lastTenth = tenth;
            int width = 30;
            int filled = (int) (done * width / total);
            err.printf(Locale.ROOT, "%s[%s%s] %d/%d events | %.0f events/s | accuracy %.4f%s", terminal ? "\r" : "",
                    "#".repeat(filled), ".".repeat(width - filled), done, total, done / Math.max(seconds, 1e-9), accuracy,
                    terminal ? " " : "\n");
            err.flush();
        }

        void finish() {
            if (terminal) {
                err.println();
            }
        }
    }
}
