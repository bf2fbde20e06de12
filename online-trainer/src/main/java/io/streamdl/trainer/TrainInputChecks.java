package io.streamdl.trainer;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.flink.RecordCheck;
import io.streamdl.schemas.flink.RecordCheck.Verdict;
import java.util.Set;

/**
 * What a TrainJob checks of its inputs as they arrive, before the join: features must fit the model
 * ({@link FeatureTensors#check}), a label must name an event and one of the model's classes.
 * Refused records go to {@code dlq} with their topic, partition, offset and bytes; none waits in
 * join state for a partner it can never be trained with.
 */
final class TrainInputChecks {
    private TrainInputChecks() {}

    /** Features that {@code spec} cannot take are refused with the tensor check's reason. */
    static RecordCheck<Features> features(ModelSpec spec) {
        return new FitsModel(spec.toJson());
    }

    /** The spec travels to the task as its JSON (a spec is not Java-serializable). */
    private static final class FitsModel implements RecordCheck<Features> {
        private static final long serialVersionUID = 1L;
        private final String specJson;
        private transient ModelSpec spec;

        FitsModel(String specJson) {
            this.specJson = specJson;
        }

        @Override
        public Verdict check(Features features) {
            if (spec == null) {
                spec = ModelSpec.fromJson(specJson);
            }
            FeatureTensors.Refusal refusal = FeatureTensors.check(features, spec);
            return refusal == null
                    ? null
                    : Verdict.refuse(refusal.reason().name(), refusal.message());
        }
    }

    /**
     * Labels of {@code spec}'s classes are accepted. {@code events.labels} is shared by every
     * trainer, so a label of another model's classes ({@code otherModelsLabels}) is skipped and
     * counted; a label of no model's is refused as {@code UNKNOWN_LABEL} when {@code reportUnknown}
     * (one trainer reports it, so it lands on {@code dlq} once) and skipped otherwise.
     */
    static RecordCheck<Label> labels(
            ModelSpec spec, Set<String> otherModelsLabels, boolean reportUnknown) {
        Set<String> classes = Set.copyOf(spec.labels());
        Set<String> others = Set.copyOf(otherModelsLabels);
        String model = spec.name();
        java.util.List<String> labels = java.util.List.copyOf(spec.labels());
        return label -> {
            String id = label.getEventId();
            if (id == null || id.isBlank()) {
                return Verdict.refuse("MISSING_EVENT_ID", "the label names no event");
            }
            if (classes.contains(label.getLabel())) {
                return null;
            }
            String message =
                    "label '"
                            + label.getLabel()
                            + "' of event "
                            + id
                            + " is not a class of model "
                            + model
                            + " "
                            + labels;
            if (others.contains(label.getLabel())) {
                return Verdict.skip("LABEL_OF_OTHER_MODEL", message);
            }
            // another trainer of the same labels topic dead-letters it, so it lands there once
            return reportUnknown
                    ? Verdict.refuse("UNKNOWN_LABEL", message)
                    : Verdict.skip("UNKNOWN_LABEL", message);
        };
    }
}
