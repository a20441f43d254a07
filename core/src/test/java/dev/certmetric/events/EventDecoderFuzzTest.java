package dev.certmetric.events;

import dev.certmetric.testing.FuzzBytes;
import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzing with fixed seeds (plain JUnit loops): arbitrary bytes, mutated events and valid-but-extreme
 * events. The decoder never throws; what it accepts keeps every bound, and the running statistics
 * and the preprocessing of accepted events stay finite.
 */
class EventDecoderFuzzTest {
    private static final String[] EXTREME = {"1e140", "-1e140", "9.99e139", "1e-320", "-4.9e-324", "0", "-0.0",
            "1.7976931348623157e308", "1e141", "1e400", "-1e400", "123456789012345678901234567890", "1E+140"};
    private static final String[] LABELS = {"\"\"", "\" \"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"",
            "\"x\"", "0", "-1.5e3", "true", "null", "\"\\t\"", "\"" + "l".repeat(300) + "\"", "\"\u00e9\u4e2d\""};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void arbitraryAndMutatedBytesNeverThrow(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        EventDecoder decoder = EventDecoder.anyDimension();
        byte[] valid = "{\"id\":\"e1\",\"label\":\"a\",\"features\":[1.5,-2,3e10],\"ts\":17}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = i % 2 == 0 ? FuzzBytes.random(r, 200)
                    : FuzzBytes.mutate(r, valid, "{}[],:\"0123456789.eE-+ \\nNaI");
            check(decoder, bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void validButExtremeEventsKeepTheStatisticsFinite(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        EventDecoder decoder = EventDecoder.forDimension(3);
        OnlineStandardizer stats = new OnlineStandardizer(3);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            String label = LABELS[r.nextInt(LABELS.length)];
            String json = "{\"id\":\"e" + i + "\",\"label\":" + label + ",\"features\":[" + EXTREME[r.nextInt(EXTREME.length)]
                    + "," + EXTREME[r.nextInt(EXTREME.length)] + "," + EXTREME[r.nextInt(EXTREME.length)] + "]}";
            if (check(decoder, json.getBytes(StandardCharsets.UTF_8)) instanceof Decoded.Valid v) {
                accepted++;
                stats.update(v.event().features());
                Standardizer s = stats.current();
                for (double m : s.mean()) {
                    assertTrue(Double.isFinite(m), json);
                }
                for (double sd : s.std()) {
                    assertTrue(Double.isFinite(sd), json);
                }
                for (double z : s.apply(v.event().features())) {
                    assertTrue(Double.isFinite(z) && Math.abs(z) <= 1 + 1e-12, json);
                }
            }
        }
        assertTrue(accepted > 500, "enough valid events: " + accepted);
    }

    private static Decoded check(EventDecoder decoder, byte[] bytes) {
        Decoded d;
        try {
            d = decoder.decode(bytes);
        } catch (RuntimeException e) {
            throw new AssertionError("decode threw on " + new String(bytes, StandardCharsets.UTF_8), e);
        }
        if (d instanceof Decoded.Valid v) {
            LabeledEvent e = v.event();
            if (e.label().isBlank() || e.label().codePointCount(0, e.label().length()) > decoder.maxLabelChars()
                    || e.label().chars().anyMatch(c -> Character.isISOControl(c))
                    || e.id().codePointCount(0, e.id().length()) > decoder.maxIdChars()) {
                fail("accepted a label or id out of bounds: " + e);
            }
            for (double x : e.features()) {
                assertTrue(Math.abs(x) <= OnlineStandardizer.MAX_ABS_FEATURE, e.toString());
            }
        } else if (!(d instanceof InvalidEvent)) {
            fail("neither valid nor invalid: " + d);
        }
        return d;
    }
}
