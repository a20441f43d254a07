package dev.certmetric.scorer;

import dev.certmetric.kafka.SignatureHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scorer's Kafka Streams topology.
 *
 * <ol>
 *   <li>Snapshot intake: a global store {@value #SNAPSHOT_STORE} (model name -> last accepted
 *       snapshot bytes) fed from the snapshot topic through {@link SnapshotIntake}, which offers
 *       each record to the {@link ModelRegistry} and stores only what the registry accepted. Kafka
 *       Streams bootstraps global stores to the end of their topic (re-running this processor,
 *       since KAFKA-7663) before any stream task processes a record, so after a restart the latest
 *       good model is serving before the first request is read.</li>
 *   <li>Requests: {@link RequestProcessor} answers each request with the {@link Scorer} and the
 *       serving model, keyed by request id, to the score topic. A request that arrives while no
 *       model is loaded (e.g. the snapshot topic is still empty) is held, in arrival order, in the
 *       changelogged store {@value #HELD_STORE}, and answered as soon as a model appears: nothing
 *       is answered without a model and nothing is lost, even across restarts.</li>
 *   <li>Catalogue intake: a global store {@value #REFERENCE_STORE} (item id -> last kept record) fed from the
 *       references topic through {@link ReferenceIntake}, which applies each record to the {@link Catalogue}
 *       (and so to the serving model's index) and keeps only the records the catalogue kept. Read like the
 *       snapshots (read_committed, bootstrapped before any request is processed).</li>
 * </ol>
 */
public final class ScorerTopology {
    public static final String SNAPSHOT_STORE = "certmetric-snapshots";
    public static final String HELD_STORE = "certmetric-held-requests";
    public static final String REFERENCE_STORE = "certmetric-references";
    /** How often held requests are retried (wall clock). */
    public static final Duration DRAIN_INTERVAL = Duration.ofMillis(50);

    private static final Logger LOG = LoggerFactory.getLogger(ScorerTopology.class);

    private ScorerTopology() {
    }

    /**
     * @param held updated with the number of requests currently held (for a gauge)
     * @param heldTotal incremented for every request that had to be held
     */
    public static Topology build(ScorerSettings settings, ModelRegistry registry, Catalogue catalogue, Scorer scorer,
            AtomicLong held, AtomicLong heldTotal) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REFERENCE_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                settings.referencesTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("references-source"),
                () -> new ReferenceIntake(catalogue));
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SNAPSHOT_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                settings.snapshotTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("snapshot-source"),
                () -> new SnapshotIntake(registry));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HELD_STORE), Serdes.Long(),
                Serdes.ByteArray()));
        builder.stream(settings.requestTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("request-source"))
                .process(() -> new RequestProcessor(registry, scorer, held, heldTotal), HELD_STORE)
                .to(settings.scoreTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("score-sink"));
        return builder.build();
    }

    /** Offers snapshot records to the registry; keeps the accepted ones in the global store. */
    static final class SnapshotIntake implements Processor<String, byte[], Void, Void> {
        private final ModelRegistry registry;
        private KeyValueStore<String, byte[]> store;

        SnapshotIntake(ModelRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(SNAPSHOT_STORE);
            seed(registry, store);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            ModelRegistry.Outcome outcome = registry.offer(record.value(), SignatureHeaders.keyId(record.headers()),
                    SignatureHeaders.signature(record.headers()));
            if (outcome.accepted()) {
                store.put(outcome.model().name(), record.value());
            }
        }
    }

    /** Applies catalogue records; keeps in the global store exactly the records the catalogue kept. */
    static final class ReferenceIntake implements Processor<String, byte[], Void, Void> {
        private final Catalogue catalogue;
        private KeyValueStore<String, byte[]> store;

        ReferenceIntake(Catalogue catalogue) {
            this.catalogue = catalogue;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(REFERENCE_STORE);
            // After a restart with the state directory the records up to the store's checkpoint are not read again;
            // the store holds them. (Restoring re-runs this processor: a second init finds the catalogue loaded.)
            if (catalogue.size() > 0) {
                return;
            }
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    catalogue.offer(kv.key, kv.value);
                }
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (catalogue.offer(record.key(), record.value())) {
                store.put(record.key(), record.value());
            } else if (record.key() != null) {
                store.delete(record.key());
            }
        }
    }

    /** Loads the stored (previously accepted, so already verified) snapshot into an empty registry. */
    static void seed(ModelRegistry registry, KeyValueStore<String, byte[]> store) {
        if (registry.current() != null || store == null) {
            return;
        }
        String name = registry.modelName();
        if (name != null) {
            byte[] bytes = store.get(name);
            if (bytes != null) {
                registry.offer(bytes);
            }
            return;
        }
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext() && registry.current() == null) {
                registry.offer(it.next().value);
            }
        }
    }

    /** Answers requests; holds them while no model is loaded. */
    static final class RequestProcessor implements Processor<byte[], byte[], String, byte[]> {
        private final ModelRegistry registry;
        private final Scorer scorer;
        private final AtomicLong heldGauge;
        private final AtomicLong heldTotal;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<Long, byte[]> held;
        private KeyValueStore<String, byte[]> snapshots;
        private long nextSeq;
        private long heldCount;

        RequestProcessor(ModelRegistry registry, Scorer scorer, AtomicLong heldGauge, AtomicLong heldTotal) {
            this.registry = registry;
            this.scorer = scorer;
            this.heldGauge = heldGauge;
            this.heldTotal = heldTotal;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.held = context.getStateStore(HELD_STORE);
            this.snapshots = context.getStateStore(SNAPSHOT_STORE);
            long max = -1;
            long count = 0;
            try (KeyValueIterator<Long, byte[]> it = held.all()) {
                while (it.hasNext()) {
                    max = Math.max(max, it.next().key);
                    count++;
                }
            }
            nextSeq = max + 1;
            setHeld(count);
            if (count > 0) {
                LOG.info("{} request(s) held from before the restart, waiting for a model", count);
            }
            context.schedule(DRAIN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, ts -> drain());
        }

        private void setHeld(long count) {
            heldGauge.addAndGet(count - heldCount);
            heldCount = count;
        }

        private ServingModel model() {
            ServingModel m = registry.current();
            if (m == null) {
                seed(registry, snapshots);
                m = registry.current();
            }
            return m;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            byte[] key = scorer.limits().boundedKey(record.key());
            ServingModel model = model();
            // An oversized request is refused at once, model or not: held, it would overflow the changelog.
            boolean tooLarge = record.value() != null && record.value().length > scorer.limits().maxRequestBytes();
            if (!tooLarge && (model == null || heldCount > 0)) {
                held.put(nextSeq++, encode(key, record.value()));
                setHeld(heldCount + 1);
                heldTotal.incrementAndGet();
                if (heldCount == 1) {
                    LOG.info("no model loaded yet: holding requests until one arrives");
                }
                drain();
                return;
            }
            answer(key, record.value(), model, record.timestamp());
        }

        private void drain() {
            if (heldCount == 0) {
                return;
            }
            ServingModel model = model();
            if (model == null) {
                return;
            }
            List<KeyValue<Long, byte[]>> batch = new ArrayList<>();
            try (KeyValueIterator<Long, byte[]> it = held.all()) {
                while (it.hasNext()) {
                    batch.add(it.next());
                }
            }
            long now = System.currentTimeMillis();
            for (KeyValue<Long, byte[]> kv : batch) {
                ByteBuffer buf = ByteBuffer.wrap(kv.value);
                byte[] key = readChunk(buf);
                byte[] value = readChunk(buf);
                answer(key, value, model, now);
                held.delete(kv.key);
            }
            LOG.info("answered {} held request(s) with {} v{}", batch.size(), model.name(), model.version());
            setHeld(0);
        }

        private void answer(byte[] key, byte[] value, ServingModel model, long timestamp) {
            Scorer.Answer answer = scorer.answer(value, model, "kafka");
            String outKey = answer.id() != null ? answer.id()
                    : key == null ? null : scorer.bounded(new String(key, StandardCharsets.UTF_8));
            context.forward(new Record<>(outKey, answer.json(), timestamp));
        }

        private static byte[] encode(byte[] key, byte[] value) {
            int size = 8 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
            ByteBuffer buf = ByteBuffer.allocate(size);
            writeChunk(buf, key);
            writeChunk(buf, value);
            return buf.array();
        }

        private static void writeChunk(ByteBuffer buf, byte[] chunk) {
            buf.putInt(chunk == null ? -1 : chunk.length);
            if (chunk != null) {
                buf.put(chunk);
            }
        }

        private static byte[] readChunk(ByteBuffer buf) {
            int n = buf.getInt();
            if (n < 0) {
                return null;
            }
            byte[] out = new byte[n];
            buf.get(out);
            return out;
        }
    }
}
