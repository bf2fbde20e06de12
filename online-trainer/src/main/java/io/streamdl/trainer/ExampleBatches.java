package io.streamdl.trainer;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The tensors of a list of accepted examples: their features as one batch, and that batch as
 * training data with the targets its {@link Objective} learns. Stateless.
 */
final class ExampleBatches {
    private ExampleBatches() {}

    /** The features of {@code examples}, in order, as one batch for {@code spec}. */
    static Batch features(List<AcceptedExample> examples, ModelSpec spec) {
        List<Features> features = new ArrayList<>(examples.size());
        for (AcceptedExample e : examples) {
            features.add(e.features());
        }
        return FeatureTensors.batch(features, spec);
    }

    /**
     * {@code batch} (the features of {@code examples}) with its targets: the class indices of a
     * classifier's examples, or the features themselves for an anomaly model.
     */
    static MultiDataSet trainingData(
            Objective objective, ModelSpec spec, List<AcceptedExample> examples, Batch batch) {
        if (!objective.needsLabels()) {
            return Dl4jInputs.trainingData(spec, batch, null);
        }
        int[] labels = new int[examples.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = examples.get(i).label();
        }
        return Dl4jInputs.trainingData(spec, batch, labels);
    }
}
