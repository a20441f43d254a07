package dev.certmetric.scorer;

import dev.certmetric.config.CertmetricConfig;

/**
 * The bounds that keep one client from stopping the scorer for the others (config keys {@code scorer.*}).
 *
 * @param maxIdChars longest request id in Unicode code points; a longer one gets an error answer with the id cut
 * @param maxRequestBytes largest request (Kafka record value or HTTP body) in bytes
 * @param httpThreads HTTP handler threads; 0 = two per available processor
 * @param httpMaxConnections open HTTP connections at most
 * @param httpIdleTimeoutMs an HTTP connection idle, or a request stalled, this long is closed
 * @param maxSearchK largest k of a catalogue search request
 */
public record ScorerLimits(int maxIdChars, int maxRequestBytes, int httpThreads, int httpMaxConnections,
        int httpIdleTimeoutMs, int maxSearchK) {
    /** The k of a search request that names none, at most {@link #maxSearchK()}. */
    public static final int DEFAULT_SEARCH_K = 10;

    /** The defaults of {@code config/certmetric.yaml}. */
    public static final ScorerLimits DEFAULT = of(CertmetricConfig.defaults());

    public ScorerLimits {
        if (maxIdChars < 1 || maxRequestBytes < 1 || httpThreads < 0 || httpMaxConnections < 1 || httpIdleTimeoutMs < 1
                || maxSearchK < 1) {
            throw new IllegalArgumentException("scorer limits must be positive (threads >= 0)");
        }
    }

    public static ScorerLimits of(CertmetricConfig c) {
        return new ScorerLimits(c.scorerMaxIdChars(), c.scorerMaxRequestBytes(), c.scorerHttpThreads(),
                c.scorerHttpMaxConnections(), c.scorerHttpIdleTimeoutMs(), c.scorerMaxSearchK());
    }

    /** A record key cut for use as an answer key: at most 4 bytes (UTF-8) per allowed id code point. */
    public byte[] boundedKey(byte[] key) {
        return boundedKey(key, maxIdChars);
    }

    static byte[] boundedKey(byte[] key, int maxIdChars) {
        int max = 4 * maxIdChars;
        return key == null || key.length <= max ? key : java.util.Arrays.copyOf(key, max);
    }

    /** The k of a search request without "k". */
    public int defaultSearchK() {
        return Math.min(DEFAULT_SEARCH_K, maxSearchK);
    }

    /** The HTTP handler pool size: the configured one, or two per available processor. */
    public int effectiveHttpThreads() {
        return httpThreads > 0 ? httpThreads : 2 * Runtime.getRuntime().availableProcessors();
    }
}
