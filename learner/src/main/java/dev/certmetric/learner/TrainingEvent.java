package dev.certmetric.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** A decoded, valid labelled event as the learner consumes it. A Flink POJO (no Kryo). */
public class TrainingEvent {
    public double[] features;
    public String label;
    /** Event time in ms since epoch. */
    public long timestamp;
    /**
     * The Kafka record it was decoded from, while it may still be dead-lettered (on its way to the class
     * limit, {@link ClassLimitFunction}, which drops it); null otherwise, so the bytes are not shipped to the
     * workers.
     */
    public RawEvent source;

    public TrainingEvent() {
    }

    public TrainingEvent(double[] features, String label, long timestamp) {
        this.features = features;
        this.label = label;
        this.timestamp = timestamp;
    }

    public static final TypeInformation<TrainingEvent> TYPE = TypeInformation.of(TrainingEvent.class);
}
