package dev.certmetric.drift;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/** The detectors by configuration name ({@code learner.drift.detector}): the one place a name maps to a type. */
public final class DriftDetectors {
    private enum Kind {
        PAGE_HINKLEY(PageHinkley.NAME, PageHinkley::withDefaults, PageHinkley::restore),
        NONE(NoDriftDetection.NAME, threshold -> new NoDriftDetection(), state -> new NoDriftDetection());

        final String name;
        final DoubleFunction<DriftDetector> create;
        final Function<double[], DriftDetector> restore;

        Kind(String name, DoubleFunction<DriftDetector> create, Function<double[], DriftDetector> restore) {
            this.name = name;
            this.create = create;
            this.restore = restore;
        }
    }

    /** Accepted names, for validation messages. */
    public static final List<String> NAMES = Arrays.stream(Kind.values()).map(k -> k.name).toList();

    private DriftDetectors() {
    }

    /**
     * A fresh detector.
     *
     * @param threshold the Page-Hinkley alarm threshold (ignored by {@code none})
     */
    public static DriftDetector create(String name, double threshold) {
        return kind(name).create.apply(threshold);
    }

    /** A detector restored from its name and {@link DriftDetector#state()}. */
    public static DriftDetector restore(String name, double[] state) {
        return kind(name).restore.apply(state);
    }

    private static Kind kind(String name) {
        for (Kind k : Kind.values()) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("drift detector '" + name + "' is unknown; accepted: "
                + String.join(" | ", NAMES));
    }
}
