package dev.certmetric.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** A plain-text table of an {@link EvaluationResult} for the terminal. */
public final class EvaluationTable {
    private EvaluationTable() {
    }

    /** Column headers then one row per method; shared by the text and HTML tables. */
    static List<List<String>> cells(EvaluationResult r) {
        SortedSet<Double> sigmas = new TreeSet<>();
        SortedSet<Double> radii = new TreeSet<>();
        r.methods().values().forEach(m -> {
            sigmas.addAll(m.noisy().keySet());
            radii.addAll(m.certified().keySet());
        });
        List<String> header = new ArrayList<>(List.of("method", "accuracy", "std"));
        sigmas.forEach(s -> header.add("noise " + EvaluationResult.key(s)));
        radii.forEach(x -> header.add("cert " + EvaluationResult.key(x)));
        header.add("fit s");
        List<List<String>> rows = new ArrayList<>(List.of(header));
        for (Map.Entry<String, MethodResult> e : r.methods().entrySet()) {
            MethodResult m = e.getValue();
            List<String> row = new ArrayList<>(List.of(e.getKey(), fmt(m.accuracyMean()), fmt(m.accuracyStd())));
            sigmas.forEach(s -> row.add(m.noisy().containsKey(s) ? fmt(m.noisy().get(s)) : "-"));
            radii.forEach(x -> row.add(m.certified().containsKey(x) ? fmt(m.certified().get(x)) : "-"));
            row.add(String.format(Locale.ROOT, "%.3f", m.fitSecondsMean()));
            rows.add(row);
        }
        return rows;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** A title line, then the table: method left-aligned, numbers right-aligned. */
    public static String format(EvaluationResult r) {
        List<List<String>> rows = cells(r);
        int[] width = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s: %d rows x %d features, %d rounds, seed %d%n",
                r.dataset(), r.rows(), r.features(), r.rounds(), r.seed()));
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                String pad = " ".repeat(width[c] - cell.length());
                line.append(c == 0 ? cell + pad : "  " + pad + cell);
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
            if (i == 0) {
                out.append("-".repeat(line.length())).append(System.lineSeparator());
            }
        }
        return out.toString();
    }
}
