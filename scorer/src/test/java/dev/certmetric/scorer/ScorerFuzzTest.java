package dev.certmetric.scorer;

import dev.certmetric.testing.FuzzBytes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certmetric.metric.MahalanobisMetric;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.snapshot.Exemplar;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.snapshot.TrainingStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzing with fixed seeds (plain JUnit loops): the request parser answers arbitrary bytes with a
 * bounded JSON answer and never throws; models and queries at the very edge of every bound give
 * finite answers, not errors.
 */
class ScorerFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double B = OnlineStandardizer.MAX_ABS_FEATURE;
    private final Scorer scorer = new Scorer(new SimpleMeterRegistry());

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void arbitraryRequestBytesGetABoundedJsonAnswer(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        ServingModel model = ServingModel.of(ScorerFixtures.iris("iris", 1));
        byte[] valid = "{\"id\":\"r1\",\"features\":[5.1,3.5,1.4,0.2]}".getBytes(StandardCharsets.UTF_8);
        String alphabet = "{}[],:\"0123456789.eE-+ abfid\\u";
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = i % 2 == 0 ? FuzzBytes.random(r, 200) : FuzzBytes.mutate(r, valid, alphabet);
            check(scorer.answer(bytes, i % 3 == 0 ? null : model, "kafka"));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 4, 5})
    void extremeButValidModelsAndQueriesGiveFiniteAnswers(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        int p = 64;
        ServingModel model = ServingModel.of(SnapshotCodec.decode(SnapshotCodec.encode(extremeSnapshot(r, p))));
        for (int i = 0; i < 300; i++) {
            StringBuilder features = new StringBuilder();
            StringBuilder other = new StringBuilder();
            for (int f = 0; f < p; f++) {
                features.append(f == 0 ? "" : ",").append(extreme(r, B));
                other.append(f == 0 ? "" : ",").append(extreme(r, B));
            }
            JsonNode score = check(scorer.answer(("{\"id\":\"q" + i + "\",\"features\":[" + features + "]}")
                    .getBytes(StandardCharsets.UTF_8), model, "http"));
            assertFalse(score.has("error"), score.toString());
            JsonNode distance = check(scorer.answer(("{\"id\":\"d" + i + "\",\"a\":[" + features + "],\"b\":[" + other
                    + "]}").getBytes(StandardCharsets.UTF_8), model, "http"));
            assertFalse(distance.has("error"), distance.toString());
        }
    }

    /** A model with every number at or near its bound: |L| = 1e6, exemplars 1e6, means and stds 1e140 or tiny. */
    private static MetricSnapshot extremeSnapshot(SplittableRandom r, int p) {
        double[] l = new double[p * p];
        for (int i = 0; i < l.length; i++) {
            l[i] = extreme(r, MetricSnapshot.MAX_ABS_L);
        }
        double[] mean = new double[p];
        double[] std = new double[p];
        for (int f = 0; f < p; f++) {
            mean[f] = extreme(r, B);
            std[f] = Math.abs(extreme(r, B));
        }
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double[] x = new double[p];
            for (int f = 0; f < p; f++) {
                x[f] = extreme(r, MetricSnapshot.MAX_ABS_EXEMPLAR);
            }
            exemplars.add(new Exemplar(i % 2 == 0 ? "a" : "b", x));
        }
        return MetricSnapshot.builder().modelName("edge").version(1).createdAt(Instant.now())
                .metric(MahalanobisMetric.of(p, p, l)).preprocessing(new Standardizer(mean, std))
                .hyperparameters(ScorerFixtures.hyperparameters(3, p, 10))
                .trainingStats(new TrainingStats(20, 1, 0.5, 0.1, -0.1, 0.1, 0.3, new double[0]))
                .classes(List.of("a", "b")).exemplars(exemplars).build();
    }

    /** The bound itself, tiny values, zero, or anything in between, with a random sign. */
    private static double extreme(SplittableRandom r, double bound) {
        double v = switch (r.nextInt(5)) {
            case 0 -> bound;
            case 1 -> Double.MIN_VALUE * r.nextInt(1, 1000);
            case 2 -> 0;
            case 3 -> bound * r.nextDouble();
            default -> Math.pow(10, r.nextDouble(-300, Math.log10(bound)));
        };
        return r.nextBoolean() ? v : -v;
    }

    private static JsonNode check(Scorer.Answer a) throws Exception {
        String text = a.text();
        assertTrue(a.json().length <= Scorer.MAX_ANSWER_BYTES, "answer of " + a.json().length + " bytes");
        assertFalse(text.contains("Infinity") || text.contains("NaN"), text);
        JsonNode node = JSON.readTree(a.json());
        assertTrue(node.isObject() && (node.has("error") || node.has("model")), text);
        assertFalse("internal".equals(a.errorKind()), text);
        return node;
    }
}
