package io.streamdl.models.onnx;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.inference.InferenceException;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.ScoringDevice;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.EncoderTensors;
import io.streamdl.models.spec.ImportedParams;
import io.streamdl.models.spec.InvalidSpecException;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a model trained elsewhere: an ONNX file becomes a signed {@code ModelUpdate} of format
 * {@value ModelUpdateCodec#FORMAT_ONNX} that the scorers serve like one the trainer published.
 *
 * <p>An imported model is <em>served, not fine-tuned</em>: it carries no DL4J parameters, its spec
 * is of kind {@link ArchitectureKind#IMPORTED}, and the trainers, {@link ModelUpdateCodec#unpack}
 * and the DL4J backend refuse it ({@link ModelUpdateCodec#isServeOnly} tells such updates apart).
 *
 * <p>The graph must take what the named feature encoder emits ({@link EncoderTensors}): as many
 * inputs, each of the encoder tensor's dtype and shape behind a dynamic batch dimension. Its own
 * input and output names are kept (recorded in the spec's {@link ImportedParams}): a single input
 * binds to the encoder's single tensor; several bind by name when they are the encoder's names
 * ({@code input}, {@code mask}), else in the graph's order. Its one output (or, of several, the one
 * called {@value ModelSpec#OUTPUT_NAME}) must be float {@code [batch, labels]}, or {@code [batch,
 * 1]} for a score model without labels. Finally ONNX Runtime must load the graph and score a batch
 * of two blank events to that shape.
 *
 * <p>Every refusal is a {@link ModelUpdateRejected} whose message is one line naming what does not
 * fit, for example {@code SHAPE_MISMATCH: model 'image' version 3: input 'pixels' is
 * float[N,1,32,32] but encoder image gives float[N,1,28,28] (as 'input')}. Stateless.
 */
public final class OnnxImport {
    /** ModelSpec requires a positive learning rate; an imported model is never trained with it. */
    private static final double UNUSED_LEARNING_RATE = 1e-3;

    private static final int SMOKE_BATCH = 2;

    private OnnxImport() {}

    /**
     * Checks {@code onnx} and packs it as a signed update of {@code model}.
     *
     * @param model the model name (topic {@code models.<model>})
     * @param onnx a serialized ONNX {@code ModelProto}
     * @param encoder the feature encoder whose tensors the model reads ({@link
     *     EncoderTensors#ENCODERS})
     * @param labels the class labels in output order; empty (or null) for a model giving one score
     *     per event
     * @param version the version to publish
     * @param parentVersion the version it replaces, or null
     * @param metrics metrics to publish with it (null: none)
     * @param codec signs the update (or leaves it unsigned, as configured)
     * @throws ModelUpdateRejected naming what does not fit
     */
    public static ModelUpdate build(
            String model,
            byte[] onnx,
            String encoder,
            List<String> labels,
            long version,
            Long parentVersion,
            Map<String, Double> metrics,
            ModelUpdateCodec codec) {
        ModelSpec spec = spec(model, onnx, encoder, labels, version);
        try {
            return codec.encodeImported(
                    spec, onnx, version, parentVersion, metrics == null ? Map.of() : metrics);
        } catch (ModelUpdateRejected e) {
            throw oneLine(e);
        }
    }

    /**
     * The spec {@link #build} would publish {@code onnx} under, after the same checks; for a dry
     * run.
     *
     * @throws ModelUpdateRejected naming what does not fit (its version is 0)
     */
    public static ModelSpec spec(String model, byte[] onnx, String encoder, List<String> labels) {
        return spec(model, onnx, encoder, labels, 0L);
    }

    private static ModelSpec spec(
            String model, byte[] onnx, String encoder, List<String> labelsOrNull, long version) {
        List<String> labels = labelsOrNull == null ? List.of() : labelsOrNull;
        if (onnx == null || onnx.length == 0) {
            throw refuse(Reason.CORRUPT_ONNX, model, version, "not an ONNX model: no bytes");
        }
        OnnxModelInfo info;
        try {
            info = OnnxModelInfo.parse(onnx);
        } catch (IllegalArgumentException e) {
            throw refuse(Reason.CORRUPT_ONNX, model, version, e.getMessage());
        }
        List<TensorSpec> inputs;
        try {
            inputs = EncoderTensors.of(encoder);
        } catch (InvalidSpecException e) {
            throw refuse(Reason.INVALID_SPEC, model, version, e.getMessage());
        }
        String inputsFrom = "encoder " + encoder;
        OnnxPorts.Binding binding;
        try {
            binding = OnnxPorts.bind(info, inputs, inputsFrom);
        } catch (IllegalArgumentException e) {
            throw refuse(Reason.SHAPE_MISMATCH, model, version, e.getMessage());
        }
        int outputSize = labels.isEmpty() ? 1 : labels.size();
        String outputFrom =
                labels.isEmpty()
                        ? "a model without labels gives one score per event:"
                        : labels.size() + " labels need";
        String mismatch =
                OnnxPorts.mismatch(info, inputs, binding, outputSize, inputsFrom, outputFrom);
        if (mismatch != null) {
            throw refuse(Reason.SHAPE_MISMATCH, model, version, mismatch);
        }
        if (info.firstNonFinite() != null) {
            throw refuse(
                    Reason.NON_FINITE_WEIGHTS,
                    model,
                    version,
                    "ONNX initializer " + info.firstNonFinite() + " is NaN or infinite");
        }
        ModelSpec spec;
        try {
            spec =
                    new ModelSpec(
                            ModelSpec.CURRENT_SPEC_VERSION,
                            model,
                            ArchitectureKind.IMPORTED,
                            inputs,
                            outputSize,
                            labels,
                            new ImportedParams(binding.graphInputs(), binding.graphOutput()),
                            0L,
                            UNUSED_LEARNING_RATE);
        } catch (InvalidSpecException e) {
            throw refuse(Reason.INVALID_SPEC, model, version, e.getMessage());
        }
        smokeRun(spec, onnx, version);
        return spec;
    }

    /** Declared shapes can lie: ONNX Runtime must load the graph and score blank events. */
    private static void smokeRun(ModelSpec spec, byte[] onnx, long version) {
        OnnxRuntimeBackend.Config cpu = new OnnxRuntimeBackend.Config(1, 1, ScoringDevice.CPU);
        Tensor out;
        try (OnnxRuntimeBackend backend = OnnxRuntimeBackend.create(spec, onnx, cpu)) {
            out = backend.infer(blankBatch(spec));
        } catch (InferenceException e) {
            throw refuse(Reason.CORRUPT_ONNX, spec.name(), version, e.getMessage());
        }
        long[] expected = {SMOKE_BATCH, spec.outputSize()};
        if (!Arrays.equals(out.shape(), expected)) {
            throw refuse(
                    Reason.SHAPE_MISMATCH,
                    spec.name(),
                    version,
                    "for a batch of "
                            + SMOKE_BATCH
                            + " the graph gives "
                            + Arrays.toString(out.shape())
                            + ", not the "
                            + Arrays.toString(expected)
                            + " it declares");
        }
        for (float v : out.floats()) {
            if (!Float.isFinite(v)) {
                throw refuse(
                        Reason.NON_FINITE_WEIGHTS,
                        spec.name(),
                        version,
                        "the graph scores blank events as " + v);
            }
        }
    }

    /** Zero inputs (token id 0) with full masks. */
    private static Batch blankBatch(ModelSpec spec) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec in : spec.inputs()) {
            int n = SMOKE_BATCH * in.elementsPerEvent();
            long[] shape = in.batchShape(SMOKE_BATCH);
            if (in.dtype() == DType.INT32) {
                tensors.put(in.name(), Tensor.ofInts(shape, new int[n]));
            } else {
                float[] values = new float[n];
                if (in.name().equals(FeatureTensors.MASK_INPUT)) {
                    Arrays.fill(values, 1f);
                }
                tensors.put(in.name(), Tensor.ofFloats(shape, values));
            }
        }
        return Batch.of(tensors);
    }

    private static ModelUpdateRejected refuse(
            Reason reason, String model, long version, String detail) {
        return new ModelUpdateRejected(reason, model, version, flatten(detail));
    }

    private static ModelUpdateRejected oneLine(ModelUpdateRejected e) {
        String flat = flatten(e.getMessage());
        if (flat.equals(e.getMessage())) {
            return e;
        }
        String prefix = e.reason() + ": model '" + e.model() + "' version " + e.version() + ": ";
        String detail = flat.startsWith(prefix) ? flat.substring(prefix.length()) : flat;
        return new ModelUpdateRejected(e.reason(), e.model(), e.version(), detail, e);
    }

    /** ONNX Runtime's and protobuf's messages may span lines; a CLI prints one. */
    private static String flatten(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
