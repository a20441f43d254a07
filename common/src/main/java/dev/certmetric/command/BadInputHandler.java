package dev.certmetric.command;

import dev.certmetric.config.BadInputException;
import picocli.CommandLine;

/**
 * Turns a user error into one line on stderr and exit code {@link BadInputException#EXIT_CODE}, without a
 * stack trace; every other exception propagates. Shared by every entry point (the all-in-one CLI and
 * the scorer's own jar) so that a bad argument looks and exits the same everywhere.
 */
public final class BadInputHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (ex instanceof BadInputException || ex instanceof IllegalArgumentException) {
            cl.getErr().println("error: " + ex.getMessage());
            return BadInputException.EXIT_CODE;
        }
        throw ex;
    }

    /** A command line for {@code command} with this handler installed. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(new BadInputHandler());
        return cl;
    }
}
