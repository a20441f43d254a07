package dev.certmetric.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.certmetric.config.CertmetricConfig;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a {@link PrequentialResult} as {@code {"dataset", "events", "features", "classes", "accuracy",
 * "kappa", "certified": {radius: x}, "events_per_second", "settings": {config key: value},
 * "curve": [[events, accuracy], ...]}}; a certified accuracy without any sample is null.
 */
public final class PrequentialJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrequentialJson() {
    }

    public static ObjectNode toJson(PrequentialResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("dataset", r.dataset());
        root.put("events", r.events());
        root.put("features", r.features());
        root.put("classes", r.classes());
        root.put("accuracy", r.accuracy());
        root.put("kappa", r.kappa());
        ObjectNode certified = root.putObject("certified");
        double[] c = r.certified();
        for (int i = 0; i < c.length; i++) {
            String key = EvaluationResult.key(Prequential.RADII.get(i));
            if (Double.isNaN(c[i])) {
                certified.putNull(key);
            } else {
                certified.put(key, c[i]);
            }
        }
        root.put("events_per_second", r.eventsPerSecond());
        root.set("settings", JSON.valueToTree(CertmetricConfig.learnerKeys(r.settings())));
        ArrayNode curve = root.putArray("curve");
        r.curve().forEach(p -> curve.addArray().add(p.events()).add(p.accuracy()));
        return root;
    }

    public static void write(PrequentialResult r, Path file) throws IOException {
        JSON.writer(EvaluationJson.PRETTY).writeValue(file.toFile(), toJson(r));
    }
}
