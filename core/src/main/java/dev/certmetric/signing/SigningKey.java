package dev.certmetric.signing;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The learner's side: signs snapshot record bytes. Immutable and thread-safe (a {@link Signature} per call).
 *
 * @param key the private key
 * @param publicKey its public key, whose fingerprint names the signatures
 */
public record SigningKey(PrivateKey key, PublicKey publicKey) {
    public String id() {
        return Keys.fingerprint(publicKey);
    }

    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(Keys.ALGORITHM);
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /** Whether {@code signature} is this key's signature of {@code message}, under this key's id. */
    public boolean verifies(byte[] message, String keyId, byte[] signature) {
        if (!id().equals(keyId) || signature == null) {
            return false;
        }
        try {
            Signature check = Signature.getInstance(Keys.ALGORITHM);
            check.initVerify(publicKey);
            check.update(message);
            return check.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
