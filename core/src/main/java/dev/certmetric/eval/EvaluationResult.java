package dev.certmetric.eval;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of comparing methods on one dataset over repeated random splits.
 *
 * @param methods method name -> result, in the order given (the order reports list them)
 */
public record EvaluationResult(String dataset, int rows, int features, int rounds, long seed,
        Map<String, MethodResult> methods) {

    public EvaluationResult {
        Objects.requireNonNull(dataset, "dataset");
        if (rows < 1 || features < 1 || rounds < 1) {
            throw new IllegalArgumentException("rows, features and rounds must be >= 1");
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("need at least one method");
        }
        methods = Collections.unmodifiableMap(new LinkedHashMap<>(methods));
    }

    /** A sigma or radius as a plain decimal without trailing zeros: 0.05 -> "0.05", 1.0 -> "1". */
    public static String key(double value) {
        return value == 0 ? "0" : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
