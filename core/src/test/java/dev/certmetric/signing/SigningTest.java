package dev.certmetric.signing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningTest {
    private static final byte[] SNAPSHOT = "{\"version\":7}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesOnlyOnTheExactBytesAndTheTrustedKey(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir.resolve("keys"), "learner");
        SigningKey signer = Keys.readSigningKey(dir.resolve("keys/learner.key"));
        TrustedKeys trusted = TrustedKeys.load(dir.resolve("keys/learner.pub"));
        assertEquals(java.util.Set.of(signer.id()), trusted.ids());
        byte[] signature = signer.sign(SNAPSHOT);
        assertDoesNotThrow(() -> trusted.verify(SNAPSHOT, signer.id(), signature));

        byte[] tampered = SNAPSHOT.clone();
        tampered[tampered.length - 2] = '8';
        assertTrue(assertThrows(SignatureException.class, () -> trusted.verify(tampered, signer.id(), signature))
                .getMessage().contains("does not match"));
        assertTrue(assertThrows(SignatureException.class, () -> trusted.verify(SNAPSHOT, null, null))
                .getMessage().contains("unsigned"));
        SigningKey stranger = new SigningKey(Keys.generate().getPrivate(), Keys.generate().getPublic());
        assertTrue(assertThrows(SignatureException.class,
                () -> trusted.verify(SNAPSHOT, "0123456789abcdef", stranger.sign(SNAPSHOT))).getMessage()
                .contains("not trusted"));
        byte[] garbage = {1, 2, 3};
        assertThrows(SignatureException.class, () -> trusted.verify(SNAPSHOT, signer.id(), garbage));
    }

    /** Add the new key, sign with it, remove the old one: each step takes effect without reloading by hand. */
    @Test
    void keysRotateThroughTheTrustedDirectory(@TempDir Path dir) throws Exception {
        Path trustedDir = Files.createDirectories(dir.resolve("trusted"));
        KeyPair oldPair = Keys.generate();
        Keys.write(oldPair, dir.resolve("old"), "k");
        Files.copy(dir.resolve("old/k.pub"), trustedDir.resolve("old.pub"));
        TrustedKeys trusted = TrustedKeys.load(trustedDir);
        SigningKey oldKey = Keys.readSigningKey(dir.resolve("old/k.key"));
        SigningKey newKey = Keys.readSigningKey(write(Keys.generate(), dir.resolve("new")));
        assertThrows(SignatureException.class, () -> trusted.verify(SNAPSHOT, newKey.id(), newKey.sign(SNAPSHOT)));

        Files.copy(dir.resolve("new/k.pub"), trustedDir.resolve("new.pub"));
        touch(trustedDir, 1);
        assertDoesNotThrow(() -> trusted.verify(SNAPSHOT, newKey.id(), newKey.sign(SNAPSHOT)));
        assertDoesNotThrow(() -> trusted.verify(SNAPSHOT, oldKey.id(), oldKey.sign(SNAPSHOT)));

        Files.delete(trustedDir.resolve("old.pub"));
        touch(trustedDir, 2);
        assertThrows(SignatureException.class, () -> trusted.verify(SNAPSHOT, oldKey.id(), oldKey.sign(SNAPSHOT)),
                "a removed key is revoked");
        assertDoesNotThrow(() -> trusted.verify(SNAPSHOT, newKey.id(), newKey.sign(SNAPSHOT)));
    }

    @Test
    void badKeyFilesNameTheFile(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.pub"), "not a key");
        assertTrue(assertThrows(java.io.IOException.class, () -> TrustedKeys.load(bad)).getMessage()
                .contains("bad.pub"));
        assertThrows(java.io.IOException.class, () -> TrustedKeys.load(Files.createDirectories(dir.resolve("empty"))));
    }

    private static Path write(KeyPair pair, Path dir) throws Exception {
        Keys.write(pair, dir, "k");
        return dir.resolve("k.key");
    }

    /** Directory times can be coarse: move them on explicitly so that a change is always seen. */
    private static void touch(Path dir, int step) throws Exception {
        Files.setLastModifiedTime(dir, FileTime.from(Instant.now().plusSeconds(step)));
    }
}
