package dev.certmetric.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered table of configuration keys: the one place where a key is declared. The bundled YAML
 * ({@link #yaml}) and the reference table of the docs ({@link #markdown}) are rendered from it, and a
 * test checks that the files in the repository are exactly those renderings.
 */
public final class ConfigDef {
    /** A free-form mapping passed through as is (e.g. Kafka client properties), documented in place. */
    public record Mapping(String name, String doc) {
    }

    private final List<Object> entries = new ArrayList<>();
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

    /** Adds a key at the end of the table. */
    public <T extends Serializable> ConfigKey<T> define(ConfigKey<T> key) {
        if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalStateException("config key " + key.name() + " is declared twice");
        }
        entries.add(key);
        return key;
    }

    /** Adds a pass-through mapping at the end of the table. */
    public Mapping mapping(String name, String doc) {
        Mapping m = new Mapping(name, doc);
        entries.add(m);
        return m;
    }

    /** The scalar keys by name, in table order. */
    public Map<String, ConfigKey<?>> keys() {
        return Collections.unmodifiableMap(keys);
    }

    /** The YAML document of every key at its default, each with its doc, range and default as comments. */
    public String yaml(String header) {
        StringBuilder out = new StringBuilder();
        for (String line : header.split("\n")) {
            out.append("# ").append(line).append('\n');
        }
        List<String> open = new ArrayList<>();
        for (Object e : entries) {
            String name = e instanceof ConfigKey<?> k ? k.name() : ((Mapping) e).name();
            String[] parts = name.split("\\.");
            int common = 0;
            while (common < open.size() && common < parts.length - 1 && open.get(common).equals(parts[common])) {
                common++;
            }
            while (open.size() > common) {
                open.remove(open.size() - 1);
            }
            for (int d = common; d < parts.length - 1; d++) {
                if (d == 0) {
                    out.append('\n');
                }
                out.append("  ".repeat(d)).append(parts[d]).append(":\n");
                open.add(parts[d]);
            }
            String indent = "  ".repeat(parts.length - 1);
            String leaf = parts[parts.length - 1];
            if (e instanceof ConfigKey<?> k) {
                comment(out, indent, k.doc() + " Accepted: " + k.accepted() + ". Default: " + defaultText(k));
                out.append(indent).append(leaf).append(": ").append(defaultText(k)).append('\n');
            } else {
                comment(out, indent, ((Mapping) e).doc() + " Default: none.");
                out.append(indent).append(leaf).append(": {}\n");
            }
        }
        return out.toString();
    }

    /** The reference table: key, type, default, accepted values, meaning. */
    public String markdown() {
        StringBuilder out = new StringBuilder("| key | type | default | accepted | meaning |\n|---|---|---|---|---|\n");
        for (Object e : entries) {
            if (e instanceof ConfigKey<?> k) {
                out.append("| `").append(k.name()).append("` | ").append(k.type()).append(" | `").append(defaultText(k))
                        .append("` | ").append(k.accepted().replace("|", "\\|")).append(" | ").append(k.doc())
                        .append(" |\n");
            } else {
                Mapping m = (Mapping) e;
                out.append("| `").append(m.name()).append(".*` | map | none | any client property | ").append(m.doc())
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    /** The default as YAML and the docs show it: an empty string quoted, so that YAML does not read it as null. */
    private static <T extends Serializable> String defaultText(ConfigKey<T> key) {
        String text = key.render(key.defaultValue());
        return text.isEmpty() ? "\"\"" : text;
    }

    /** Appends {@code text} as YAML comment lines of at most 100 characters. */
    private static void comment(StringBuilder out, String indent, String text) {
        StringBuilder line = new StringBuilder(indent).append('#');
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > 100 && line.length() > indent.length() + 1) {
                out.append(line).append('\n');
                line = new StringBuilder(indent).append('#');
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
