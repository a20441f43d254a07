package dev.certmetric.snapshot;

/**
 * Bytes that are not a usable snapshot. The message starts with the kind of failure: "malformed
 * snapshot" (not JSON), "corrupt snapshot" (envelope layout or checksum), "incompatible snapshot"
 * (schema version) or "invalid snapshot" (a missing, mistyped or out-of-range field).
 */
public class SnapshotFormatException extends IllegalArgumentException {
    public SnapshotFormatException(String message) {
        super(message);
    }
}
