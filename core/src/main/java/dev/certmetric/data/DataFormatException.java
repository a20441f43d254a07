package dev.certmetric.data;

/**
 * A malformed data file. The message is one line naming the file and, where they apply, the data
 * row (1-based, header excluded), the physical line number and the column (name and 1-based index),
 * so the CLI can print it as-is.
 */
public class DataFormatException extends IllegalArgumentException {
    public DataFormatException(String message) {
        super(message);
    }
}
