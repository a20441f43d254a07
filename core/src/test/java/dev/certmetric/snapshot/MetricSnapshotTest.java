package dev.certmetric.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MetricSnapshotTest {
    private static String invalid(MetricSnapshot.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void metricIsL() {
        MetricSnapshot s = SnapshotFixtures.example();
        assertEquals(3, s.metric().dimension());
        assertEquals(2, s.metric().rank());
        assertEquals(1, s.schemaVersion());
    }

    @Test
    void validatesShapes() {
        MetricSnapshot s = SnapshotFixtures.example();
        assertEquals("L has 5 entries, expected q*p=6", invalid(s.toBuilder().l(2, 3, new double[5])));
        assertEquals("need 1 <= q <= p <= 65536, got q=4, p=3", invalid(s.toBuilder().l(4, 3, new double[12])));
        assertEquals("L entry 1 is not finite: NaN", invalid(s.toBuilder().l(2, 3, new double[] {0, Double.NaN, 0, 0, 0, 0})));
        assertEquals("preprocessing has 2 features, expected p=3",
                invalid(s.toBuilder().preprocessing(dev.certmetric.preprocess.Standardizer.identity(2))));
        assertEquals("hyperparameter rank 3 differs from q=2", invalid(s.toBuilder().hyperparameters(SnapshotFixtures.hyperparameters(3, 2))));
    }

    @Test
    void boundsExemplarsPerClass() {
        Exemplar e = new Exemplar("setosa", new double[] {1, 0, 0});
        assertEquals("class 'setosa' has more than windowPerClass=2 exemplars",
                invalid(SnapshotFixtures.example().toBuilder().exemplars(List.of(e, e, e))));
    }

    @Test
    void validatesClassesAndHyperparameters() {
        assertEquals("classes must be non-empty, distinct and non-empty strings, got [a, a]",
                invalid(SnapshotFixtures.example().toBuilder().classes(List.of("a", "a"))));
        assertThrows(IllegalArgumentException.class,
                () -> new Hyperparameters(0, 1, 0.5, 0, 0, 1, "constant", 0.1, 1, 1, new TreeMap<>()));
        assertThrows(IllegalArgumentException.class,
                () -> new Hyperparameters(1, 1, 0.5, 0, 0, 1, "constant", 0, 1, 1, new TreeMap<>()));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingStats(1, 1, 0.5, 0, 0.3, 0.2, 0.1, new double[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingStats(1, 1, 0.5, 0, 0, 0, 0, new double[] {1, 0.5}));
    }

    @Test
    void isImmutable() {
        double[] l = {1, 0, 0, 0, 1, 0};
        MetricSnapshot s = SnapshotFixtures.example().toBuilder().l(2, 3, l).build();
        l[0] = 9;
        s.l()[1] = 9;
        s.exemplars().get(0).features()[0] = 9;
        assertEquals(SnapshotFixtures.example().toBuilder().l(2, 3, new double[] {1, 0, 0, 0, 1, 0}).build(), s);
        assertThrows(UnsupportedOperationException.class, () -> s.hyperparameters().extra().put("x", "y"));
    }
}
