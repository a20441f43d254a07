package dev.certmetric.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvDatasetTest {
    private static CsvDataset parse(String text) throws IOException {
        return CsvDataset.parse("t.csv", new StringReader(text));
    }

    private static String error(String text) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> parse(text));
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("t.csv"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsBundledIris() {
        CsvDataset iris = CsvDataset.readResource("iris");
        assertEquals("iris.csv", iris.name());
        assertEquals(150, iris.rows());
        assertEquals(4, iris.featureCount());
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"), iris.featureNames());
        assertEquals("label", iris.labelName());
        assertEquals(List.of("0", "1", "2"), iris.classes());
        assertArrayEquals(new double[] {5.1, 3.5, 1.4, 0.2}, iris.features()[0]);
        assertEquals(0, iris.classCodes()[0]);
        assertEquals(2, iris.classCodes()[149]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"iris", "wine", "wdbc", "breast-cancer", "ionosphere", "vehicle", "heart-scale", "glass", "zoo"})
    void everyBundledSetLoadsWithCodesEqualToLabels(String name) {
        CsvDataset d = CsvDataset.readResource(name);
        assertTrue(d.rows() > 100 && d.featureCount() >= 4 && d.classes().size() >= 2, d.toString());
        int[] codes = d.classCodes();
        for (int i = 0; i < d.rows(); i++) {
            assertEquals(Integer.parseInt(d.label(i)), codes[i]);
        }
    }

    @Test
    void unknownResourceListsAvailable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvDataset.readResource("mnist"));
        assertTrue(e.getMessage().contains("iris"), e.getMessage());
    }

    @Test
    void readsFileAndNamesItInErrors(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "a,b,label\n1,2,x\n3,4,y\n");
        assertEquals("ok.csv", CsvDataset.read(ok).name());
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,label\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvDataset.read(bad));
        assertTrue(e.getMessage().startsWith("bad.csv: "), e.getMessage());
    }

    @Test
    void classesSortNumericallyOrAsText() throws IOException {
        assertEquals(List.of("2", "10"), parse("a,label\n1,10\n2,2\n").classes());
        assertEquals(List.of("-1", "1"), parse("a,label\n1,1\n2,-1\n").classes());
        CsvDataset text = parse("a,label\n1,cat\n2,ant\n3,cat\n");
        assertEquals(List.of("ant", "cat"), text.classes());
        assertArrayEquals(new int[] {1, 0, 1}, text.classCodes());
    }

    @Test
    void toleratesBomBlankLinesWhitespaceAndCrLf() throws IOException {
        CsvDataset d = parse("\uFEFFa, b ,label\r\n 1 ,2,x\r\n\r\n3,4e0,y\r\n");
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals(2, d.rows());
        assertArrayEquals(new double[] {3, 4}, d.row(1));
    }

    @Test
    void accessorsReturnCopies() throws IOException {
        CsvDataset d = parse("a,label\n1,x\n2,y\n");
        d.features()[0][0] = 99;
        d.labels()[0] = "z";
        d.classCodes()[0] = 7;
        assertEquals(1, d.row(0)[0]);
        assertEquals("x", d.label(0));
        assertEquals(0, d.classCodes()[0]);
    }

    @Test
    void subsetKeepsClassListAndOrder() throws IOException {
        CsvDataset d = parse("a,label\n1,x\n2,y\n3,z\n");
        CsvDataset s = d.subset(new int[] {2, 0, 2});
        assertEquals(3, s.rows());
        assertEquals(d.classes(), s.classes());
        assertArrayEquals(new int[] {2, 0, 2}, s.classCodes());
        assertArrayEquals(new double[] {3}, s.row(0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {3}));
    }

    @Test
    void emptyFile() {
        assertEquals("t.csv: empty file (no header row)", error(""));
        assertEquals("t.csv: empty file (no header row)", error("\n  \n"));
    }

    @Test
    void headerOnly() {
        assertEquals("t.csv: header only, no data rows", error("a,b,label\n"));
    }

    @Test
    void headerWithoutFeatures() {
        assertTrue(error("label\n0\n").startsWith("t.csv: line 1: header has 1 column"));
    }

    @Test
    void raggedRow() {
        assertEquals("t.csv: data row 2 (line 4): expected 3 columns as in the header, found 2",
                error("a,b,label\n1,2,0\n\n3,1\n"));
    }

    @Test
    void nonNumericCell() {
        assertEquals("t.csv: data row 2 (line 3), column 'b' (#2): not a number: 'abc'",
                error("a,b,label\n1,2,0\n3,abc,1\n"));
    }

    @Test
    void emptyCell() {
        assertEquals("t.csv: data row 1 (line 2), column 'a' (#1): empty cell", error("a,b,label\n,2,0\n3,4,1\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e999"})
    void nonFiniteCell(String cell) {
        assertEquals("t.csv: data row 1 (line 2), column 'b' (#2): non-finite value '" + cell + "'",
                error("a,b,label\n1," + cell + ",0\n3,4,1\n"));
    }

    @Test
    void emptyLabel() {
        assertEquals("t.csv: data row 1 (line 2), column 'label' (#3): empty label", error("a,b,label\n1,2,\n"));
    }

    @Test
    void singleClass() {
        assertEquals("t.csv, column 'label' (#3): single class '0' in all 2 rows; need at least 2 classes",
                error("a,b,label\n1,2,0\n3,4,0\n"));
    }
}
