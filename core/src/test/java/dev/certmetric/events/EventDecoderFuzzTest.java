package dev.certmetric.events;

import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.RowScaling;
import dev.certmetric.preprocess.ScaledRows;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.testing.FuzzBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Properties of the event decoder (jqwik, fixed seeds, bounded tries): on arbitrary bytes and on valid
 * events with a few byte edits it returns a {@link Decoded} (a valid event or a typed
 * {@link InvalidEvent}) and never throws; what it accepts keeps every bound; and over streams of
 * valid-but-extreme events the running statistics and the preprocessing stay finite; an event within
 * every bound survives the encoder and the decoder unchanged, and no strict prefix of it is accepted.
 */
class EventDecoderFuzzTest {
    private static final EventDecoder ANY = EventDecoder.anyDimension();
    private static final EventDecoder DIM3 = EventDecoder.forDimension(3);
    /** Literals at and beyond the feature bound, in the shapes JSON allows. */
    private static final List<String> EXTREME_LITERALS = List.of("1e140", "-1e140", "9.99e139", "1E+140", "1e-320",
            "-4.9e-324", "0", "-0.0", "1.7976931348623157e308", "1e141", "1e400", "-1e400",
            "123456789012345678901234567890", "2.2250738585072014E-308");

    @Property(tries = 2000, seed = "101")
    void arbitraryBytesGiveAnEventOrATypedRejection(@ForAll("arbitraryBytes") byte[] bytes) {
        check(ANY, bytes);
    }

    @Property(tries = 2000, seed = "102")
    void mutatedEventsGiveAnEventOrATypedRejection(@ForAll("mutatedEvents") byte[] bytes) {
        check(ANY, bytes);
        check(DIM3, bytes);
    }

    @Property(tries = 200, seed = "103")
    void validButExtremeEventsKeepTheStatisticsFinite(@ForAll("extremeStreams") List<String> records) {
        OnlineStandardizer stats = new OnlineStandardizer(3);
        for (String json : records) {
            if (check(DIM3, json.getBytes(StandardCharsets.UTF_8)) instanceof Decoded.Valid v) {
                stats.update(v.event().features());
                Standardizer s = stats.current(RowScaling.UNIT_NORM);
                for (double m : s.mean()) {
                    assertTrue(Double.isFinite(m), () -> "mean after " + json);
                }
                for (double sd : s.std()) {
                    assertTrue(Double.isFinite(sd), () -> "std after " + json);
                }
                for (double z : s.apply(v.event().features())) {
                    assertTrue(Double.isFinite(z) && Math.abs(z) <= 1 + 1e-12, () -> "preprocessed " + z + " of " + json);
                }
                for (double z : stats.current(RowScaling.SCALED).apply(v.event().features())) {
                    assertTrue(Math.abs(z) <= ScaledRows.MAX_NORM * (1 + 1e-12), () -> "scaled " + z + " of " + json);
                }
            }
        }
    }

    @Property(tries = 1000, seed = "104")
    void eventsWithinEveryBoundRoundTripThroughTheEncoder(@ForAll("boundedEvents") LabeledEvent e) {
        Decoded d = check(ANY, EventEncoder.toJson(e));
        assertTrue(d instanceof Decoded.Valid, () -> e + " rejected: " + d);
        LabeledEvent back = ((Decoded.Valid) d).event();
        assertEquals(e.id(), back.id());
        assertEquals(e.label(), back.label());
        assertArrayEquals(e.features(), back.features());
        assertEquals(e.ts(), back.ts());
    }

    /** A record cut anywhere before its closing brace is never taken for an event, however it was cut. */
    @Property(tries = 1000, seed = "105")
    void everyStrictPrefixOfAnEventIsRejected(@ForAll("boundedEvents") LabeledEvent e, @ForAll @IntRange(min = 0) int cut) {
        byte[] json = EventEncoder.toJson(e);
        Decoded d = check(ANY, Arrays.copyOf(json, cut % json.length));
        assertTrue(d instanceof InvalidEvent, () -> "accepted a prefix: " + d);
    }

    /**
     * Events that keep every rule: printable ids and labels (no control characters, no surrogates) up to
     * the 256 code point limit, 1 to 20 features up to the bound, with or without a time stamp (any up to the
     * present: a later one may be at most an hour ahead of the decoder's clock).
     */
    @Provide
    Arbitrary<LabeledEvent> boundedEvents() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff')
                .ofMinLength(1).ofMaxLength(256).filter(s -> !s.isBlank());
        Arbitrary<double[]> features = FuzzBytes.extreme(OnlineStandardizer.MAX_ABS_FEATURE).array(double[].class)
                .ofMinSize(1).ofMaxSize(20);
        return Combinators.combine(text, text, features, Arbitraries.longs().lessOrEqual(System.currentTimeMillis()).injectNull(0.2)).as(LabeledEvent::new);
    }

    @Provide
    Arbitrary<byte[]> arbitraryBytes() {
        return FuzzBytes.arbitrary(300);
    }

    @Provide
    Arbitrary<byte[]> mutatedEvents() {
        return FuzzBytes.mutated(events(Arbitraries.integers().between(0, 5)).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                "{}[],:\"0123456789.eE-+ \\ntrufalsNaIy");
    }

    @Provide
    Arbitrary<List<String>> extremeStreams() {
        return events(Arbitraries.just(3)).list().ofMinSize(1).ofMaxSize(60);
    }

    /** Event records whose ids, labels and features range from ordinary to just past every bound. */
    private static Arbitrary<String> events(Arbitrary<Integer> dimension) {
        Arbitrary<String> id = Arbitraries.oneOf(List.of(
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(FuzzBytes::jsonString),
                Arbitraries.strings().ofMinLength(250).ofMaxLength(260).map(FuzzBytes::jsonString),
                Arbitraries.longs().map(String::valueOf)));
        Arbitrary<String> label = Arbitraries.oneOf(List.of(
                Arbitraries.of("a", "b", "setosa").map(FuzzBytes::jsonString),
                Arbitraries.strings().ofMaxLength(6).map(FuzzBytes::jsonString),
                Arbitraries.strings().withChars('l').ofMinLength(250).ofMaxLength(260).map(FuzzBytes::jsonString),
                Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMinLength(1).ofMaxLength(2).map(FuzzBytes::jsonString),
                Arbitraries.of("0", "-1.5e3", "true", "null", "[]", "{}")));
        Arbitrary<String> feature = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(EXTREME_LITERALS)),
                Tuple.of(4, FuzzBytes.extreme(OnlineStandardizer.MAX_ABS_FEATURE).map(String::valueOf)),
                Tuple.of(1, Arbitraries.doubles().map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("\"1\"", "NaN", "Infinity", "null")));
        Arbitrary<String> ts = Arbitraries.oneOf(List.of(Arbitraries.just(""),
                Arbitraries.longs().map(t -> ",\"ts\":" + t), Arbitraries.of(",\"ts\":null", ",\"ts\":1.5", ",\"ts\":1e30")));
        return Combinators.combine(id, label, dimension.flatMap(d -> feature.list().ofSize(d)), ts)
                .as((i, l, f, t) -> "{\"id\":" + i + ",\"label\":" + l + ",\"features\":["
                        + f.stream().collect(Collectors.joining(",")) + "]" + t + "}");
    }

    /** Decodes and checks the outcome: never an exception, never an accepted event outside a bound. */
    private static Decoded check(EventDecoder decoder, byte[] bytes) {
        Decoded d;
        try {
            d = decoder.decode(bytes);
        } catch (RuntimeException e) {
            throw new AssertionError("decode threw on " + new String(bytes, StandardCharsets.UTF_8), e);
        }
        if (d instanceof Decoded.Valid v) {
            LabeledEvent e = v.event();
            String label = e.label();
            if (label.isBlank() || label.codePointCount(0, label.length()) > decoder.maxLabelChars()
                    || label.codePoints().anyMatch(c -> Character.isISOControl(c) || c <= 0xFFFF && Character.isSurrogate((char) c))
                    || e.id().isEmpty() || e.id().codePointCount(0, e.id().length()) > decoder.maxIdChars()) {
                fail("accepted a label or id out of bounds: " + e);
            }
            if (decoder.expectedDimension() > 0 && e.features().length != decoder.expectedDimension()) {
                fail("accepted the wrong dimension: " + e);
            }
            for (double x : e.features()) {
                assertTrue(Double.isFinite(x) && Math.abs(x) <= OnlineStandardizer.MAX_ABS_FEATURE, e::toString);
            }
        } else if (!(d instanceof InvalidEvent)) {
            fail("neither valid nor invalid: " + d);
        }
        return d;
    }
}
