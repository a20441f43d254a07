package dev.certmetric.drift;

import java.util.List;

/** The detectors by configuration name ({@code learner.drift.detector}). */
public final class DriftDetectors {
    /** Accepted names, for validation messages. */
    public static final List<String> NAMES = List.of(PageHinkley.NAME, NoDriftDetection.NAME);

    private DriftDetectors() {
    }

    /**
     * A fresh detector.
     *
     * @param threshold the Page-Hinkley alarm threshold (ignored by {@code none})
     */
    public static DriftDetector create(String name, double threshold) {
        return switch (name) {
            case PageHinkley.NAME -> PageHinkley.withDefaults(threshold);
            case NoDriftDetection.NAME -> new NoDriftDetection();
            default -> throw new IllegalArgumentException("drift detector '" + name + "' is unknown; accepted: "
                    + String.join(" | ", NAMES));
        };
    }

    /** A detector restored from its name and {@link DriftDetector#state()}. */
    public static DriftDetector restore(String name, double[] state) {
        return switch (name) {
            case PageHinkley.NAME -> PageHinkley.restore(state);
            case NoDriftDetection.NAME -> new NoDriftDetection();
            default -> throw new IllegalArgumentException("drift detector '" + name + "' is unknown");
        };
    }
}
