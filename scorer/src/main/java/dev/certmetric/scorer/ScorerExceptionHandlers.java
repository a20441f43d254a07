package dev.certmetric.scorer;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The scorer's Kafka Streams error handlers: a request whose processing or whose answer fails gets an
 * error answer on the score topic instead of stopping the stream thread (which, under the default
 * handlers, fails again on the same request after every restart). Configured by class name; the
 * topics and the id bound come in through the {@code certmetric.*} entries of the Streams config.
 */
final class ScorerExceptionHandlers {
    static final String REQUEST_TOPIC = "certmetric.requests.topic";
    static final String SCORE_TOPIC = "certmetric.scores.topic";
    static final String MAX_ID_CHARS = "certmetric.max-id-chars";
    /** Marks an answer written by a handler, so that a failing error answer is not answered again. */
    static final String ERROR_ANSWER_HEADER = "certmetric.error-answer";
    private static final Logger LOG = LoggerFactory.getLogger(ScorerExceptionHandlers.class);

    private ScorerExceptionHandlers() {
    }

    /** Where handlers answer, read from the Streams config. */
    private record Target(String requests, String scores, int maxIdChars) {
        static Target of(Map<String, ?> configs) {
            return new Target(String.valueOf(configs.get(REQUEST_TOPIC)), String.valueOf(configs.get(SCORE_TOPIC)),
                    Integer.parseInt(String.valueOf(configs.get(MAX_ID_CHARS))));
        }

        /** An error answer to the request being processed, keyed by its (cut) record key. */
        List<ProducerRecord<byte[], byte[]>> errorAnswer(ErrorHandlerContext ctx, Exception e) {
            byte[] key = ScorerLimits.boundedKey(ctx.sourceRawKey(), maxIdChars);
            String message = "the request at " + ctx.topic() + "-" + ctx.partition() + "@" + ctx.offset()
                    + " could not be answered: " + e.getClass().getSimpleName();
            RecordHeaders headers = new RecordHeaders();
            headers.add(ERROR_ANSWER_HEADER, "true".getBytes(StandardCharsets.UTF_8));
            return List.of(new ProducerRecord<>(scores, null, key, Scorer.error(null, "internal", message).json(), headers));
        }
    }

    /** An exception thrown while processing a record: answer it with an error and go on. */
    public static final class Processing implements ProcessingExceptionHandler {
        private Target target;

        @Override
        public void configure(Map<String, ?> configs) {
            target = Target.of(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
            LOG.warn("processing {}-{}@{} failed; answering with an error and going on", ctx.topic(), ctx.partition(),
                    ctx.offset(), e);
            return target.requests().equals(ctx.topic()) ? Response.resume(target.errorAnswer(ctx, e)) : Response.resume();
        }
    }

    /** An answer the producer refused (e.g. too large): answer with a small error instead and go on. */
    public static final class Production implements ProductionExceptionHandler {
        private Target target;

        @Override
        public void configure(Map<String, ?> configs) {
            target = Target.of(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
            if (e instanceof RetriableException) {
                return Response.retry();
            }
            LOG.warn("writing to {} failed for the request at {}-{}@{}; going on", record.topic(), ctx.topic(),
                    ctx.partition(), ctx.offset(), e);
            boolean answerFailed = target.scores().equals(record.topic())
                    && record.headers().lastHeader(ERROR_ANSWER_HEADER) == null;
            return answerFailed ? Response.resume(target.errorAnswer(ctx, e)) : Response.resume();
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext ctx, ProducerRecord record, Exception e,
                SerializationExceptionOrigin origin) {
            LOG.warn("serialising a record for {} failed; going on", record.topic(), e);
            return Response.resume();
        }
    }
}
