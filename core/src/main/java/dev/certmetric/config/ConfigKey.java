package dev.certmetric.config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One configuration key, declared once with its type, default, accepted range and documentation, as
 * Kafka's {@code ConfigDef} does: parsing, validation, the bundled YAML and the reference docs are all
 * derived from it. Immutable.
 *
 * @param <T> the value's type
 */
public final class ConfigKey<T extends Serializable> {
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final String name;
    private final String type;
    private final T defaultValue;
    private final String accepted;
    private final String doc;
    private final Function<String, T> parser;

    private ConfigKey(String name, String type, T defaultValue, String accepted, String doc, Function<String, T> parser) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.accepted = accepted;
        this.doc = doc;
        this.parser = parser;
        this.defaultValue = defaultValue;
        if (parse(render(defaultValue)) == null) {
            throw new IllegalStateException("default of " + name + " is outside its own range");
        }
    }

    /** An integer in [min, max]. */
    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
        return new ConfigKey<>(name, "int", defaultValue, "an integer in [" + min + ", " + max + "]", doc, s -> {
            Long v = parseLong(s);
            return v != null && v >= min && v <= max ? Integer.valueOf(v.intValue()) : null;
        });
    }

    /** A long integer in [min, max]. */
    public static ConfigKey<Long> longInteger(String name, long defaultValue, long min, long max, String doc) {
        String hi = max == Long.MAX_VALUE ? "inf" : String.valueOf(max);
        return new ConfigKey<>(name, "long", defaultValue, "an integer in [" + min + ", " + hi + "]", doc, s -> {
            Long v = parseLong(s);
            return v != null && v >= min && v <= max ? v : null;
        });
    }

    /** A finite number in [min, max], or in (min, max] when {@code minExclusive}. */
    public static ConfigKey<Double> real(String name, double defaultValue, double min, boolean minExclusive, double max,
                                         String doc) {
        String range = (minExclusive ? "(" : "[") + format(min) + ", " + format(max) + "]";
        return new ConfigKey<>(name, "double", defaultValue, "a number in " + range, doc, s -> {
            double v;
            try {
                v = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
            boolean above = minExclusive ? v > min : v >= min;
            return above && v <= max ? v : null;
        });
    }

    /** true or false. */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
        return new ConfigKey<>(name, "boolean", defaultValue, "true | false", doc, s -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            return v.equals("true") ? Boolean.TRUE : v.equals("false") ? Boolean.FALSE : null;
        });
    }

    /** One of a fixed set of names. */
    public static ConfigKey<String> choice(String name, String defaultValue, List<String> choices, String doc) {
        return new ConfigKey<>(name, "string", defaultValue, String.join(" | ", choices), doc,
                s -> choices.contains(s.trim()) ? s.trim() : null);
    }

    /** A non-blank string of at most {@code maxLength} characters. */
    public static ConfigKey<String> text(String name, String defaultValue, int maxLength, String what, String doc) {
        return new ConfigKey<>(name, "string", defaultValue, what + " of at most " + maxLength + " characters", doc,
                s -> s.isBlank() || s.trim().length() > maxLength ? null : s.trim());
    }

    /** An optional file or directory path; the default is empty, meaning none. */
    public static ConfigKey<String> optionalPath(String name, String doc) {
        return new ConfigKey<>(name, "path", "", "a path of at most 4096 characters, or empty for none", doc,
                s -> s.trim().length() > 4096 ? null : s.trim());
    }

    /** A Kafka topic name. */
    public static ConfigKey<String> topic(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, "topic", defaultValue, "a Kafka topic name: 1-249 characters of [a-zA-Z0-9._-]",
                doc, s -> TOPIC.matcher(s).matches() && !s.equals(".") && !s.equals("..") ? s : null);
    }

    /**
     * The typed value of {@code raw}.
     *
     * @throws BadInputException naming the key and its accepted range if {@code raw} is not valid
     */
    public T value(String raw) {
        T v = raw == null ? null : parse(raw);
        if (v == null) {
            throw new BadInputException("config key " + name + " = '" + raw + "' is invalid; accepted: " + accepted);
        }
        return v;
    }

    private T parse(String raw) {
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The value as written in YAML and in {@code --set}. */
    public String render(T value) {
        return value instanceof Double d ? format(d) : String.valueOf(value);
    }

    public String name() {
        return name;
    }

    /** The type's name in the reference docs: int, long, double, boolean, string or topic. */
    public String type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** What values are accepted, as error messages and docs state it. */
    public String accepted() {
        return accepted;
    }

    public String doc() {
        return doc;
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    @Override
    public String toString() {
        return name;
    }
}
