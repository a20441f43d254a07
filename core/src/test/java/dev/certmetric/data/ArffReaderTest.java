package dev.certmetric.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArffReaderTest {
    @TempDir
    Path dir;

    private CsvDataset read(String text) throws IOException {
        Path file = dir.resolve("t.arff");
        Files.writeString(file, text);
        return ArffReader.read(file);
    }

    @Test
    void readsNumericAttributesAndANominalClass() throws IOException {
        CsvDataset d = read("""
                @relation points
                @attribute x numeric
                @attribute y REAL
                @attribute n integer
                @attribute class {neg,pos}
                @data
                1.5,-2,3,pos
                0,1e-3,4,neg
                """);
        assertEquals("t.arff", d.name());
        assertEquals(List.of("x", "y", "n"), d.featureNames());
        assertEquals("class", d.labelName());
        assertEquals(2, d.rows());
        assertArrayEquals(new double[] {1.5, -2, 3}, d.row(0));
        assertArrayEquals(new double[] {0, 1e-3, 4}, d.row(1));
        assertEquals(List.of("pos", "neg"), List.of(d.labels()));
        assertEquals(List.of("neg", "pos"), d.classes());
    }

    @Test
    void zeroOneNominalsAreNumbersAndOtherNominalsOneHot() throws IOException {
        CsvDataset d = read("""
                @relation mixed
                @attribute flag {1,0}
                @attribute colour {red,green,blue}
                @attribute size numeric
                @attribute class {a,b}
                @data
                1,blue,7,a
                0,red,8,b
                0,green,9,a
                """);
        assertEquals(List.of("flag", "colour=red", "colour=green", "colour=blue", "size"), d.featureNames());
        assertArrayEquals(new double[] {1, 0, 0, 1, 7}, d.row(0));
        assertArrayEquals(new double[] {0, 1, 0, 0, 8}, d.row(1));
        assertArrayEquals(new double[] {0, 0, 1, 0, 9}, d.row(2));
    }

    @Test
    void skipsCommentsAndBlankLinesAndReadsQuotedNamesAndValues() throws IOException {
        CsvDataset d = read("""
                % a comment before the header
                @RELATION 'my data'

                @ATTRIBUTE 'petal length' NUMERIC
                @attribute "kind of thing" {'big one', "small one"}
                % between attributes
                @attribute 'the class'{'class A','class B'}
                @DATA
                % a comment in the data
                1.0, 'big one', 'class A'

                2.0,"small one",'class B'
                """);
        assertEquals(List.of("petal length", "kind of thing=big one", "kind of thing=small one"), d.featureNames());
        assertEquals("the class", d.labelName());
        assertEquals(2, d.rows());
        assertArrayEquals(new double[] {2, 0, 1}, d.row(1));
        assertEquals("class B", d.label(1));
    }

    @Test
    void readsSparseRowsWithOmittedValuesAsZeroOrTheFirstNominal() throws IOException {
        CsvDataset d = read("""
                @relation sparse
                @attribute a numeric
                @attribute b numeric
                @attribute c {x,y}
                @attribute class {no,yes}
                @data
                {0 1.5, 3 yes}
                {1 2, 2 y}
                """);
        assertArrayEquals(new double[] {1.5, 0, 1, 0}, d.row(0));
        assertEquals("yes", d.label(0));
        assertArrayEquals(new double[] {0, 2, 0, 1}, d.row(1));
        assertEquals("no", d.label(1));
    }

    @Test
    void acceptsTheTrailingCommaMoaWritesButNotAnEmptyValueElsewhere() throws IOException {
        String header = "@relation r\n@attribute x numeric\n@attribute c {a,b}\n@data\n";
        CsvDataset d = read(header + "1,a,\n2,b,\n");
        assertArrayEquals(new double[] {2}, d.row(1));
        assertEquals("b", d.label(1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(header + "1,a\n,b\n"));
        assertTrue(e.getMessage().contains("data row 2 (line 6), attribute 'x' (#1): empty value"), e.getMessage());
    }

    @Test
    void sameDatasetAsTheCsvOfTheSameRows() throws IOException {
        CsvDataset iris = CsvDataset.readResource("iris");
        StringBuilder arff = new StringBuilder("@relation iris\n");
        iris.featureNames().forEach(f -> arff.append("@attribute ").append(f).append(" numeric\n"));
        arff.append("@attribute label {0,1,2}\n@data\n");
        for (int i = 0; i < iris.rows(); i++) {
            for (double v : iris.row(i)) {
                arff.append(v).append(',');
            }
            arff.append(iris.label(i)).append('\n');
        }
        CsvDataset d = read(arff.toString());
        assertArrayEquals(iris.features(), d.features());
        assertArrayEquals(iris.classCodes(), d.classCodes());
        assertEquals(iris.classes(), d.classes());
    }

    private static final String HEADER = "@relation r\\n@attribute x numeric\\n@attribute c {a,b}\\n@data\\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing value|" + HEADER + "1,a\\n?,b\\n|t.arff: data row 2 (line 6), attribute 'x' (#1): missing value '?'",
        "missing class|" + HEADER + "1,a\\n2,?\\n|data row 2 (line 6), attribute 'c' (#2): missing value",
        "bad attribute type|@relation r\\n@attribute x numeric\\n@attribute when date\\n@attribute c {a,b}\\n@data\\n"
                + "|t.arff: line 3, attribute 'when': unsupported type 'date'",
        "string attribute|@relation r\\n@attribute s string\\n@attribute c {a,b}\\n@data\\n|line 2, attribute 's': unsupported type",
        "wrong column count|" + HEADER + "1,a\\n2,b,3\\n|t.arff: data row 2 (line 6): expected 2 values as declared by @attribute, found 3",
        "unknown nominal value|" + HEADER + "1,a\\n2,z\\n|data row 2 (line 6), attribute 'c' (#2): unknown nominal value 'z'",
        "unknown feature value|@relation r\\n@attribute f {u,v}\\n@attribute c {a,b}\\n@data\\nu,a\\nw,b\\n"
                + "|data row 2 (line 6), attribute 'f' (#1): unknown nominal value 'w'",
        "not a number|" + HEADER + "1,a\\nx1,b\\n|data row 2 (line 6), attribute 'x' (#1): not a number: 'x1'",
        "empty data|" + HEADER + "% nothing\\n|t.arff: no data rows after @data",
        "no data section|@relation r\\n@attribute x numeric\\n@attribute c {a,b}\\n|t.arff: no @data section",
        "numeric class|@relation r\\n@attribute x numeric\\n@attribute y numeric\\n@data\\n1,2\\n|line 3: the class",
        "single class|" + HEADER + "1,a\\n2,a\\n|attribute 'c' (#2): single class 'a'",
        "stray line|@relation r\\nx numeric\\n|t.arff: line 2: expected @relation, @attribute or @data",
        "unterminated quote|" + HEADER + "1,'a\\n|data row 1 (line 5): unterminated quote",
        "sparse index out of range|" + HEADER + "{0 1, 5 a}\\n|data row 1 (line 5): sparse entry '5 a'",
        "unclosed nominal|@relation r\\n@attribute c {a,b\\n@data\\n|line 2, attribute 'c': nominal values must end with '}'"})
    void malformedFilesGiveOneLineErrorsNamingTheLine(String name, String content, String expected) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(content.replace("\\n", "\n")));
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("t.arff") && e.getMessage().contains(expected), e.getMessage());
    }
}
