package dev.certmetric.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code bench-score}'s CPU split of a Kafka run: the scorer's threads by application id, its own client, the broker. */
class BenchScoreCpuTest {

    @Test
    void splitsTheProcessByRole() {
        long self = Thread.currentThread().getId();
        Map<Long, String> names = Map.of(
                101L, "bench-abc-at-least-once-1f2e-StreamThread-1",
                102L, "kafka-producer-network-thread | bench-abc-at-least-once-1f2e-StreamThread-1-producer",
                103L, "bench-abc-at-least-once-1f2e-GlobalStreamThread",
                104L, "kafka-producer-network-thread | bench-client",
                105L, "data-plane-kafka-request-handler-0",
                106L, "bench-abc-exactly-once-v2-9a8b-StreamThread-1",
                self, "main");
        ScoreBenchmark.ThreadCpu before = new ScoreBenchmark.ThreadCpu(1_000_000_000L, 100, 10,
                Map.of(101L, 500_000_000L, 102L, 0L, 103L, 0L, 104L, 0L, 105L, 0L, 106L, 0L, self, 0L), names);
        // thread 107 (a broker thread) started during the run: all of its CPU counts
        Map<Long, String> namesAfter = new java.util.HashMap<>(names);
        namesAfter.put(107L, "data-plane-kafka-request-handler-1");
        ScoreBenchmark.ThreadCpu after = new ScoreBenchmark.ThreadCpu(11_000_000_000L, 1100, 260,
                Map.of(101L, 4_500_000_000L, 102L, 1_000_000_000L, 103L, 500_000_000L, 104L, 250_000_000L, 105L, 1_000_000_000L,
                        106L, 2_000_000_000L, self, 250_000_000L, 107L, 500_000_000L),
                namesAfter);
        ScoreBenchmark.ThreadCpu.Use use = after.since(before, "bench-abc-at-least-once-1f2e");
        assertEquals(10.0, use.process(), 1e-9);
        assertEquals(5.5, use.scorer(), 1e-9);
        assertEquals(4.0, use.streamThreads(), 1e-9);
        assertEquals(0.5, use.client(), 1e-9);
        // the other guarantee's scorer (106) is not this one's
        assertEquals(3.5, use.others(), 1e-9);
        assertEquals(1.0, use.compile(), 1e-9);
        assertEquals(0.25, use.gc(), 1e-9);
    }
}
