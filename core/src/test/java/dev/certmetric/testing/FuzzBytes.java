package dev.certmetric.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * jqwik arbitraries shared by the property tests of every parser (event decoder, snapshot codec,
 * scoring requests): arbitrary bytes, valid records with a few byte edits, and doubles at the edge of
 * a bound. Edits are kept as values (kind, position, byte) rather than applied eagerly, so that jqwik
 * can shrink a failing input to the fewest, simplest edits.
 */
public final class FuzzBytes {
    private FuzzBytes() {
    }

    /** Between 0 and {@code maxLength} arbitrary bytes. */
    public static Arbitrary<byte[]> arbitrary(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /** One byte edit of a record; {@code at} is reduced modulo the record's length when applied. */
    public record Edit(Kind kind, int at, byte value) {
    }

    /** How an edit changes the record. */
    public enum Kind { REPLACE, INSERT, DELETE, TRUNCATE }

    /**
     * {@code valid} records with one to four edits: a byte replaced or inserted (three times in four a
     * character of {@code alphabet}, the syntax that matters to the parser, otherwise any byte), a byte
     * deleted, or the record cut short.
     */
    public static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid, String alphabet) {
        byte[] syntax = alphabet.getBytes(StandardCharsets.UTF_8);
        Arbitrary<Byte> value = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(boxed(syntax))),
                Tuple.of(1, Arbitraries.bytes()));
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 1 << 20), value).as(Edit::new);
        return Combinators.combine(valid, edit.list().ofMinSize(1).ofMaxSize(4)).as(FuzzBytes::apply);
    }

    /** {@code record} with the edits applied in order. */
    public static byte[] apply(byte[] record, List<Edit> edits) {
        byte[] b = record;
        for (Edit e : edits) {
            int n = b.length;
            switch (e.kind()) {
                case REPLACE -> {
                    if (n > 0) {
                        b = b.clone();
                        b[e.at() % n] = e.value();
                    }
                }
                case INSERT -> {
                    int at = e.at() % (n + 1);
                    byte[] c = new byte[n + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = e.value();
                    System.arraycopy(b, at, c, at + 1, n - at);
                    b = c;
                }
                case DELETE -> {
                    if (n > 0) {
                        int at = e.at() % n;
                        byte[] c = new byte[n - 1];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + 1, c, at, n - 1 - at);
                        b = c;
                    }
                }
                case TRUNCATE -> b = Arrays.copyOf(b, e.at() % (n + 1));
            }
        }
        return b;
    }

    /**
     * Doubles in [-bound, bound] that stress arithmetic: the bound itself, subnormals, zero, uniform
     * values, and values spread over every decade from 1e-300 up to the bound; either sign.
     */
    public static Arbitrary<Double> extreme(double bound) {
        Arbitrary<Double> magnitude = Arbitraries.oneOf(List.of(
                Arbitraries.just(bound),
                Arbitraries.integers().between(1, 1000).map(k -> Double.MIN_VALUE * k),
                Arbitraries.just(0.0),
                Arbitraries.doubles().between(0, bound),
                Arbitraries.doubles().between(-300, Math.log10(bound)).map(e -> Math.min(bound, Math.pow(10, e)))));
        return Combinators.combine(magnitude, Arbitraries.of(1.0, -1.0)).as((m, sign) -> m * sign);
    }

    /**
     * A JSON string literal for {@code s}: quote, backslash, control characters and every surrogate are
     * written as escapes, so that unpaired surrogates reach the parser as JSON escapes (a UTF-8 encoder
     * would replace them); other characters are written as they are.
     */
    public static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static Byte[] boxed(byte[] bytes) {
        Byte[] boxed = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            boxed[i] = bytes[i];
        }
        return boxed;
    }
}
