package dev.certmetric.cli;

import dev.certmetric.signing.Keys;
import dev.certmetric.signing.SigningKey;
import dev.certmetric.signing.TrustedKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeygenCommandTest {
    @Test
    void writesAPairThatSignsAndVerifiesAndNeverOverwrites(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = CertmetricCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("keygen", "--out", dir.toString(), "--name", "learner"));
        SigningKey key = Keys.readSigningKey(dir.resolve("learner.key"));
        assertTrue(out.toString().contains("key id " + key.id()), out.toString());
        byte[] message = "snapshot".getBytes(StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> TrustedKeys.load(dir.resolve("learner.pub")).verify(message, key.id(), key.sign(message)));

        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, cli.execute("keygen", "--out", dir.toString(), "--name", "learner"));
        assertTrue(err.toString().contains("refusing to overwrite"), err.toString());
        assertEquals(CertmetricCli.EXIT_BAD_INPUT, cli.execute("keygen", "--out", dir.toString(), "--name", "a/b"));
        assertTrue(err.toString().contains("--name"), err.toString());
    }
}
