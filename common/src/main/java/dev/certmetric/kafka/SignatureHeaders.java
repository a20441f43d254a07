package dev.certmetric.kafka;

import dev.certmetric.signing.SigningKey;
import dev.certmetric.signing.TrustedKeys;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/** A snapshot record's signature headers ({@link TrustedKeys#KEY_ID_HEADER}, {@link TrustedKeys#SIGNATURE_HEADER}). */
public final class SignatureHeaders {
    private SignatureHeaders() {
    }

    /** Adds {@code key}'s id and its signature of {@code signed} (a record value's exact bytes). */
    public static void sign(Headers headers, SigningKey key, byte[] signed) {
        headers.add(TrustedKeys.KEY_ID_HEADER, key.id().getBytes(StandardCharsets.US_ASCII));
        headers.add(TrustedKeys.SIGNATURE_HEADER, key.sign(signed));
    }

    /** The signing key's id, or null when absent. */
    public static String keyId(Headers headers) {
        Header h = headers.lastHeader(TrustedKeys.KEY_ID_HEADER);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
    }

    /** The signature, or null when absent. */
    public static byte[] signature(Headers headers) {
        Header h = headers.lastHeader(TrustedKeys.SIGNATURE_HEADER);
        return h == null ? null : h.value();
    }
}
