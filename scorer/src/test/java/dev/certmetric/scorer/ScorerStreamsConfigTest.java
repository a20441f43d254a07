package dev.certmetric.scorer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The answer producer's batching under both guarantees. At a 1 ms linger and 16 KiB batches a saturated
 * at_least_once scorer sent about 33 answers per produce request, and the broker's work per request cost more CPU than
 * the scorer's stream thread spent on the Kafka side of each answer (BENCHMARKS.md section 4e).
 */
class ScorerStreamsConfigTest {

    @ParameterizedTest
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void answersAreSentInBatchesOfTensOfKilobytes(String guarantee) {
        try (ScorerService service = new ScorerService(ScorerSettings.defaults("127.0.0.1:1").withProcessing(guarantee, 100),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            Properties p = service.streamsConfig();
            assertEquals("5", p.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)));
            assertEquals("65536", p.get(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG)));
            String inFlight = (String) p.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
            if (guarantee.equals("exactly_once_v2")) {
                assertEquals("1", inFlight);
            } else {
                assertNull(inFlight);
            }
        }
    }
}
