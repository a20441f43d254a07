package dev.certmetric.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The scorer's side: the public keys it accepts snapshots from, read from the {@code .pub} files of a directory
 * (or one file) and named by fingerprint. The source is re-read when its modification time changes (a file added
 * to or removed from the directory), so rotating keys needs no scorer restart: add the new public key, switch the
 * learner to the new private key, then remove the old public key, which revokes it. Thread-safe.
 */
public final class TrustedKeys {
    /** Record header carrying the signing key's fingerprint. */
    public static final String KEY_ID_HEADER = "certmetric.key-id";
    /** Record header carrying the Ed25519 signature of the record value's exact bytes. */
    public static final String SIGNATURE_HEADER = "certmetric.signature";

    private final Path source;
    private volatile Map<String, PublicKey> keys;
    private volatile FileTime readAt;

    private TrustedKeys(Path source, Map<String, PublicKey> keys, FileTime readAt) {
        this.source = source;
        this.keys = keys;
        this.readAt = readAt;
    }

    /**
     * Trusts exactly {@code key}, for good: the learner's side, which continues only snapshots signed with its own
     * key (the public half of {@code snapshots.signing-key}).
     */
    public static TrustedKeys of(PublicKey key) {
        return new TrustedKeys(null, Map.of(Keys.fingerprint(key), key), null);
    }

    /** Reads the trusted keys; fails if there are none, since a scorer that trusts nothing serves nothing. */
    public static TrustedKeys load(Path source) throws IOException {
        FileTime modified = Files.getLastModifiedTime(source);
        Map<String, PublicKey> keys = read(source);
        if (keys.isEmpty()) {
            throw new IOException("no .pub key in " + source);
        }
        return new TrustedKeys(source, keys, modified);
    }

    private static Map<String, PublicKey> read(Path source) throws IOException {
        Map<String, PublicKey> keys = new TreeMap<>();
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pub")).sorted().toList()) {
                    PublicKey key = Keys.readPublic(f);
                    keys.put(Keys.fingerprint(key), key);
                }
            }
        } else {
            PublicKey key = Keys.readPublic(source);
            keys.put(Keys.fingerprint(key), key);
        }
        return keys;
    }

    /** The fingerprints trusted now. */
    public java.util.Set<String> ids() {
        return keys.keySet();
    }

    /**
     * Checks that {@code signature} is {@code keyId}'s signature of {@code message}.
     *
     * @throws SignatureException naming what is wrong: missing, untrusted key, or a mismatch
     */
    public void verify(byte[] message, String keyId, byte[] signature) throws SignatureException {
        if (keyId == null || signature == null) {
            throw new SignatureException("unsigned snapshot (no " + KEY_ID_HEADER + " / " + SIGNATURE_HEADER
                    + " header) while trusted keys are configured");
        }
        reloadIfChanged();
        PublicKey key = keys.get(keyId);
        if (key == null) {
            throw new SignatureException("snapshot signed by key " + keyId + ", which is not trusted (trusted: "
                    + keys.keySet() + ")");
        }
        try {
            Signature check = Signature.getInstance(Keys.ALGORITHM);
            check.initVerify(key);
            check.update(message);
            if (!check.verify(signature)) {
                throw new SignatureException("snapshot signature by key " + keyId + " does not match its bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new SignatureException("snapshot signature by key " + keyId + " is malformed: " + e.getMessage());
        }
    }

    private synchronized void reloadIfChanged() {
        if (source == null) {
            return;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(source);
            if (!modified.equals(readAt)) {
                keys = read(source);
                readAt = modified;
            }
        } catch (IOException e) {
            // keep the keys we have: a half-written key file must not revoke the others; retried on the next record
        }
    }
}
