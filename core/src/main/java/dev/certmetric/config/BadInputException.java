package dev.certmetric.config;

/** A user error (bad file, argument or configuration value) reported as one line, exit code 2. */
public class BadInputException extends RuntimeException {
    /** Exit code of a command that stops on bad input (CSV, arguments, configuration). */
    public static final int EXIT_CODE = 2;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
