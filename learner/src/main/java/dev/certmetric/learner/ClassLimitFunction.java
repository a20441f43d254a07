package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.events.InvalidReason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Bounds the distinct labels the learner admits ({@code learner.max-classes}): each worker keeps a window
 * per class, so a producer sending ever-new labels would otherwise grow the job's memory without limit.
 * A label seen before passes; a new one is admitted while fewer than the limit are, and otherwise its
 * event goes to the {@link #REJECTED} side output (reason {@link #REASON}) with its original bytes.
 *
 * <p>The decision needs every label the job ever admitted, so it is made in one place: this function runs
 * with parallelism 1 (chained to the decoder at P = 1; at P > 1 the decoders send it their valid events and
 * it rebalances them to the workers). The admitted labels are checkpointed (union list state, so any
 * restore, at any parallelism, sees all of them): a restored job admits exactly the labels it had admitted,
 * and never more than the limit. At P > 1 which new labels come first depends on how the partitions
 * interleave, as the learning itself does; the bound and the consistency of each decision do not.
 */
public final class ClassLimitFunction extends ProcessFunction<TrainingEvent, TrainingEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    /** The dead-letter reason's wire name. */
    public static final String REASON = InvalidReason.TOO_MANY_CLASSES.wireName();
    public static final OutputTag<RejectedRecord> REJECTED = new OutputTag<>("too-many-classes", RejectedRecord.TYPE);

    private final int maxClasses;
    private transient Set<String> admitted;
    private transient ListState<String> admittedState;
    private transient org.apache.flink.metrics.Counter rejected;

    public ClassLimitFunction(CertmetricConfig config) {
        this.maxClasses = config.maxClasses();
        if (maxClasses < 1) {
            throw new IllegalArgumentException("learner.max-classes = 0 means no limit: leave the function out");
        }
    }

    @Override
    public void open(OpenContext openContext) {
        rejected = LearnerMetrics.invalid(getRuntimeContext().getMetricGroup(), REASON);
    }

    @Override
    public void processElement(TrainingEvent e, Context ctx, Collector<TrainingEvent> out) {
        RawEvent source = e.source;
        e.source = null; // the workers need no bytes
        if (admitted.contains(e.label) || admitted.size() < maxClasses && admitted.add(e.label)) {
            out.collect(e);
            return;
        }
        rejected.inc();
        ctx.output(REJECTED, new RejectedRecord(source, REASON, "label \"" + e.label + "\" would be class "
                + (maxClasses + 1) + "; learner.max-classes = " + maxClasses + " labels are admitted already"));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        admittedState.update(new ArrayList<>(admitted));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        admittedState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("admitted-classes", StringSerializer.INSTANCE));
        admitted = new LinkedHashSet<>();
        if (context.isRestored()) {
            for (String label : admittedState.get()) {
                admitted.add(label);
            }
        }
    }
}
