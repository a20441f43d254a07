package dev.certmetric.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventDecoderTest {
    private final EventDecoder anyDim = EventDecoder.anyDimension();

    @Test
    void roundTripsThroughEncoder() {
        LabeledEvent event = new LabeledEvent("iris-1-7", "setosa", new double[] {5.1, -0.1, 1e-300, 0.1 + 0.2}, 1700000000123L);
        Decoded decoded = EventDecoder.forDimension(4).decode(EventEncoder.toJson(event));
        assertEquals(event, assertInstanceOf(Decoded.Valid.class, decoded).event());
    }

    @Test
    void tsIsOptionalAndNumericLabelsBecomeText() {
        LabeledEvent event = valid("{\"id\":\"a\",\"label\":3,\"features\":[1,2]}");
        assertEquals("3", event.label());
        assertNull(event.ts());
        assertArrayEquals(new double[] {1, 2}, event.features());
        assertNull(valid("{\"id\":\"a\",\"label\":\"x\",\"features\":[1],\"ts\":null}").ts());
        assertEquals(5L, valid("{\"id\":\"a\",\"label\":\"x\",\"features\":[1],\"ts\":5}").ts());
    }

    @Test
    void encodedEventOmitsMissingTs() {
        String json = new String(EventEncoder.toJson(new LabeledEvent("a", "b", new double[] {1.5}, null)),
                StandardCharsets.UTF_8);
        assertEquals("{\"id\":\"a\",\"label\":\"b\",\"features\":[1.5]}", json);
    }

    @Test
    void encoderRejectsNonFiniteFeatures() {
        LabeledEvent event = new LabeledEvent("a", "b", new double[] {Double.NaN}, null);
        assertThrows(IllegalArgumentException.class, () -> EventEncoder.toJson(event));
    }

    @Test
    void eventIsImmutable() {
        double[] features = {1, 2};
        LabeledEvent event = new LabeledEvent("a", "b", features, null);
        features[0] = 99;
        event.features()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, event.features());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"id\":\"a\",}", "not json", "{\"id\":\"a\"} trailing", "[1,2]", "42"})
    void malformedJson(String json) {
        assertInvalid(InvalidReason.MALFORMED_JSON, anyDim.decode(utf8(json)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"label\":\"x\",\"features\":[1]}",
        "{\"id\":null,\"label\":\"x\",\"features\":[1]}",
        "{\"id\":7,\"label\":\"x\",\"features\":[1]}",
        "{\"id\":\"\",\"label\":\"x\",\"features\":[1]}",
        "{\"id\":\"a\",\"features\":[1]}",
        "{\"id\":\"a\",\"label\":[\"x\"],\"features\":[1]}",
        "{\"id\":\"a\",\"label\":\"x\"}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":null}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":\"1,2\"}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":[1],\"ts\":\"yesterday\"}",
        "{\"id\":\"a\",\"label\":\"x\",\"features\":[1],\"ts\":1.5}"})
    void missingField(String json) {
        assertInvalid(InvalidReason.MISSING_FIELD, anyDim.decode(utf8(json)));
    }

    @Test
    void wrongDimension() {
        InvalidEvent invalid = assertInvalid(InvalidReason.WRONG_DIMENSION,
                EventDecoder.forDimension(3).decode(utf8("{\"id\":\"a\",\"label\":\"x\",\"features\":[1,2]}")));
        assertTrue(invalid.detail().contains("expected 3"), invalid.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400", "-1e999",
        "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
            + "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
            + "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
            + "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "\"1.0\"", "null", "true", "[1]", "{}"})
    void nonFinite(String feature) {
        InvalidEvent invalid = assertInvalid(InvalidReason.NON_FINITE,
                anyDim.decode(utf8("{\"id\":\"a\",\"label\":\"x\",\"features\":[0," + feature + "]}")));
        assertTrue(invalid.detail().startsWith("features[1]"), invalid.detail());
    }

    /**
     * An event time more than an hour ahead of this clock (a producer that sends microseconds, say) is out of range, on
     * the streaming path and the tree path (a numeric label takes the latter); the past and the near future are not.
     */
    @Test
    void anEventTimeFarAheadOfTheClockIsOutOfRange() {
        long now = System.currentTimeMillis();
        for (String label : new String[] {"\"x\"", "7"}) {
            String head = "{\"id\":\"a\",\"label\":" + label + ",\"features\":[1],\"ts\":";
            InvalidEvent micros = assertInvalid(InvalidReason.OUT_OF_RANGE, anyDim.decode(utf8(head + now * 1000 + "}")));
            assertTrue(micros.detail().startsWith("ts = " + now * 1000), micros.detail());
            assertInvalid(InvalidReason.OUT_OF_RANGE, anyDim.decode(utf8(head + (now + 2 * 86_400_000L) + "}")));
            assertInstanceOf(Decoded.Valid.class, anyDim.decode(utf8(head + (now + 60_000) + "}")));
            assertInstanceOf(Decoded.Valid.class, anyDim.decode(utf8(head + "-5}")));
            assertInstanceOf(Decoded.Valid.class, anyDim.decode(utf8(head + "1}")));
        }
    }

    @Test
    void oversizedRecordIsRejectedBeforeParsing() {
        byte[] big = new byte[2048];
        Arrays.fill(big, (byte) '{');
        EventDecoder decoder = new EventDecoder(0, 1024, 10);
        assertInvalid(InvalidReason.OVERSIZED, decoder.decode(big));
    }

    @Test
    void tooManyFeaturesIsOversized() {
        EventDecoder decoder = new EventDecoder(0, 1024, 2);
        assertInvalid(InvalidReason.OVERSIZED, decoder.decode(utf8("{\"id\":\"a\",\"label\":\"x\",\"features\":[1,2,3]}")));
    }

    @Test
    void empty() {
        assertInvalid(InvalidReason.EMPTY, anyDim.decode(null));
        assertInvalid(InvalidReason.EMPTY, anyDim.decode(new byte[0]));
        assertInvalid(InvalidReason.EMPTY, anyDim.decode(utf8("  \n ")));
        assertInvalid(InvalidReason.EMPTY, anyDim.decode(utf8("{\"id\":\"a\",\"label\":\"x\",\"features\":[]}")));
    }

    @Test
    void wireNamesAreStable() {
        assertEquals("malformed_json", InvalidReason.MALFORMED_JSON.wireName());
        assertEquals("missing_field", InvalidReason.MISSING_FIELD.wireName());
        assertEquals("wrong_dimension", InvalidReason.WRONG_DIMENSION.wireName());
        assertEquals("non_finite", InvalidReason.NON_FINITE.wireName());
        assertEquals("oversized", InvalidReason.OVERSIZED.wireName());
        assertEquals("empty", InvalidReason.EMPTY.wireName());
    }

    @Test
    void rejectsNonsenseLimits() {
        assertThrows(IllegalArgumentException.class, () -> new EventDecoder(-1, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> new EventDecoder(0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> EventDecoder.forDimension(0));
    }

    private LabeledEvent valid(String json) {
        return assertInstanceOf(Decoded.Valid.class, anyDim.decode(utf8(json))).event();
    }

    private static InvalidEvent assertInvalid(InvalidReason reason, Decoded decoded) {
        InvalidEvent invalid = assertInstanceOf(InvalidEvent.class, decoded);
        assertEquals(reason, invalid.reason(), invalid.detail());
        return invalid;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
