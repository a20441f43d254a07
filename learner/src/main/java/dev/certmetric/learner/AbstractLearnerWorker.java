package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.objective.ObjectiveValue;
import dev.certmetric.snapshot.MetricSnapshot;
import dev.certmetric.train.RaceSettings;
import dev.certmetric.train.SettingsRace;
import dev.certmetric.train.StreamingLearner;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The logic of a data-parallel learner worker ({@link LearnerWorkerOperator}, and
 * {@link SyncedLearnerWorkerOperator} which also adopts the merged model): trains its own {@link SettingsRace}
 * (test-then-train; with the race off, one {@link StreamingLearner}) on its share of the events and sends its whole
 * model state downstream to the snapshot publisher before every checkpoint barrier (if it learned something since),
 * at end of input, and if configured after every {@code ceil(snapshots.every-updates / parallelism)} gradient steps
 * and on a {@code snapshots.every-millis} processing-time tick.
 *
 * <p>Every event also goes to the lineage's exemplar memory ({@link WorkerModel#remember}), which only
 * snapshots read. The learner lives in operator state as its {@link WorkerModel#toBytes} (the project's versioned
 * format), the very bytes last sent to the publisher when it learned nothing since: Flink's copy of the state for
 * an asynchronous snapshot is then an array copy, not a re-encoding and decoding of the model. The state carries
 * the learners' partial batches instead of stepping them at a barrier, so a restored worker holds exactly the events
 * before the checkpoint, learned exactly as far, and the source replays the rest: at parallelism 1 what is learned
 * does not depend on when checkpoints are taken, or on whether the job failed over.
 * A worker started without state continues from the last committed snapshot ({@link SnapshotSeed})
 * unless {@code learner.from-scratch} is set.
 */
public abstract class AbstractLearnerWorker extends AbstractStreamOperator<WorkerUpdate> {
    private static final long serialVersionUID = 1L;

    protected final CertmetricConfig config;
    private transient RaceSettings settings;
    private transient ListState<byte[]> state;
    protected transient WorkerModel active;
    /** The active model's bytes as last encoded; null once it changed since. */
    private transient byte[] activeBytes;
    /** The bytes of the other models (lineages restored after rescaling, never trained here), which never change. */
    private transient List<byte[]> otherBytes;
    private transient long updatesSinceEmit;
    private transient boolean dirty;
    private transient long emitEvery;
    private transient LearnerMetrics.Worker metrics;
    private transient long droppedWrongDimension;

    protected AbstractLearnerWorker(CertmetricConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        OperatorStateStore store = context.getOperatorStateStore();
        state = store.getListState(new ListStateDescriptor<>("learner-bytes", BytePrimitiveArraySerializer.INSTANCE));
        List<WorkerModel> models = new ArrayList<>();
        if (context.isRestored()) {
            for (byte[] bytes : state.get()) {
                WorkerModel m = WorkerModel.fromBytes(bytes);
                m.memory().resize(config.exemplarMemoryPerClass()); // the configuration may have changed
                models.add(m);
            }
        } else if (!config.fromScratch()) {
            MetricSnapshot seed = SnapshotTopicReader.lastTrusted(config, Duration.ofSeconds(30));
            if (seed != null) {
                boolean first = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
                models.add(first ? SnapshotSeed.withCounts(seed, config) : SnapshotSeed.withoutCounts(seed, config));
                LOG.info("learner worker of {} seeded from snapshot v{} ({} events{})", config.modelName(),
                        seed.version(), seed.trainingStats().eventsSeen(), first ? "" : ", counted by worker 0");
            }
        }
        active = models.isEmpty() ? null : models.get(0);
        // Encoded once (after the resize), and not kept decoded: only the active model is trained here.
        otherBytes = new ArrayList<>();
        for (int i = 1; i < models.size(); i++) {
            otherBytes.add(WorkerModel.toBytes(models.get(i)));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        settings = config.raceSettings();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        long every = config.snapshotEveryUpdates();
        emitEvery = every == 0 ? Long.MAX_VALUE : Math.max(1, (every + parallelism - 1) / parallelism);
        metrics = new LearnerMetrics.Worker(getMetricGroup());
        // The metrics are flushed before every barrier too; the tick also sends the model when snapshots are
        // published between checkpoints.
        long tick = config.snapshotEveryMillis() > 0 ? config.snapshotEveryMillis() : config.checkpointIntervalMs();
        ProcessingTimeService time = getProcessingTimeService();
        time.scheduleWithFixedDelay(ts -> onTick(), tick, tick);
    }

    private void onTick() {
        metrics.flush();
        if (dirty && active != null && config.snapshotEveryMillis() > 0) {
            emit();
        }
    }

    /** Tests then trains on one event. */
    protected void learn(TrainingEvent e) {
        if (active == null) {
            active = WorkerModel.start(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE),
                    new SettingsRace(settings, e.features.length), config.exemplarMemoryPerClass());
        }
        if (e.features.length != active.learner().dimension()) {
            // The decoder fixes the dimension; this only happens if parallel decoders disagreed.
            if (droppedWrongDimension++ % 1000 == 0) {
                LOG.warn("dropping an event of dimension {} (the model has {})", e.features.length,
                        active.learner().dimension());
            }
            return;
        }
        StreamingLearner.Outcome o = active.race().testThenTrain(e.features, e.label, e.timestamp);
        active.remember(e.features, e.label, e.timestamp);
        StreamingLearner learner = active.learner();
        dirty = true;
        activeBytes = null;
        metrics.event();
        if (o.tested()) {
            metrics.prequentialAccuracy.set(learner.prequentialAccuracy());
        }
        if (Double.isFinite(o.certifiedRadius()) && o.certifiedRadius() < Double.MAX_VALUE) {
            metrics.certifiedRadii.update(Math.round(o.certifiedRadius() * 1e6));
        }
        if (Double.isFinite(o.minMargin())) {
            metrics.margins.update(Math.round(o.minMargin() * 1e6));
        }
        if (o.stepped()) {
            ObjectiveValue v = o.step();
            active.observeLoss(v.total());
            metrics.updates.inc();
            metrics.pull.set(v.pull());
            metrics.hinge.set(v.hinge());
            metrics.perturbation.set(v.perturbation());
            if (++updatesSinceEmit >= emitEvery) {
                emit();
            }
        }
    }

    private void emit() {
        output.collect(new StreamRecord<>(new WorkerUpdate(active.lineage(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), activeBytes())));
        updatesSinceEmit = 0;
        dirty = false;
    }

    /** The active model's bytes, encoded again only if it changed since the last time. */
    private byte[] activeBytes() {
        if (activeBytes == null) {
            activeBytes = WorkerModel.toBytes(active);
        }
        return activeBytes;
    }

    /** Called by a subclass that changed the active model other than by learning an event. */
    protected void modelChanged() {
        activeBytes = null;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        metrics.flush();
        // Send the model if it changed since the last update: it reaches the publisher before this barrier, and the
        // publisher publishes it with this checkpoint, so the committed snapshot counts exactly the events whose
        // offsets it commits. A partial batch stays pending (the state carries it): its step comes at the same
        // event as without the barrier.
        if (active != null && dirty) {
            emit();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<byte[]> all = new ArrayList<>(otherBytes.size() + 1);
        if (active != null) {
            all.add(activeBytes());
        }
        all.addAll(otherBytes);
        state.update(all);
    }

    @Override
    public void finish() throws Exception {
        metrics.flush();
        if (active != null) {
            active.race().flush();
            if (dirty) {
                emit();
            }
        }
        super.finish();
    }
}
