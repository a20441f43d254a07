package dev.certmetric.signing;

/** A snapshot's signature is missing, from an untrusted key, or does not match its bytes. */
public final class SignatureException extends Exception {
    private static final long serialVersionUID = 1L;

    public SignatureException(String message) {
        super(message);
    }
}
