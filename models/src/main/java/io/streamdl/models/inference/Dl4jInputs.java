package io.streamdl.models.inference;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Converts between pipeline tensors and the arrays a network from {@link Architectures} takes and
 * gives: feature arrays in the network's layout (token and id inputs become floats), feature masks,
 * and the model output including any head computed outside the network (the autoencoder's
 * reconstruction error, the forecaster's forecast error). Trainers use it to feed the same layout
 * the scorers see.
 */
public final class Dl4jInputs {
    private Dl4jInputs() {}

    /** The network's input arrays for {@code batch}, in the network's input order. */
    public static INDArray[] features(ModelSpec spec, Batch batch) {
        batch.requireMatches(spec);
        List<TensorSpec> inputs = Architectures.networkInputs(spec);
        INDArray[] arrays = new INDArray[inputs.size()];
        for (int i = 0; i < arrays.length; i++) {
            TensorSpec in = inputs.get(i);
            INDArray a = toArray(batch.tensor(in.name()));
            arrays[i] =
                    switch (Architectures.inputLayout(spec, in.name())) {
                        case AS_IS -> a;
                        case TIME_MAJOR_TO_NCW -> a.permute(0, 2, 1).dup('c');
                        case FLATTEN -> a.reshape('c', a.size(0), in.elementsPerEvent());
                        case MASK ->
                                throw new IllegalStateException(
                                        "mask '" + in.name() + "' listed as a network input");
                    };
        }
        return arrays;
    }

    /**
     * The feature masks for {@code batch}, aligned with {@link #features}, or null if no input of
     * the model is masked.
     */
    public static INDArray[] featureMasks(ModelSpec spec, Batch batch) {
        List<TensorSpec> inputs = Architectures.networkInputs(spec);
        INDArray[] masks = new INDArray[inputs.size()];
        boolean any = false;
        for (int i = 0; i < masks.length; i++) {
            TensorSpec mask = Architectures.maskOf(spec, inputs.get(i).name());
            if (mask != null) {
                masks[i] = toArray(batch.tensor(mask.name()));
                any = true;
            }
        }
        return any ? masks : null;
    }

    /** Runs {@code graph} (inference mode) on {@code batch} and returns the model output. */
    public static Tensor output(ModelSpec spec, ComputationGraph graph, Batch batch) {
        INDArray[] features = features(spec, batch);
        INDArray out = graph.output(false, features, featureMasks(spec, batch))[0];
        if (spec.kind() == ArchitectureKind.AUTOENCODER) {
            out = meanSquaredError(features[0], out);
        } else if (spec.kind() == ArchitectureKind.FORECASTER) {
            out = meanSquaredError(newestPoint(spec, features[0]), out);
        }
        float[] data = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return Tensor.adoptFloats(new long[] {batch.size(), spec.outputSize()}, data);
    }

    /**
     * The image CNN's content embedding of each event of {@code batch}: the activations of {@link
     * Architectures#IMAGE_EMBEDDING_LAYER} in inference mode, {@code [N, denseUnits]}; what the
     * ONNX export's {@code content_embedding} output gives.
     *
     * @throws IllegalArgumentException for a model that is not an image CNN
     */
    public static Tensor embedding(ModelSpec spec, ComputationGraph graph, Batch batch) {
        if (spec.kind() != ArchitectureKind.IMAGE_CNN) {
            throw new IllegalArgumentException(
                    "model '" + spec.name() + "' is a " + spec.kind() + ", not an image CNN");
        }
        INDArray[] features = features(spec, batch);
        INDArray dense =
                graph.feedForward(features, false).get(Architectures.IMAGE_EMBEDDING_LAYER);
        float[] data = dense.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return Tensor.adoptFloats(new long[] {batch.size(), dense.size(1)}, data);
    }

    /**
     * A training mini-batch for {@code graph.fit(...)}: the features and masks of {@code batch} and
     * the targets derived from {@code labels}, one per event: the class index for a classifier
     * (one-hot encoded here), 0 or 1 (no interaction or interaction) for {@code RECS}. An
     * autoencoder learns to reproduce its input and a forecaster to predict its window's newest
     * point, so their {@code labels} must be null.
     *
     * @throws IllegalArgumentException if a label is out of range or missing
     */
    public static MultiDataSet trainingData(ModelSpec spec, Batch batch, int[] labels) {
        INDArray[] features = features(spec, batch);
        INDArray target;
        if (spec.kind() == ArchitectureKind.AUTOENCODER
                || spec.kind() == ArchitectureKind.FORECASTER) {
            if (labels != null) {
                throw new IllegalArgumentException(
                        spec.kind()
                                + " '"
                                + spec.name()
                                + "' learns from its input: labels must be null");
            }
            target =
                    spec.kind() == ArchitectureKind.AUTOENCODER
                            ? features[0]
                            : newestPoint(spec, features[0]);
        } else {
            if (labels == null || labels.length != batch.size()) {
                throw new IllegalArgumentException(
                        "model '"
                                + spec.name()
                                + "' needs one label per event: "
                                + batch.size()
                                + " events, "
                                + (labels == null ? "no" : labels.length)
                                + " labels");
            }
            int classes = spec.isClassifier() ? spec.outputSize() : 2;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new IllegalArgumentException(
                            "label "
                                    + labels[i]
                                    + " of event "
                                    + i
                                    + " is not in [0, "
                                    + classes
                                    + ")");
                }
            }
            if (spec.isClassifier()) {
                target = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
                for (int i = 0; i < labels.length; i++) {
                    target.putScalar(i, labels[i], 1.0);
                }
            } else {
                float[] t = new float[labels.length];
                for (int i = 0; i < labels.length; i++) {
                    t[i] = labels[i];
                }
                target = Nd4j.create(t, new long[] {labels.length, 1}, 'c');
            }
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(
                features, new INDArray[] {target}, featureMasks(spec, batch), null);
    }

    /**
     * Mean squared difference per row, {@code [N, 1]}: the anomaly score of the autoencoder
     * (against its input) and of the forecaster (against the newest point).
     */
    public static INDArray meanSquaredError(INDArray target, INDArray prediction) {
        INDArray diff = prediction.sub(target);
        return diff.muli(diff).mean(true, 1);
    }

    /** The newest point's channels, {@code [N, channels]}, of flattened forecaster windows. */
    private static INDArray newestPoint(ModelSpec spec, INDArray windows) {
        TensorSpec window = spec.input("input");
        int channels = window.dim(1);
        long from = (long) (window.dim(0) - 1) * channels;
        return windows.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + channels))
                .dup('c');
    }

    private static INDArray toArray(Tensor t) {
        long[] shape = t.shape();
        if (t.dtype() == DType.FLOAT32) {
            return Nd4j.create(t.floatData(), shape, 'c');
        }
        return Nd4j.createFromArray(t.intData()).castTo(DataType.FLOAT).reshape('c', shape);
    }
}
