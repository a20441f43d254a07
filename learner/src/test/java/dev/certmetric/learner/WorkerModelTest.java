package dev.certmetric.learner;

import dev.certmetric.data.CsvDataset;
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
}
