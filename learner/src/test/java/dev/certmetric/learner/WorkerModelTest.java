package dev.certmetric.learner;

import dev.certmetric.data.CsvDataset;
import dev.certmetric.memory.ExemplarReservoir;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.LearnerStateCodec;
import dev.certmetric.train.RaceSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.SettingsRaceCodec;
import dev.certmetric.train.StreamingLearner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerModelTest {

    @Test
    void aRaceRoundTripsAndStateWrittenBeforeRacesIsReadAsARaceOfOne() throws Exception {
        CsvDataset wine = CsvDataset.readResource("wine");
        SettingsRace race = new SettingsRace(RaceSettings.around(LearnerSettings.DEFAULT, 4, 50, 0.5, 0.05),
                wine.featureCount());
        StreamingLearner plain = new StreamingLearner(LearnerSettings.DEFAULT, wine.featureCount());
        for (int i = 0; i < wine.rows(); i++) {
            race.testThenTrain(wine.row(i), wine.label(i), i);
            plain.testThenTrain(wine.row(i), wine.label(i), i);
        }
        WorkerModel back = WorkerModel.fromBytes(WorkerModel.toBytes(new WorkerModel(9, race, 0.5)));
        assertEquals(9, back.lineage());
        assertEquals(race.standings(), back.race().standings());
        assertArrayEquals(SettingsRaceCodec.toBytes(race), SettingsRaceCodec.toBytes(back.race()));

        // Format 1: the lineage around a bare learner.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x434d574d);
            out.writeInt(1);
            out.writeLong(7);
            out.writeDouble(0.25);
            LearnerStateCodec.write(plain, out);
        }
        WorkerModel old = WorkerModel.fromBytes(bytes.toByteArray());
        assertEquals(7, old.lineage());
        assertEquals(0.25, old.lossEma());
        assertTrue(old.race().decided());
        assertArrayEquals(LearnerStateCodec.toBytes(plain), LearnerStateCodec.toBytes(old.learner()));
        assertEquals(plain.prequentialAccuracy(), old.race().standings().get(0).accuracy());
    }

    @Test
    void theMemoryRoundTripsExactlyAndStateWrittenBeforeItIsReadWithAnEmptyOne() throws Exception {
        CsvDataset wine = CsvDataset.readResource("wine");
        int p = wine.featureCount();
        WorkerModel kept = new WorkerModel(5, SettingsRace.of(new StreamingLearner(LearnerSettings.DEFAULT, p)),
                Double.NaN, new ExemplarReservoir(20, p));
        for (int i = 0; i < 100; i++) {
            kept.race().testThenTrain(wine.row(i), wine.label(i), i);
            kept.remember(wine.row(i), wine.label(i), i);
        }
        WorkerModel restored = WorkerModel.fromBytes(WorkerModel.toBytes(kept));
        assertArrayEquals(WorkerModel.toBytes(kept), WorkerModel.toBytes(restored));
        for (int i = 100; i < wine.rows(); i++) {
            for (WorkerModel m : new WorkerModel[] {kept, restored}) {
                m.race().testThenTrain(wine.row(i), wine.label(i), i);
                m.remember(wine.row(i), wine.label(i), i);
            }
        }
        assertArrayEquals(WorkerModel.toBytes(kept), WorkerModel.toBytes(restored), "continues as the uninterrupted");
        assertEquals(60, restored.memory().size());

        // Format 2: the lineage around a race, no memory.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x434d574d);
            out.writeInt(2);
            out.writeLong(7);
            out.writeDouble(0.25);
            SettingsRaceCodec.write(kept.race(), out);
        }
        WorkerModel old = WorkerModel.fromBytes(bytes.toByteArray());
        assertEquals(0, old.memory().capacity());
        assertArrayEquals(SettingsRaceCodec.toBytes(kept.race()), SettingsRaceCodec.toBytes(old.race()));
    }
}
