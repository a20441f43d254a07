package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.snapshot.SnapshotCodec;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The single (parallelism 1) place where versions are assigned: keeps the latest state of every
 * learner lineage, and at every checkpoint if anything was learned, at end of input, and if configured every
 * {@code snapshots.every-updates} gradient steps (summed over lineages) and every {@code snapshots.every-millis} ms,
 * merges them ({@link ModelMerger}) into a {@link MetricSnapshot} with the next version.
 *
 * <p>The snapshot of a checkpoint is emitted before the barrier (every worker sends its changed state
 * before its own barrier), so it is in the Kafka transaction that checkpoint commits: the last
 * committed snapshot counts exactly the events before the last completed checkpoint, whose source
 * offsets a restart without Flink state resumes from.
 *
 * <p>The last version is checkpointed, so it only grows across failovers (a snapshot emitted after
 * the last completed checkpoint belongs to an aborted Kafka transaction and is emitted again, with
 * the same version, after the restore). On a fresh start it continues above the highest committed
 * version of this model in the snapshots topic, so it also only grows across restarts; on a restore
 * it takes the larger of the checkpointed and the committed version (an old savepoint must not
 * reissue versions a newer run has published). On a fresh start it also holds the seed lineage
 * ({@link SnapshotSeed}) until worker 0 reports it, so no snapshot counts fewer events than the seed.
 *
 * <p>Its state holds every lineage as the bytes its worker sent ({@link WorkerModel#toBytes}), so that Flink's
 * copy of it before a checkpoint is an array copy.
 */
public final class SnapshotPublisherOperator extends AbstractStreamOperator<SnapshotRecord>
        implements OneInputStreamOperator<WorkerUpdate, SnapshotRecord> {
    private static final long serialVersionUID = 1L;

    private final CertmetricConfig config;
    private transient ListState<Long> versionState;
    private transient ListState<byte[]> lineageState;
    private transient Map<Long, WorkerModel> lineages;
    /** Each lineage's {@link WorkerModel#toBytes}, as its worker sent it. */
    private transient Map<Long, byte[]> lineageBytes;
    private transient long version;
    private transient long eventsAtLastPublish;
    private transient long updatesAtLastPublish;
    private transient LearnerMetrics.Publisher metrics;
    /** createdAt of snapshots emitted but not yet committed, by version; keyed by checkpoint on snapshot. */
    private transient TreeMap<Long, Long> uncommitted;
    private transient TreeMap<Long, List<Long>> byCheckpoint;

    public SnapshotPublisherOperator(CertmetricConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        OperatorStateStore store = context.getOperatorStateStore();
        versionState = store.getUnionListState(new ListStateDescriptor<>("snapshot-version", LongSerializer.INSTANCE));
        lineageState = store.getUnionListState(
                new ListStateDescriptor<>("lineage-bytes", BytePrimitiveArraySerializer.INSTANCE));
        lineages = new TreeMap<>();
        lineageBytes = new TreeMap<>();
        version = 0;
        eventsAtLastPublish = 0;
        if (context.isRestored()) {
            for (Long v : versionState.get()) {
                version = Math.max(version, v);
            }
            for (byte[] bytes : lineageState.get()) {
                keep(WorkerModel.fromBytes(bytes), bytes);
            }
            eventsAtLastPublish = totalEvents();
            try {
                // Guards against restoring an old savepoint after a newer run published higher versions.
                version = Math.max(version, SnapshotTopicReader.lastVersion(config, Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                LOG.warn("cannot read the snapshots topic on restore ({}); continuing from the checkpointed version",
                        e.getMessage());
            }
            LOG.info("publisher of {} restored at version {} with {} lineages", config.modelName(), version,
                    lineages.size());
        } else {
            version = SnapshotTopicReader.lastVersion(config, Duration.ofSeconds(30));
            if (config.fromScratch()) {
                LOG.info("publisher of {} starts from scratch (learner.from-scratch) above the last committed "
                        + "version {}: the model is learned anew, the last snapshot's model is not continued",
                        config.modelName(), version);
            } else {
                // The seed lineage, as worker 0 holds it, until worker 0 reports its own state under the same id.
                MetricSnapshot seed = SnapshotTopicReader.lastTrusted(config, Duration.ofSeconds(30));
                if (seed != null) {
                    WorkerModel m = SnapshotSeed.withCounts(seed, config);
                    keep(m, WorkerModel.toBytes(m));
                }
                eventsAtLastPublish = totalEvents();
                LOG.info("publisher of {} starts above the last committed version {}, {}", config.modelName(), version,
                        seed == null ? "with no snapshot to continue from" : "continuing the model of v" + seed.version());
            }
        }
        updatesAtLastPublish = totalUpdates();
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new LearnerMetrics.Publisher(getMetricGroup());
        metrics.version.set(version);
        uncommitted = new TreeMap<>();
        byCheckpoint = new TreeMap<>();
        if (config.snapshotEveryMillis() > 0) {
            getProcessingTimeService().scheduleWithFixedDelay(ts -> publishIfChanged(),
                    config.snapshotEveryMillis(), config.snapshotEveryMillis());
        }
    }

    @Override
    public void processElement(StreamRecord<WorkerUpdate> element) {
        byte[] bytes = element.getValue().state;
        keep(WorkerModel.fromBytes(bytes), bytes);
        long every = config.snapshotEveryUpdates();
        if (every > 0 && totalUpdates() - updatesAtLastPublish >= every) {
            publish();
        }
    }

    private void keep(WorkerModel m, byte[] bytes) {
        lineages.put(m.lineage(), m);
        lineageBytes.put(m.lineage(), bytes);
    }

    private long totalEvents() {
        long n = 0;
        for (WorkerModel m : lineages.values()) {
            n += m.learner().events();
        }
        return n;
    }

    private long totalUpdates() {
        long n = 0;
        for (WorkerModel m : lineages.values()) {
            n += m.learner().updates();
        }
        return n;
    }

    /** Publishes if any lineage learned since the last snapshot. */
    private void publishIfChanged() {
        if (totalEvents() != eventsAtLastPublish || totalUpdates() != updatesAtLastPublish) {
            publish();
        }
    }

    private void publish() {
        if (lineages.isEmpty()) {
            return;
        }
        long next = version + 1;
        Instant now = Instant.now();
        MetricSnapshot snapshot = ModelMerger.merge(new ArrayList<>(lineages.values()), config.modelName(), next, now,
                config.exemplarsPerClass(), config.snapshotMaxBytes() / 2,
                Map.of("parallelism", String.valueOf(config.parallelism())));
        byte[] bytes = SnapshotCodec.encode(snapshot);
        output.collect(new StreamRecord<>(new SnapshotRecord(config.modelName(), next, bytes, now.toEpochMilli())));
        version = next;
        eventsAtLastPublish = totalEvents();
        updatesAtLastPublish = totalUpdates();
        uncommitted.put(next, now.toEpochMilli());
        metrics.version.set(next);
        metrics.published.inc();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        publishIfChanged();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        versionState.update(List.of(version));
        lineageState.update(new ArrayList<>(lineageBytes.values()));
        if (!uncommitted.isEmpty()) {
            byCheckpoint.put(context.getCheckpointId(), new ArrayList<>(uncommitted.values()));
            uncommitted.clear();
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<Long, List<Long>>> it = byCheckpoint.headMap(checkpointId, true).entrySet().iterator();
             it.hasNext(); ) {
            for (long created : it.next().getValue()) {
                metrics.publishLagMs.update(Math.max(0, now - created));
            }
            it.remove();
        }
    }

    @Override
    public void finish() throws Exception {
        publishIfChanged();
        super.finish();
    }
}
