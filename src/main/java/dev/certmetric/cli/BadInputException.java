package dev.certmetric.cli;

/** A user error (bad file, argument or configuration value) reported as one line, exit code 2. */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
