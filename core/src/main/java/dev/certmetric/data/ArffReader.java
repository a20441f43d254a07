package dev.certmetric.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Weka/MOA ARFF into a {@link CsvDataset}, so that everything taking a CSV takes ARFF too.
 *
 * <p>Supported: {@code @relation}, {@code @attribute NAME numeric|real|integer|{v1,v2,...}}, {@code @data}
 * with dense (a trailing comma allowed) or sparse ({@code {index value, ...}}) rows, {@code %} comment
 * lines, names and values quoted with ' or ". The last attribute is the class and must be nominal. A nominal feature whose
 * values are exactly {0, 1} becomes one number; any other nominal feature is one-hot encoded, one
 * column {@code NAME=value} per declared value. Sparse rows omit zeros, which for a nominal attribute is
 * its first declared value, as in Weka. Missing values ({@code ?}), string, date and relational
 * attributes are rejected: the learner has no use for them.
 */
public final class ArffReader {
    private ArffReader() {
    }

    /** A declared attribute; {@code values} is null for a numeric one. */
    private record Attribute(String name, List<String> values, int line) {
        boolean numeric() {
            return values == null;
        }

        boolean binary() {
            return values != null && values.size() == 2 && values.containsAll(List.of("0", "1"));
        }

        /** Its columns in the feature matrix. */
        int width() {
            return numeric() || binary() ? 1 : values.size();
        }

        /** What a sparse row's omitted value means. */
        String zero() {
            return numeric() ? "0" : values.get(0);
        }
    }

    /** Reads an ARFF file; the file name becomes the dataset's name. */
    public static CsvDataset read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.getFileName().toString(), in);
        }
    }

    /**
     * Parses ARFF text. {@code sourceName} labels error messages and becomes the dataset's name.
     *
     * @throws DataFormatException naming the line, for a malformed header, an unsupported attribute
     *     type, a non-nominal class, a row with the wrong number of values, a non-numeric or missing
     *     value, an undeclared nominal value, no data rows or a single class
     */
    public static CsvDataset parse(String sourceName, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<Attribute> attributes = new ArrayList<>();
        int lineNo = 0;
        boolean data = false;
        int width = 0;  // feature columns, known at @data
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
            lineNo++;
            String line = (lineNo == 1 && raw.startsWith("\uFEFF") ? raw.substring(1) : raw).trim();
            if (line.isEmpty() || line.startsWith("%")) {
                continue;
            }
            String at = sourceName + ": line " + lineNo;
            if (data) {
                String where = sourceName + ": data row " + (rows.size() + 1) + " (line " + lineNo + ")";
                String[] values = line.startsWith("{") ? sparse(line, attributes, where) : dense(line, attributes, where);
                rows.add(features(values, attributes, width, where));
                labels.add(values[attributes.size() - 1]);
                continue;
            }
            String keyword = line.split("\\s", 2)[0].toLowerCase(Locale.ROOT);
            switch (keyword) {
                case "@relation" -> {
                    // the relation's name is not needed: the dataset is named after its file
                }
                case "@attribute" -> attributes.add(attribute(line.substring(keyword.length()).trim(), at, lineNo));
                case "@data" -> {
                    checkHeader(attributes, sourceName, lineNo);
                    width = attributes.subList(0, attributes.size() - 1).stream().mapToInt(Attribute::width).sum();
                    data = true;
                }
                default -> throw new DataFormatException(at + ": expected @relation, @attribute or @data, found '"
                        + abbreviate(line) + "'");
            }
        }
        if (!data) {
            throw new DataFormatException(sourceName + ": no @data section");
        }
        if (rows.isEmpty()) {
            throw new DataFormatException(sourceName + ": no data rows after @data");
        }
        List<Attribute> features = attributes.subList(0, attributes.size() - 1);
        List<String> names = new ArrayList<>();
        for (Attribute a : features) {
            if (a.width() == 1) {
                names.add(a.name());
            } else {
                a.values().forEach(v -> names.add(a.name() + "=" + v));
            }
        }
        Attribute label = attributes.get(attributes.size() - 1);
        return CsvDataset.of(sourceName, names, label.name(), attribute(label, attributes.size()), rows, labels);
    }

    private static void checkHeader(List<Attribute> attributes, String sourceName, int dataLine) {
        if (attributes.size() < 2) {
            throw new DataFormatException(sourceName + ": line " + dataLine + ": @data after " + attributes.size()
                    + " attribute(s); need at least one feature and the class (the last attribute)");
        }
        Attribute label = attributes.get(attributes.size() - 1);
        if (label.numeric()) {
            throw new DataFormatException(sourceName + ": line " + label.line() + ": the class (the last attribute, '"
                    + label.name() + "') must be nominal, {a,b,...}");
        }
    }

    private static Attribute attribute(String spec, String at, int lineNo) {
        List<String> nameAndRest = new ArrayList<>();
        int end = token(spec, 0, nameAndRest, at, true);
        if (nameAndRest.isEmpty() || nameAndRest.get(0).isEmpty()) {
            throw new DataFormatException(at + ": @attribute without a name");
        }
        String name = nameAndRest.get(0);
        String type = spec.substring(end).trim();
        if (type.startsWith("{")) {
            if (!type.endsWith("}")) {
                throw new DataFormatException(at + ", attribute '" + name + "': nominal values must end with '}'");
            }
            List<String> values = split(type.substring(1, type.length() - 1), at);
            if (values.isEmpty() || values.stream().anyMatch(String::isEmpty)) {
                throw new DataFormatException(at + ", attribute '" + name + "': empty nominal value in " + abbreviate(type));
            }
            return new Attribute(name, List.copyOf(values), lineNo);
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.equals("numeric") || lower.equals("real") || lower.equals("integer")) {
            return new Attribute(name, null, lineNo);
        }
        throw new DataFormatException(at + ", attribute '" + name + "': unsupported type '" + abbreviate(type)
                + "'; accepted: numeric, real, integer or nominal {a,b,...}");
    }

    private static String[] dense(String line, List<Attribute> attributes, String where) {
        List<String> values = split(line, where);
        if (values.size() == attributes.size() + 1 && values.get(values.size() - 1).isEmpty()) {
            values.remove(values.size() - 1);  // MOA's WriteStreamToARFFFile ends every row with a comma
        }
        if (values.size() != attributes.size()) {
            throw new DataFormatException(where + ": expected " + attributes.size() + " values as declared by @attribute, found "
                    + values.size());
        }
        return values.toArray(new String[0]);
    }

    private static String[] sparse(String line, List<Attribute> attributes, String where) {
        if (!line.endsWith("}")) {
            throw new DataFormatException(where + ": sparse row must end with '}'");
        }
        String[] values = new String[attributes.size()];
        for (int a = 0; a < values.length; a++) {
            values[a] = attributes.get(a).zero();
        }
        for (String pair : split(line.substring(1, line.length() - 1), where)) {
            String[] iv = pair.split("\\s+", 2);
            int index;
            try {
                index = Integer.parseInt(iv[0]);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (iv.length != 2 || index < 0 || index >= values.length) {
                throw new DataFormatException(where + ": sparse entry '" + abbreviate(pair)
                        + "' is not 'index value' with index in [0, " + (values.length - 1) + "]");
            }
            List<String> value = new ArrayList<>();
            token(iv[1], 0, value, where, false);
            values[index] = value.get(0);
        }
        return values;
    }

    /** The feature columns of one row's values (the class, last, is left out). */
    private static double[] features(String[] values, List<Attribute> attributes, int width, String where) {
        double[] row = new double[width];
        int column = 0;
        for (int a = 0; a < attributes.size(); a++) {
            Attribute attr = attributes.get(a);
            String v = values[a];
            String cell = where + ", " + attribute(attr, a + 1);
            if (v.equals("?")) {
                throw new DataFormatException(cell + ": missing value '?' (not supported; drop or impute the row)");
            }
            if (attr.numeric()) {
                row[column++] = number(v, cell);
                continue;
            }
            int code = attr.values().indexOf(v);
            if (code < 0) {
                throw new DataFormatException(cell + ": unknown nominal value '" + abbreviate(v) + "'; declared: {"
                        + abbreviate(String.join(",", attr.values())) + "}");
            }
            if (a == attributes.size() - 1) {
                break;
            }
            if (attr.binary()) {
                row[column++] = Double.parseDouble(v);
            } else {
                row[column + code] = 1;
                column += attr.width();
            }
        }
        return row;
    }

    private static double number(String v, String cell) {
        double x;
        try {
            x = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new DataFormatException(cell + ": " + (v.isEmpty() ? "empty value" : "not a number: '" + abbreviate(v) + "'"));
        }
        if (!Double.isFinite(x)) {
            throw new DataFormatException(cell + ": non-finite value '" + abbreviate(v) + "'");
        }
        return x;
    }

    private static String attribute(Attribute a, int index) {
        return "attribute '" + a.name() + "' (#" + index + ")";
    }

    /** Comma-separated values, each trimmed and unquoted. */
    private static List<String> split(String text, String where) {
        List<String> values = new ArrayList<>();
        if (text.isBlank()) {
            return values;
        }
        int i = 0;
        while (true) {
            i = token(text, i, values, where, false);
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == text.length()) {
                return values;
            }
            if (text.charAt(i) != ',') {
                throw new DataFormatException(where + ": expected ',' at '" + abbreviate(text.substring(i)) + "'");
            }
            i++;
        }
    }

    /**
     * Reads one value from {@code from}: quoted (' or ", backslash escapes) or bare up to a comma (or, for
     * a name, up to whitespace); adds it to {@code out} and returns the index after it.
     */
    private static int token(String text, int from, List<String> out, String where, boolean name) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i < text.length() && (text.charAt(i) == '\'' || text.charAt(i) == '"')) {
            char quote = text.charAt(i);
            StringBuilder value = new StringBuilder();
            for (i++; i < text.length() && text.charAt(i) != quote; i++) {
                if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                    i++;
                }
                value.append(text.charAt(i));
            }
            if (i == text.length()) {
                throw new DataFormatException(where + ": unterminated quote " + quote + " in '" + abbreviate(text) + "'");
            }
            out.add(value.toString());
            return i + 1;
        }
        int start = i;
        while (i < text.length() && (name ? !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '{'
                : text.charAt(i) != ',')) {
            i++;
        }
        out.add(text.substring(start, i).trim());
        return i;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
