package dev.certmetric.learner;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRangeTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final TopicPartition P2 = new TopicPartition("t", 2);

    @Test
    void takesExactlyNInProportionToWhatEachPartitionHolds() {
        Map<TopicPartition, Long> start = Map.of(P0, 10L, P1, 0L, P2, 5L);
        Map<TopicPartition, Long> end = Map.of(P0, 110L, P1, 50L, P2, 6L);
        EventRange r = EventRange.allocate(List.of(P0, P1, P2), start, end, 151, 100);
        assertEquals(100, r.size());
        for (TopicPartition tp : List.of(P0, P1, P2)) {
            assertTrue(r.stop().get(tp) >= start.get(tp) && r.stop().get(tp) <= end.get(tp));
        }
        assertEquals(start, r.start());
        EventRange all = EventRange.allocate(List.of(P0, P1, P2), start, end, 151, 151);
        assertEquals(end, all.stop());
    }
}
