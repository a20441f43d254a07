package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** The learner worker of a job with learner.parallelism = 1: one lineage, nothing to sync. */
public final class LearnerWorkerOperator extends AbstractLearnerWorker
        implements OneInputStreamOperator<TrainingEvent, WorkerUpdate> {
    private static final long serialVersionUID = 1L;

    public LearnerWorkerOperator(CertmetricConfig config) {
        super(config);
    }

    @Override
    public void processElement(StreamRecord<TrainingEvent> element) {
        learn(element.getValue());
    }
}
