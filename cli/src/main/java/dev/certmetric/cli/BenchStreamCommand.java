package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.StreamingLearner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The streaming learner's own speed, without Kafka or Flink: a synthetic stream (Gaussian classes, each
 * shifted along its own features), or a dataset's rows cycled in file order, through
 * {@link StreamingLearner#testThenTrain} at the configured settings, in rounds on fresh learners. Reports thread CPU time as well as wall time: on a shared machine the CPU
 * time is what the learner costs, the wall time also what the neighbours took.
 */
@Command(name = "bench-stream",
        mixinStandardHelpOptions = true,
        description = "Benchmark the streaming learner alone (no Kafka, no Flink) on a synthetic stream or a "
                + "dataset: microseconds and events/s per event, in thread CPU time and wall time, per round.")
public final class BenchStreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dim", defaultValue = "16", paramLabel = "P", description = "Features (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--classes", defaultValue = "4", description = "Classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--data", paramLabel = "FILE|NAME", description = "Cycle this dataset's rows in file order "
            + "instead of Gaussian classes (a CSV or ARFF file or a bundled dataset name; --dim and --classes are "
            + "then the data's).")
    String data;

    @Option(names = "--events", defaultValue = "100000", paramLabel = "N",
            description = "Events per round (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds, each on a fresh learner; the first "
            + "pays the JIT warm-up (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--config", paramLabel = "FILE", description = "Learner configuration (default: bundled).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "OUT.json", description = "Also write the rounds as JSON.")
    Path json;

    @Override
    public Integer call() {
        if (dim < 1 || dim > 4096 || classes < 2 || classes > 1000 || events < 1000 || rounds < 1 || rounds > 100) {
            throw new BadInputException("need --dim in [1, 4096], --classes in [2, 1000], --events >= 1000, "
                    + "--rounds in [1, 100]");
        }
        LearnerSettings settings = CertmetricConfig.load(config, overrides).learnerSettings();
        double[][] stream;
        String[] labels;
        String source;
        if (data != null) {
            CsvDataset dataset = Datasets.load(data);
            dim = dataset.featureCount();
            classes = dataset.classes().size();
            stream = new double[dataset.rows()][];
            labels = new String[stream.length];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = dataset.row(i);
                labels[i] = dataset.label(i);
            }
            source = dataset.name() + ", ";
        } else {
            Random random = new Random(1);
            stream = new double[8192][dim];
            labels = new String[stream.length];
            for (int i = 0; i < stream.length; i++) {
                int c = random.nextInt(classes);
                labels[i] = "c" + c;
                for (int f = 0; f < dim; f++) {
                    stream[i][f] = random.nextGaussian() + (f % classes == c ? 1.5 : 0);
                }
            }
            source = "";
        }
        PrintWriter out = spec.commandLine().getOut();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Map<String, Object>> results = new ArrayList<>();
        out.printf("streaming learner: %sp=%d features, %d classes, rank %d, %d events per round%n", source, dim,
                classes, settings.rankFor(dim), events);
        for (int round = 1; round <= rounds; round++) {
            StreamingLearner learner = new StreamingLearner(settings, dim);
            long correct = 0;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                int row = i % stream.length;
                if (learner.testThenTrain(stream[row], labels[row], i).correct()) {
                    correct++;
                }
            }
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("round", round);
            r.put("cpu_us_per_event", cpu * 1e6 / events);
            r.put("cpu_events_per_second", events / cpu);
            r.put("wall_us_per_event", wall * 1e6 / events);
            r.put("wall_events_per_second", events / wall);
            r.put("accuracy", (double) correct / events);
            results.add(r);
            out.printf(Locale.ROOT, "round %d: %.2f us/event CPU (%.0f events/s), %.2f us/event wall (%.0f events/s),"
                    + " prequential accuracy %.4f%n", round, r.get("cpu_us_per_event"), r.get("cpu_events_per_second"),
                    r.get("wall_us_per_event"), r.get("wall_events_per_second"), r.get("accuracy"));
            out.flush();
        }
        if (json != null) {
            JsonOutput.write(json, results);
        }
        return 0;
    }
}
