package dev.certmetric.learner;

import dev.certmetric.config.BadInputException;
import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.signing.Keys;
import dev.certmetric.signing.TrustedKeys;
import dev.certmetric.snapshot.SnapshotCodec;
import dev.certmetric.data.CsvDataset;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotSerializerTest {
    private static final SnapshotRecord RECORD =
            new SnapshotRecord("m", 3, "{\"v\":3}".getBytes(StandardCharsets.UTF_8), 1_000L);

    @Test
    void signsTheExactValueWithTheConfiguredKey(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir, "learner");
        SnapshotSerializer serializer = new SnapshotSerializer("snapshots", dir.resolve("learner.key"));
        serializer.open(null, null);
        ProducerRecord<byte[], byte[]> r = serializer.serialize(RECORD, null, null);
        assertEquals("m", new String(r.key(), StandardCharsets.UTF_8));
        String keyId = new String(r.headers().lastHeader(TrustedKeys.KEY_ID_HEADER).value(), StandardCharsets.US_ASCII);
        byte[] signature = r.headers().lastHeader(TrustedKeys.SIGNATURE_HEADER).value();
        TrustedKeys trusted = TrustedKeys.load(dir.resolve("learner.pub"));
        assertDoesNotThrow(() -> trusted.verify(r.value(), keyId, signature));
    }

    /** Workers adopt only their own learner's signed snapshots: a forged or unsigned record is skipped. */
    @Test
    void workersSyncOnlyToSnapshotsSignedByTheirOwnKey(@TempDir Path dir) throws Exception {
        Keys.write(Keys.generate(), dir.resolve("ours"), "k");
        Keys.write(Keys.generate(), dir.resolve("forger"), "k");
        CsvDataset wine = CsvDataset.readResource("wine");
        // The guard off: a snapshot that carries the guard's identity is never synced, whoever signed it.
        LearnerSettings settings = CertmetricConfig.load(null, Map.of("learner.guard.radius", "0")).learnerSettings();
        StreamingLearner learner = new StreamingLearner(settings, wine.featureCount());
        for (int i = 0; i < wine.rows(); i += 3) {
            learner.testThenTrain(wine.row(i), wine.label(i), i);
        }
        byte[] value = SnapshotCodec.encode(ModelMerger.merge(List.of(new WorkerModel(0, SettingsRace.of(learner),
                Double.NaN)), "m", 4, Instant.now(), 5, Long.MAX_VALUE, Map.of()));
        SnapshotRecord record = new SnapshotRecord("m", 4, value, 1_000L);
        ModelSyncDeserializer sync = new ModelSyncDeserializer("m", dir.resolve("ours/k.key"));
        sync.open(null);
        for (String signer : new String[] {"ours", "forger", null}) {
            SnapshotSerializer serializer = new SnapshotSerializer("t", signer == null ? null : dir.resolve(signer + "/k.key"));
            serializer.open(null, null);
            ProducerRecord<byte[], byte[]> p = serializer.serialize(record, null, null);
            ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0,
                    p.key(), p.value(), p.headers(), Optional.empty());
            List<ModelSync> out = new ArrayList<>();
            sync.deserialize(r, new ListCollector<>(out));
            assertEquals("ours".equals(signer) ? 1 : 0, out.size(), "signed by " + signer);
        }
    }

    @Test
    void withoutAKeyRecordsAreUnsigned() throws Exception {
        SnapshotSerializer serializer = new SnapshotSerializer("snapshots", null);
        serializer.open(null, null);
        ProducerRecord<byte[], byte[]> r = serializer.serialize(RECORD, null, null);
        assertNull(r.headers().lastHeader(TrustedKeys.SIGNATURE_HEADER));
        assertFalse(r.headers().iterator().hasNext());
    }

    @Test
    void aBadKeyFileFailsTheSubmissionNamingTheKey(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.key"), "nope");
        CertmetricConfig config = CertmetricConfig.load(null, Map.of("snapshots.signing-key", bad.toString()));
        BadInputException e = assertThrows(BadInputException.class, () -> LearnerJob.signingKey(config));
        assertTrue(e.getMessage().contains("snapshots.signing-key"), e.getMessage());
    }
}
