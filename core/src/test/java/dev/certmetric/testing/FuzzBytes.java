package dev.certmetric.testing;

import java.util.SplittableRandom;

/** Inputs for the fixed-seed fuzz tests of every parser: arbitrary bytes, and valid records lightly mutated. */
public final class FuzzBytes {
    private FuzzBytes() {
    }

    /** Between 0 and {@code maxLength - 1} uniformly random bytes. */
    public static byte[] random(SplittableRandom r, int maxLength) {
        byte[] bytes = new byte[r.nextInt(0, maxLength)];
        for (int j = 0; j < bytes.length; j++) {
            bytes[j] = (byte) r.nextInt(256);
        }
        return bytes;
    }

    /** A copy of {@code valid} with one to three bytes replaced by characters of {@code alphabet}. */
    public static byte[] mutate(SplittableRandom r, byte[] valid, String alphabet) {
        byte[] bytes = valid.clone();
        for (int m = r.nextInt(1, 4); m > 0; m--) {
            bytes[r.nextInt(bytes.length)] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return bytes;
    }
}
