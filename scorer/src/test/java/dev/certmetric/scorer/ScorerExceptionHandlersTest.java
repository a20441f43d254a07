package dev.certmetric.scorer;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handlers answer a failed request with a small error answer on the score topic and go on. */
class ScorerExceptionHandlersTest {
    private static final Map<String, Object> CONFIG = Map.of(ScorerExceptionHandlers.REQUEST_TOPIC, "req",
            ScorerExceptionHandlers.SCORE_TOPIC, "scores", ScorerExceptionHandlers.MAX_ID_CHARS, "8");

    private static ErrorHandlerContext context(String topic, byte[] key) {
        return new ErrorHandlerContext() {
            public String topic() { return topic; }
            public int partition() { return 0; }
            public long offset() { return 42; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return "p"; }
            public TaskId taskId() { return new TaskId(0, 0); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return key; }
            public byte[] sourceRawValue() { return null; }
        };
    }

    @Test
    void aRefusedAnswerBecomesAnErrorAnswerWithACutKey() {
        ScorerExceptionHandlers.Production h = new ScorerExceptionHandlers.Production();
        h.configure(CONFIG);
        ProductionExceptionHandler.Response r = h.handleError(context("req", "k".repeat(100).getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>("scores", new byte[0], new byte[3 << 20]), new RecordTooLargeException("big"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> answer = r.deadLetterQueueRecords().get(0);
        assertEquals("scores", answer.topic());
        assertEquals(32, answer.key().length, "4 bytes per allowed id character");
        assertTrue(new String(answer.value(), StandardCharsets.UTF_8).contains("req-0@42 could not be answered"));

        // the error answer itself failing is not answered again; retriable errors are retried
        assertEquals(0, h.handleError(context("req", null), answer, new RecordTooLargeException("x"))
                .deadLetterQueueRecords().size());
        assertEquals(ProductionExceptionHandler.Result.RETRY, h.handleError(context("req", null),
                new ProducerRecord<>("scores", new byte[0], new byte[1]), new TimeoutException("t")).result());
    }

    @Test
    void aProcessingFailureOfARequestIsAnswered() {
        ScorerExceptionHandlers.Processing h = new ScorerExceptionHandlers.Processing();
        h.configure(CONFIG);
        ProcessingExceptionHandler.Response r = h.handleError(context("req", "id".getBytes(StandardCharsets.UTF_8)),
                new Record<>("id", "x", 0), new IllegalStateException("boom"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals("scores", r.deadLetterQueueRecords().get(0).topic());
        ProcessingExceptionHandler.Response snapshot = h.handleError(context("snapshots", null), new Record<>("m", "x", 0),
                new IllegalStateException("boom"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, snapshot.result());
        assertEquals(0, snapshot.deadLetterQueueRecords().size(), "no answer for what is not a request");
    }
}
