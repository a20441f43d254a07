package dev.certmetric.eval;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an {@link EvaluationResult} as
 * {@code {"dataset", "rows", "features", "rounds", "seed", "methods": {name: {"accuracy": {"mean",
 * "std"}, "noisy": {sigma: acc}, "certified": {radius: acc}, "fit_seconds"}}}}, with sigma and
 * radius keys formatted by {@link EvaluationResult#key}.
 */
public final class EvaluationJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Indented, with {@code "key": value} rather than Jackson's default {@code "key" : value}. */
    static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private EvaluationJson() {
    }

    public static ObjectNode toJson(EvaluationResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("dataset", r.dataset());
        root.put("rows", r.rows());
        root.put("features", r.features());
        root.put("rounds", r.rounds());
        root.put("seed", r.seed());
        ObjectNode methods = root.putObject("methods");
        for (Map.Entry<String, MethodResult> e : r.methods().entrySet()) {
            MethodResult m = e.getValue();
            ObjectNode node = methods.putObject(e.getKey());
            ObjectNode accuracy = node.putObject("accuracy");
            accuracy.put("mean", m.accuracyMean());
            accuracy.put("std", m.accuracyStd());
            ObjectNode noisy = node.putObject("noisy");
            m.noisy().forEach((sigma, acc) -> noisy.put(EvaluationResult.key(sigma), acc));
            ObjectNode certified = node.putObject("certified");
            m.certified().forEach((radius, acc) -> certified.put(EvaluationResult.key(radius), acc));
            node.put("fit_seconds", m.fitSecondsMean());
        }
        return root;
    }

    public static void write(EvaluationResult r, Path file) throws IOException {
        JSON.writer(PRETTY).writeValue(file.toFile(), toJson(r));
    }
}
