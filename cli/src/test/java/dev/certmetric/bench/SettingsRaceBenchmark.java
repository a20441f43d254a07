package dev.certmetric.bench;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.SettingsRace;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What the settings race costs: a bundled dataset replayed (shuffled, repeated) as 20000 events
 * through the learner made from the default config, with {@code learner.race.enabled} true and false.
 * One invocation is the whole stream; events/s = 20000 / the time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class SettingsRaceBenchmark {
    static final int EVENTS = 20_000;

    @Param({"wine", "vehicle"})
    String dataset;

    @Param({"true", "false"})
    String race;

    private double[][] rows;
    private String[] labels;
    private CertmetricConfig config;

    @Setup(Level.Trial)
    public void setUp() {
        CsvDataset data = CsvDataset.readResource(dataset);
        Random rnd = new Random(1);
        rows = new double[EVENTS][];
        labels = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            int r = rnd.nextInt(data.rows());
            rows[i] = data.row(r);
            labels[i] = data.label(r);
        }
        config = CertmetricConfig.defaults().toBuilder().set("learner.race.enabled", race).build();
    }

    @Benchmark
    public SettingsRace stream() {
        SettingsRace learner = new SettingsRace(config.raceSettings(), rows[0].length);
        for (int i = 0; i < EVENTS; i++) {
            learner.testThenTrain(rows[i], labels[i], i);
        }
        learner.flush();
        return learner;
    }
}
