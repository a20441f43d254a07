package dev.certmetric.cli;

import dev.certmetric.scorer.BenchScoreCommand;
import dev.certmetric.scorer.ScoreCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the fat jar: {@code java -jar target/certmetric.jar <command>}. */
@Command(name = "certmetric",
        mixinStandardHelpOptions = true,
        versionProvider = CertmetricCli.Version.class,
        description = "Streaming robust metric learning (LMNN + perturbation loss) on Flink and Kafka.",
        subcommands = {
            CommandLine.HelpCommand.class,
            DemoCommand.class,
            EvaluateCommand.class,
            BrokerCommand.class,
            ProduceCommand.class,
            LearnCommand.class,
            ScoreCommand.class,
            BenchLearnCommand.class,
            BenchScoreCommand.class,
        })
public final class CertmetricCli implements Runnable {
    /** Exit code for bad input (CSV, arguments, configuration). */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CertmetricCli());
        cl.setExecutionExceptionHandler(new BadInputHandler());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Turns {@link BadInputException} into a one-line error and exit code 2, without a stack trace. */
    static final class BadInputHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed)
                throws Exception {
            if (ex instanceof BadInputException || ex instanceof IllegalArgumentException) {
                cl.getErr().println("error: " + ex.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw ex;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CertmetricCli.class.getPackage().getImplementationVersion();
            return new String[] {"certmetric " + (v == null ? "dev" : v)};
        }
    }
}
