package dev.certmetric.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable labelled dataset read from CSV: one header row, numeric feature columns, and the
 * class label (kept as text) in the last column. {@link ArffReader} gives the same type from ARFF.
 *
 * <p>Fields are split on commas and trimmed; quoting is not supported (the bundled files need none).
 * Blank lines are skipped. Class codes are dense, 0..K-1, in sorted label order: numeric order when
 * every label is a number (so "2" precedes "10" and the bundled files' codes equal their labels),
 * otherwise string order. Sorting rather than first-appearance order keeps the codes independent
 * of row order.
 */
public final class CsvDataset {
    /** Names accepted by {@link #readResource}, bundled under {@code datasets/} in the jar. */
    public static final List<String> BUNDLED = List.of(
            "iris", "wine", "wdbc", "breast-cancer", "ionosphere", "vehicle", "heart-scale", "glass", "zoo");

    private final String name;
    private final List<String> featureNames;
    private final String labelName;
    private final double[][] features;
    private final String[] labels;
    private final List<String> classes;
    private final int[] classCodes;

    private CsvDataset(String name, List<String> featureNames, String labelName, double[][] features,
            String[] labels, List<String> classes) {
        this.name = name;
        this.featureNames = featureNames;
        this.labelName = labelName;
        this.features = features;
        this.labels = labels;
        this.classes = classes;
        Map<String, Integer> code = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            code.put(classes.get(c), c);
        }
        this.classCodes = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            classCodes[i] = code.get(labels[i]);
        }
    }

    /** Reads a CSV file; the file name becomes {@link #name()}. */
    public static CsvDataset read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.getFileName().toString(), in);
        }
    }

    /** Reads a bundled dataset by name, e.g. "iris" for the classpath resource datasets/iris.csv. */
    public static CsvDataset readResource(String name) {
        String resource = "datasets/" + name + ".csv";
        InputStream stream = BUNDLED.contains(name) ? CsvDataset.class.getClassLoader().getResourceAsStream(resource) : null;
        if (stream == null) {
            throw new IllegalArgumentException("no bundled dataset '" + name + "' (available: " + String.join(", ", BUNDLED) + ")");
        }
        try (Reader in = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
            return parse(name + ".csv", in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + resource, e);
        }
    }

    /**
     * Parses CSV text. {@code sourceName} only labels error messages and becomes {@link #name()}.
     *
     * @throws DataFormatException for an empty file, a header without data, a ragged row, a
     *     non-numeric, NaN or infinite feature cell, an empty label, or fewer than two classes
     */
    public static CsvDataset parse(String sourceName, Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        int lineNo = 0;
        String headerLine = null;
        while (headerLine == null) {
            String line = in.readLine();
            if (line == null) {
                throw new DataFormatException(sourceName + ": empty file (no header row)");
            }
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);  // a UTF-8 byte order mark, as spreadsheet exports write
            }
            if (!line.isBlank()) {
                headerLine = line;
            }
        }
        String[] header = split(headerLine);
        if (header.length < 2) {
            throw new DataFormatException(sourceName + ": line " + lineNo + ": header has " + header.length
                    + " column; need at least one feature column and the label column");
        }
        int p = header.length - 1;
        List<double[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String where = sourceName + ": data row " + (rows.size() + 1) + " (line " + lineNo + ")";
            String[] cells = split(line);
            if (cells.length != header.length) {
                throw new DataFormatException(where + ": expected " + header.length + " columns as in the header, found "
                        + cells.length);
            }
            double[] row = new double[p];
            for (int f = 0; f < p; f++) {
                row[f] = number(cells[f], where, header, f);
            }
            String label = cells[p];
            if (label.isEmpty()) {
                throw new DataFormatException(where + ", " + column(header, p) + ": empty label");
            }
            rows.add(row);
            labels.add(label);
        }
        if (rows.isEmpty()) {
            throw new DataFormatException(sourceName + ": header only, no data rows");
        }
        return of(sourceName, List.of(Arrays.copyOf(header, p)), header[p], column(header, p), rows, labels);
    }

    /**
     * A dataset of parsed, non-empty rows, for every reader of this package; {@code labelColumn} names the
     * label column in the error for a single class.
     */
    static CsvDataset of(String sourceName, List<String> featureNames, String labelName, String labelColumn,
            List<double[]> rows, List<String> labels) {
        Set<String> distinct = new LinkedHashSet<>(labels);
        if (distinct.size() < 2) {
            throw new DataFormatException(sourceName + ", " + labelColumn + ": single class '" + labels.get(0)
                    + "' in all " + rows.size() + " rows; need at least 2 classes");
        }
        return new CsvDataset(sourceName, List.copyOf(featureNames), labelName, rows.toArray(new double[0][]),
                labels.toArray(new String[0]), sortedClasses(distinct));
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim();
        }
        return cells;
    }

    private static String column(String[] header, int index) {
        return "column '" + header[index] + "' (#" + (index + 1) + ")";
    }

    private static double number(String cell, String where, String[] header, int f) {
        double v;
        try {
            v = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new DataFormatException(where + ", " + column(header, f) + ": " + (cell.isEmpty() ? "empty cell" : "not a number: '" + abbreviate(cell) + "'"));
        }
        if (!Double.isFinite(v)) {
            throw new DataFormatException(where + ", " + column(header, f) + ": non-finite value '" + abbreviate(cell) + "'");
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    private static List<String> sortedClasses(Set<String> distinct) {
        List<String> sorted = new ArrayList<>(distinct);
        boolean numeric = sorted.stream().allMatch(CsvDataset::isNumber);
        sorted.sort(numeric
                ? Comparator.<String>comparingDouble(Double::parseDouble).thenComparing(Comparator.naturalOrder())
                : Comparator.naturalOrder());
        return List.copyOf(sorted);
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The rows at the given indices (repeats allowed), in that order. The class list is kept, so
     * codes agree between subsets of one dataset even when a subset lacks some class.
     */
    public CsvDataset subset(int[] rowIdx) {
        double[][] f = new double[rowIdx.length][];
        String[] l = new String[rowIdx.length];
        for (int i = 0; i < rowIdx.length; i++) {
            Objects.checkIndex(rowIdx[i], labels.length);
            f[i] = features[rowIdx[i]];  // rows are never mutated, so sharing them is safe
            l[i] = labels[rowIdx[i]];
        }
        return new CsvDataset(name, featureNames, labelName, f, l, classes);
    }

    /** The source name: the file name, or "NAME.csv" for a bundled set. */
    public String name() {
        return name;
    }

    public int rows() {
        return labels.length;
    }

    public int featureCount() {
        return featureNames.size();
    }

    public List<String> featureNames() {
        return featureNames;
    }

    /** The header of the last column. */
    public String labelName() {
        return labelName;
    }

    /** A deep copy of the feature matrix, rows x featureCount. */
    public double[][] features() {
        double[][] copy = new double[features.length][];
        for (int i = 0; i < features.length; i++) {
            copy[i] = features[i].clone();
        }
        return copy;
    }

    /** A copy of one row's features. */
    public double[] row(int i) {
        return features[i].clone();
    }

    public String[] labels() {
        return labels.clone();
    }

    public String label(int i) {
        return labels[i];
    }

    /** Per row, the index of its label in {@link #classes()}. */
    public int[] classCodes() {
        return classCodes.clone();
    }

    /** The distinct labels in code order (see the class comment). */
    public List<String> classes() {
        return classes;
    }

    @Override
    public String toString() {
        return "CsvDataset[" + name + ": " + rows() + " x " + featureCount() + ", " + classes.size() + " classes]";
    }
}
