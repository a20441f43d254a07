package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.data.CsvDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a {@code --data} value: a CSV file, or else the name of a bundled dataset. */
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
            return CsvDataset.read(path);
        } catch (IOException e) {
            throw new BadInputException("--data: cannot read " + data + ": " + e.getMessage(), e);
        }
    }
}
