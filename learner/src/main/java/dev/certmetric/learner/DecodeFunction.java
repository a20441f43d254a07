package dev.certmetric.learner;

import dev.certmetric.config.CertmetricConfig;
import dev.certmetric.events.Decoded;
import dev.certmetric.events.EventDecoder;
import dev.certmetric.events.InvalidEvent;
import dev.certmetric.events.InvalidReason;
import dev.certmetric.events.LabeledEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes raw records with the project's {@link EventDecoder}: valid events go on as
 * {@link TrainingEvent}s, every invalid one to the {@link #REJECTED} side output (for the
 * dead-letter sink) and the counter {@code certmetric_events_invalid_total{reason}}.
 *
 * <p>With {@code events.dimension = 0} the first valid event fixes the dimension; it is kept in
 * operator state so a restored job rejects exactly what the failed one would have.
 */
public final class DecodeFunction extends ProcessFunction<RawEvent, TrainingEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<RejectedRecord> REJECTED = new OutputTag<>("rejected", RejectedRecord.TYPE);

    private final int configuredDimension;
    /** Keep the raw record on valid events, for the class limit to dead-letter them. */
    private final boolean keepSource;
    /** The configured limits; the dimension is applied in {@link #open}. */
    private final EventDecoder limits;
    private transient int dimension;
    private transient EventDecoder decoder;
    private transient ListState<Integer> dimensionState;
    private transient Map<InvalidReason, org.apache.flink.metrics.Counter> invalid;

    public DecodeFunction(CertmetricConfig config) {
        this.configuredDimension = config.eventsDimension();
        this.keepSource = config.maxClasses() > 0;
        this.limits = new EventDecoder(0, config.eventsMaxBytes(), EventDecoder.DEFAULT_MAX_FEATURES,
                config.eventsMaxIdChars(), config.eventsMaxLabelChars());
    }

    @Override
    public void open(OpenContext openContext) {
        invalid = new EnumMap<>(InvalidReason.class);
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r, LearnerMetrics.invalid(getRuntimeContext().getMetricGroup(), r.wireName()));
        }
        decoder = limits.withDimension(dimension);
    }

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<TrainingEvent> out) {
        Decoded decoded = decoder.decode(raw.value);
        if (decoded instanceof Decoded.Valid valid) {
            LabeledEvent e = valid.event();
            if (dimension == 0) {
                dimension = e.dimension();
                decoder = limits.withDimension(dimension);
            }
            TrainingEvent t = new TrainingEvent(e.features(), e.label(), e.ts() != null ? e.ts() : raw.timestamp);
            t.source = keepSource ? raw : null;
            out.collect(t);
        } else {
            InvalidEvent bad = (InvalidEvent) decoded;
            invalid.get(bad.reason()).inc();
            ctx.output(REJECTED, new RejectedRecord(raw, bad.reason().wireName(), bad.detail()));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        dimensionState.update(List.of(dimension));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        dimensionState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("event-dimension", IntSerializer.INSTANCE));
        dimension = configuredDimension;
        if (dimension == 0 && context.isRestored()) {
            for (Integer d : dimensionState.get()) {
                if (d != null && d > 0) {
                    dimension = d;
                    break;
                }
            }
        }
    }
}
