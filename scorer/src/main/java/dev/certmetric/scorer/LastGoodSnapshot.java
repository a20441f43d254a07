package dev.certmetric.scorer;

import dev.certmetric.snapshot.SnapshotCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The serving model kept in the scorer's state directory, so that a restart serves it even when the snapshot
 * topic no longer holds it (compaction keeps only the latest record per model, and that may be a bad one). Written
 * on every swap (write aside, then rename, so a crash leaves the old file or the new one, never half of one),
 * offered back at start before the topic is read; newer good snapshots from the topic replace it as usual.
 */
final class LastGoodSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(LastGoodSnapshot.class);
    static final String FILE = "last-good.snapshot";

    private final Path file;

    LastGoodSnapshot(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /** Offers the kept snapshot to the registry; it was verified before it was kept, so no signature is asked. */
    void restoreInto(ModelRegistry registry) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            ModelRegistry.Outcome outcome = registry.offer(Files.readAllBytes(file));
            LOG.info("kept snapshot {}: {}", file, outcome.message());
        } catch (IOException e) {
            LOG.warn("cannot read the kept snapshot {}; waiting for the topic", file, e);
        }
    }

    /** Keeps the model now serving (called on every swap). A failure to write is logged: serving goes on. */
    void keep(ServingModel model) {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.write(tmp, SnapshotCodec.encode(model.snapshot()));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("cannot keep snapshot v{} in {}", model.version(), file, e);
        }
    }
}
