package dev.certmetric.train;

import dev.certmetric.objective.LmnnPlObjective;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The batch optimisers by name: the one table the CLI's {@code --optimizer} reads. */
public final class BatchOptimizers {
    /** Makes an optimiser of one kind for an objective, k targets and v impostors per point. */
    @FunctionalInterface
    public interface Kind {
        BatchOptimizer create(LmnnPlObjective objective, int k, int v);
    }

    public static final String DEFAULT = "lbfgs";

    private static final Map<String, Kind> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("lbfgs", (objective, k, v) ->
                new LbfgsOptimizer(objective, LbfgsOptimizer.Settings.DEFAULT.withNeighbours(k, v)));
        BY_NAME.put("reference", (objective, k, v) ->
                new ReferenceOptimizer(objective, ReferenceOptimizer.Settings.DEFAULT.withNeighbours(k, v)));
    }

    private BatchOptimizers() {
    }

    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(BY_NAME.keySet());
    }

    /** @throws IllegalArgumentException naming the accepted names when there is no optimiser of that name */
    public static Kind byName(String name) {
        Kind kind = BY_NAME.get(name);
        if (kind == null) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; accepted: " + names());
        }
        return kind;
    }
}
