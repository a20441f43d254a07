package dev.certmetric.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo's rate over the stream's second half, from the snapshots' event counts and arrival times. */
class DemoRateTest {
    private static DemoReport.Point at(double seconds, long events) {
        return new DemoReport.Point(seconds, 1, events, 0.9, 0, 0, 0);
    }

    @Test
    void theSecondHalfStartsAtTheFirstSnapshotPastHalfTheEvents() {
        // 20,000 events: the first snapshot at or past 10,000 came at 6 s, the last at 8 s.
        assertEquals(" (5000 events/s over the second half)",
                DemoCommand.secondHalfRate(List.of(at(3, 200), at(5, 6_000), at(6, 10_000), at(7, 15_000), at(8, 20_000))));
        assertEquals("", DemoCommand.secondHalfRate(List.of(at(3, 200), at(8, 20_000))), "too few snapshots");
        assertEquals("", DemoCommand.secondHalfRate(List.of(at(3, 200), at(5, 100), at(8, 20_000))),
                "no snapshot between the half and the end");
    }
}
