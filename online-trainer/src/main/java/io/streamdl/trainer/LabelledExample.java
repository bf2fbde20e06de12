package io.streamdl.trainer;

import io.streamdl.schemas.avro.Features;
import java.util.Objects;

/**
 * One training example: the features of an event joined with its label. A Flink POJO (public
 * fields, no-argument constructor); the features travel as their Avro record.
 */
public final class LabelledExample {
    /** The event both sides belong to. */
    public String eventId;

    /** The label text, as on {@code events.labels}: one of the model's class labels. */
    public String label;

    /** When the label was given (epoch milliseconds). */
    public long labelTs;

    /** The event's features. */
    public Features features;

    public LabelledExample() {}

    public LabelledExample(String eventId, String label, long labelTs, Features features) {
        this.eventId = eventId;
        this.label = label;
        this.labelTs = labelTs;
        this.features = features;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledExample e
                && Objects.equals(eventId, e.eventId)
                && Objects.equals(label, e.label)
                && labelTs == e.labelTs
                && Objects.equals(features, e.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, label, labelTs);
    }

    @Override
    public String toString() {
        return "LabelledExample[" + eventId + " = " + label + "]";
    }
}
