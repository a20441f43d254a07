package dev.certmetric.snapshot;

import dev.certmetric.testing.FuzzBytes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzing with fixed seeds (plain JUnit loops): the decoder throws nothing but
 * {@link SnapshotFormatException}, on arbitrary bytes and on mutated bodies re-sealed with a correct
 * checksum (so the mutations reach the field validation, as a forged snapshot would).
 */
class SnapshotCodecFuzzTest {
    private static final String[] TOKENS = {"1e400", "-1e400", "1e7", "1e200", "-0.0", "4.9e-324", "1e140", "1e141",
            "\"\"", "null", "[]", "{}", "true", "9223372036854775808", "-1", "0", "\"\\u0000\"", "[1e300]"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void arbitraryBytesOnlyEverGiveAFormatError(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] example = SnapshotCodec.encode(SnapshotFixtures.example());
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = i % 2 == 0 ? FuzzBytes.random(r, 300)
                    : Arrays.copyOf(example, r.nextInt(example.length + 1));
            decode(bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 4})
    void resealedMutationsOnlyEverGiveAFormatError(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] example = SnapshotCodec.encode(SnapshotFixtures.example());
        String body = new String(example, 104, example.length - 105, StandardCharsets.UTF_8);
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            String mutated = body;
            for (int m = r.nextInt(1, 3); m > 0; m--) {
                mutated = replaceNumber(mutated, r, TOKENS[r.nextInt(TOKENS.length)]);
            }
            if (decode(seal(mutated)) != null) {
                accepted++;
            }
        }
        // sanity: the unmutated body, re-sealed, decodes to the example
        assertEquals(SnapshotFixtures.example(), SnapshotCodec.decode(seal(body)));
        System.out.println("resealed mutations accepted: " + accepted + " of 5000");
    }

    @ParameterizedTest
    @ValueSource(longs = {5})
    void numbersOverTheBoundsAreRejected(long seed) {
        MetricSnapshot s = SnapshotFixtures.example();
        double[] l = s.l();
        l[1] = 1e200; // finite, but M = L^T L would overflow
        assertFormatError(s.toBuilder().l(s.q(), s.p(), l).build(), "L");
        double[] big = {2e6, 0, 0};
        assertFormatError(s.toBuilder().exemplars(java.util.List.of(new Exemplar("setosa", big))).build(), "features");
        assertFormatError(s.toBuilder().preprocessing(new dev.certmetric.preprocess.Standardizer(
                new double[] {1e150, 0, 0}, new double[] {1, 1, 1})).build(), "mean");
    }

    private static void assertFormatError(MetricSnapshot s, String field) {
        try {
            SnapshotCodec.decode(SnapshotCodec.encode(s));
        } catch (SnapshotFormatException e) {
            if (!e.getMessage().contains(field)) {
                throw new AssertionError("message does not name " + field + ": " + e.getMessage());
            }
            return;
        }
        throw new AssertionError("accepted a snapshot with " + field + " over its bound");
    }

    /** Replaces one JSON number of the body by a token. */
    private static String replaceNumber(String body, SplittableRandom r, String token) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int at = r.nextInt(body.length());
            char c = body.charAt(at);
            if (Character.isDigit(c) && body.charAt(at - 1) != '"' && !Character.isLetter(body.charAt(at - 1))) {
                int start = at;
                while (start > 0 && "0123456789.eE-+".indexOf(body.charAt(start - 1)) >= 0) {
                    start--;
                }
                int end = at;
                while (end < body.length() && "0123456789.eE-+".indexOf(body.charAt(end)) >= 0) {
                    end++;
                }
                return body.substring(0, start) + token + body.substring(end);
            }
        }
        return body;
    }

    private static byte[] seal(String body) {
        try {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            return ("{\"schemaVersion\":1,\"checksum\":\"" + sum + "\",\"body\":" + body + "}").getBytes(StandardCharsets.UTF_8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MetricSnapshot decode(byte[] bytes) {
        try {
            return SnapshotCodec.decode(bytes);
        } catch (SnapshotFormatException expected) {
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError("decode threw " + e + " on " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }
}
