package io.streamdl.models.testing;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.RecsParams;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.models.spec.TextTransformerParams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Random inputs, labels and weights for the specs of this module, reproducible from a seed. */
public final class TestingData {
    private TestingData() {}

    /**
     * A batch of {@code n} random events for {@code spec}: images in [0, 1), log-mel values and
     * metric z-scores from N(0, 1), token ids over the whole vocabulary, masks of random length
     * 1..maxLen (the first event full, the second a single position; text masks cover the first
     * positions, metric masks the newest points), user and item ids over their ranges.
     */
    public static Batch randomBatch(ModelSpec spec, int n, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int[] lengths = null;
        for (TensorSpec in : spec.inputs()) {
            int per = in.elementsPerEvent();
            if (in.dtype() == DType.INT32) {
                int bound = indexBound(spec, in.name());
                int[] data = new int[n * per];
                for (int i = 0; i < data.length; i++) {
                    data[i] = r.nextInt(bound);
                }
                tensors.put(in.name(), Tensor.ofInts(in.batchShape(n), data));
            } else if (in.name().equals("mask")) {
                lengths = new int[n];
                float[] data = new float[n * per];
                boolean newestLast = spec.kind() == ArchitectureKind.FORECASTER;
                for (int i = 0; i < n; i++) {
                    lengths[i] = i == 0 ? per : i == 1 ? 1 : 1 + r.nextInt(per);
                    for (int t = 0; t < lengths[i]; t++) {
                        data[i * per + (newestLast ? per - 1 - t : t)] = 1f;
                    }
                }
                tensors.put(in.name(), Tensor.ofFloats(in.batchShape(n), data));
            } else {
                float[] data = new float[n * per];
                boolean gaussian =
                        spec.kind() == ArchitectureKind.AUDIO_LSTM
                                || spec.kind() == ArchitectureKind.FORECASTER;
                for (int i = 0; i < data.length; i++) {
                    data[i] = gaussian ? (float) r.nextGaussian() : r.nextFloat();
                }
                tensors.put(in.name(), Tensor.ofFloats(in.batchShape(n), data));
            }
        }
        return Batch.of(tensors);
    }

    /**
     * Random training labels for {@code spec}, or null for an autoencoder or a forecaster (they
     * learn from their input).
     */
    public static int[] randomLabels(ModelSpec spec, int n, long seed) {
        if (spec.kind() == ArchitectureKind.AUTOENCODER
                || spec.kind() == ArchitectureKind.FORECASTER) {
            return null;
        }
        Random r = new Random(seed);
        int classes = spec.isClassifier() ? spec.outputSize() : 2;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(classes);
        }
        return labels;
    }

    /**
     * Perturbs every parameter with N(0, {@code std}) noise, so biases, batch-norm statistics,
     * layer-norm gains and the like are no longer at their neutral initial values.
     */
    public static void randomizeWeights(ComputationGraph graph, long seed, double std) {
        INDArray p = graph.params();
        Nd4j.getRandom().setSeed(seed);
        graph.setParams(p.add(Nd4j.randn(p.dataType(), p.shape()).muli(std)));
    }

    private static int indexBound(ModelSpec spec, String input) {
        if (spec.params() instanceof RecsParams p) {
            return input.equals("user") ? p.numUsers() : p.numItems();
        }
        if (spec.params() instanceof TextTransformerParams p) {
            return p.vocabSize();
        }
        throw new IllegalArgumentException("no int inputs expected for " + spec.kind());
    }
}
