package dev.certmetric.cli;

import dev.certmetric.command.BadInputHandler;
import dev.certmetric.config.BadInputException;
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
            PrequentialCommand.class,
            BrokerCommand.class,
            KeygenCommand.class,
            ProduceCommand.class,
            LearnCommand.class,
            ScoreCommand.class,
            BenchLearnCommand.class,
            BenchStreamCommand.class,
            BenchScoreCommand.class,
        })
public final class CertmetricCli implements Runnable {
    /** Exit code for bad input (CSV, arguments, configuration). */
    public static final int EXIT_BAD_INPUT = BadInputException.EXIT_CODE;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return BadInputHandler.commandLine(new CertmetricCli());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CertmetricCli.class.getPackage().getImplementationVersion();
            return new String[] {"certmetric " + (v == null ? "dev" : v)};
        }
    }
}
