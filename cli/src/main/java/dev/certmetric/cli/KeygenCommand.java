package dev.certmetric.cli;

import dev.certmetric.config.BadInputException;
import dev.certmetric.signing.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** Writes an Ed25519 key pair for signed snapshots. */
@Command(name = "keygen",
        mixinStandardHelpOptions = true,
        description = "Write an Ed25519 key pair for signed snapshots: NAME.key for the learner "
                + "(snapshots.signing-key) and NAME.pub for scorers (scorer.trusted-keys).")
public final class KeygenCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the key files to.")
    Path out;

    @Option(names = "--name", defaultValue = "certmetric", paramLabel = "NAME",
            description = "File name stem, 1-100 characters of [A-Za-z0-9._-] (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws Exception {
        if (!NAME.matcher(name).matches()) {
            throw new BadInputException("--name = '" + name + "' is invalid; accepted: 1-100 characters of [A-Za-z0-9._-]");
        }
        if (Files.exists(out.resolve(name + ".key"))) {
            throw new BadInputException("--out: " + out.resolve(name + ".key") + " exists; refusing to overwrite a key");
        }
        KeyPair pair = Keys.generate();
        Keys.write(pair, out, name);
        spec.commandLine().getOut().printf("wrote %s and %s (key id %s)%n", out.resolve(name + ".key"),
                out.resolve(name + ".pub"), Keys.fingerprint(pair.getPublic()));
        return 0;
    }
}
