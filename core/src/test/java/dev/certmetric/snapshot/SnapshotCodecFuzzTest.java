package dev.certmetric.snapshot;

import dev.certmetric.preprocess.OnlineStandardizer;
import dev.certmetric.preprocess.Standardizer;
import dev.certmetric.testing.FuzzBytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Properties of the snapshot codec (jqwik, fixed seeds, bounded tries): the decoder throws nothing but
 * {@link SnapshotFormatException} on arbitrary bytes, on valid encodings with byte edits, and on
 * bodies with numbers replaced by out-of-range tokens and re-sealed with a correct checksum (so the
 * edits reach the field validation, as a forged snapshot would); and a snapshot with every number at
 * or near its bound round-trips bit for bit.
 */
class SnapshotCodecFuzzTest {
    private static final byte[] EXAMPLE = SnapshotCodec.encode(SnapshotFixtures.example());
    private static final String BODY = body(EXAMPLE);
    private static final List<String> TOKENS = List.of("1e400", "-1e400", "1e7", "1e200", "-0.0", "4.9e-324", "1e140",
            "1e141", "\"\"", "null", "[]", "{}", "true", "9223372036854775808", "-1", "0", "\"\\u0000\"", "[1e300]",
            "1000001", "NaN");

    @Property(tries = 2000, seed = "201")
    void arbitraryBytesOnlyEverGiveAFormatError(@ForAll("arbitraryBytes") byte[] bytes) {
        decode(bytes);
    }

    @Property(tries = 2000, seed = "202")
    void editedEncodingsOnlyEverGiveAFormatError(@ForAll("editedEncodings") byte[] bytes) {
        decode(bytes);
    }

    @Property(tries = 2000, seed = "203")
    void resealedBodiesOnlyEverGiveAFormatError(@ForAll("resealedBodies") byte[] bytes) {
        decode(bytes);
    }

    @Property(tries = 300, seed = "204")
    void snapshotsAtTheBoundsRoundTrip(@ForAll("extremeSnapshots") MetricSnapshot s) {
        assertEquals(s, SnapshotCodec.decode(SnapshotCodec.encode(s)));
    }

    /** The re-sealing the properties rely on is faithful: the unedited body decodes to the example. */
    @Example
    void resealingTheUneditedBodyGivesTheExample() {
        assertEquals(SnapshotFixtures.example(), SnapshotCodec.decode(seal(BODY)));
    }

    @Example
    void numbersOverTheBoundsAreRejectedNamingTheField() {
        MetricSnapshot s = SnapshotFixtures.example();
        double[] l = s.l();
        l[1] = 1e200; // finite, but M = L^T L would overflow
        assertFormatError(s.toBuilder().l(s.q(), s.p(), l).build(), "L");
        double[] big = {2e6, 0, 0};
        assertFormatError(s.toBuilder().exemplars(List.of(new Exemplar("setosa", big))).build(), "features");
        assertFormatError(s.toBuilder().preprocessing(new Standardizer(
                new double[] {1e150, 0, 0}, new double[] {1, 1, 1})).build(), "mean");
    }

    @Provide
    Arbitrary<byte[]> arbitraryBytes() {
        return FuzzBytes.arbitrary(400);
    }

    @Provide
    Arbitrary<byte[]> editedEncodings() {
        return FuzzBytes.mutated(Arbitraries.just(EXAMPLE), "{}[],:\"0123456789.eE-+ \\nul");
    }

    /** The example's body with one to three numbers replaced by tokens, or with byte edits, re-sealed. */
    @Provide
    Arbitrary<byte[]> resealedBodies() {
        Arbitrary<Tuple.Tuple2<Integer, String>> replacement = Combinators.combine(
                Arbitraries.integers().between(0, BODY.length() - 1), Arbitraries.of(TOKENS)).as(Tuple::of);
        Arbitrary<String> replaced = replacement.list().ofMinSize(1).ofMaxSize(3).map(rs -> {
            String b = BODY;
            for (Tuple.Tuple2<Integer, String> r : rs) {
                b = replaceNumber(b, r.get1() % b.length(), r.get2());
            }
            return b;
        });
        Arbitrary<String> edited = FuzzBytes.mutated(Arbitraries.just(BODY.getBytes(StandardCharsets.UTF_8)),
                "{}[],:\"0123456789.eE-+ \\nul").map(b -> new String(b, StandardCharsets.UTF_8));
        return Arbitraries.oneOf(List.of(replaced, edited)).map(SnapshotCodecFuzzTest::seal);
    }

    /** Snapshots of 1 to 6 features with L, exemplars, means and stds drawn up to their bounds. */
    @Provide
    Arbitrary<MetricSnapshot> extremeSnapshots() {
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 6))
                .as((p, q) -> Tuple.of(p, Math.min(p, q))).flatMap(pq -> {
                    int p = pq.get1();
                    int q = pq.get2();
                    Arbitrary<double[]> l = FuzzBytes.extreme(MetricSnapshot.MAX_ABS_L).array(double[].class).ofSize(q * p);
                    Arbitrary<double[]> mean = FuzzBytes.extreme(OnlineStandardizer.MAX_ABS_FEATURE).array(double[].class).ofSize(p);
                    Arbitrary<double[]> std = FuzzBytes.extreme(OnlineStandardizer.MAX_ABS_FEATURE).map(Math::abs)
                            .array(double[].class).ofSize(p);
                    Arbitrary<List<Exemplar>> exemplars = Combinators.combine(Arbitraries.of("a", "b"),
                            FuzzBytes.extreme(MetricSnapshot.MAX_ABS_EXEMPLAR).array(double[].class).ofSize(p))
                            .as(Exemplar::new).list().ofMinSize(1).ofMaxSize(6);
                    return Combinators.combine(l, mean, std, exemplars).as((ll, m, s, ex) -> {
                        MetricSnapshot base = SnapshotFixtures.example();
                        return base.toBuilder().l(q, p, ll).preprocessing(new Standardizer(m, s)).hyperparameters(SnapshotFixtures.hyperparameters(q, 10))
                                .classes(List.of("a", "b")).exemplars(new ArrayList<>(ex))
                                .createdAt(Instant.ofEpochSecond(1_700_000_000L, 1)).build();
                    });
                });
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

    /** Replaces the first bare JSON number at or after {@code from} (wrapping around) by a token. */
    private static String replaceNumber(String body, int from, String token) {
        for (int k = 0; k < body.length(); k++) {
            int at = (from + k) % body.length();
            char c = body.charAt(at);
            if (Character.isDigit(c) && at > 0 && body.charAt(at - 1) != '"' && !Character.isLetter(body.charAt(at - 1))) {
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

    /** The body of an encoded snapshot: what follows {@code "body":} up to the envelope's closing brace. */
    private static String body(byte[] encoded) {
        String s = new String(encoded, StandardCharsets.UTF_8);
        int at = s.indexOf("\"body\":") + "\"body\":".length();
        return s.substring(at, s.lastIndexOf('}'));
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
