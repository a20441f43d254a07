package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.data.ArffReader;
import dev.certmetric.data.CsvDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Resolves a {@code --data} value: a CSV or (by its extension) ARFF file, or else the name of a bundled dataset. */
final class Datasets {
    private Datasets() {
    }

    static CsvDataset load(String data) {
        Path path = Path.of(data);
        if (!Files.exists(path) && CsvDataset.BUNDLED.contains(data)) {
            return CsvDataset.readResource(data);
        }
        if (!Files.isRegularFile(path)) {
            throw new BadInputException("--data: no such file: " + data + " (or bundled dataset: "
                    + String.join(", ", CsvDataset.BUNDLED) + ")");
        }
        try {
            return data.toLowerCase(Locale.ROOT).endsWith(".arff") ? ArffReader.read(path) : CsvDataset.read(path);
        } catch (IOException e) {
            throw new BadInputException("--data: cannot read " + data + ": " + e.getMessage(), e);
        }
    }
}
