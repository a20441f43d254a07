package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.metric.Procrustes;
import dev.certmetric.train.LearnerSettings;
import dev.certmetric.train.StreamingLearner;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A data-parallel learner worker (learner.parallelism > 1) that, besides its share of the events
 * (input 1), receives every committed snapshot of its model (input 2, broadcast, read back from the
 * snapshots topic) and adopts the merged metric: periodic model averaging, so the workers learn
 * one model together instead of drifting apart. The merged L is first rotated (orthogonal
 * Procrustes, same metric M) towards the worker's own, so the step rule's per-entry moments stay
 * meaningful. Counters and windows are untouched, so every event still counts exactly once. While
 * the worker races settings, only its candidate with the snapshot's settings (if still alive) adopts it.
 */
public final class SyncedLearnerWorkerOperator extends AbstractLearnerWorker
        implements TwoInputStreamOperator<TrainingEvent, ModelSync, WorkerUpdate> {
    private static final long serialVersionUID = 1L;
    private transient long syncedVersion;
    private transient org.apache.flink.metrics.Counter syncs;

    public SyncedLearnerWorkerOperator(CertmetricConfig config) {
        super(config);
    }

    @Override
    public void open() throws Exception {
        super.open();
        syncs = LearnerMetrics.syncs(getMetricGroup());
    }

    @Override
    public void processElement1(StreamRecord<TrainingEvent> element) {
        learn(element.getValue());
    }

    @Override
    public void processElement2(StreamRecord<ModelSync> element) {
        ModelSync s = element.getValue();
        if (active == null || s.version <= syncedVersion) {
            return;
        }
        LearnerSettings leader = active.learner().settings();
        StreamingLearner learner = active.race().candidate(leader.withObjective(s.mu, s.lambda, s.tau)
                .withLearningRate(s.learningRate)).orElse(null);
        if (learner == null || s.p != learner.dimension() || s.q != learner.rank()) {
            return;
        }
        double[] own = learner.metric().l();
        learner.adoptMetric(Procrustes.align(s.l, own, s.q, s.p));
        modelChanged();
        syncedVersion = s.version;
        syncs.inc();
    }
}
