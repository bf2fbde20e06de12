package io.streamdl.scoring;

import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a scoring backend for a verified model update. {@link MicroBatchScorer} calls it on its
 * own build thread, one call at a time, never on the task thread; a failure is thrown.
 */
@FunctionalInterface
public interface ModelLoader extends Serializable {
    LoadedModel load(ModelUpdate verified);

    /**
     * ONNX Runtime over the update's ONNX bytes, with session settings read from {@code settings}
     * (keys of {@link OnnxRuntimeBackend.Config}; the map, not the config, travels to the tasks).
     */
    static ModelLoader onnxRuntime(Map<String, String> settings) {
        HashMap<String, String> copy = new HashMap<>(settings);
        OnnxRuntimeBackend.Config.from(copy); // fail at job build time on a bad setting
        return update -> {
            OnnxRuntimeBackend.Config config = OnnxRuntimeBackend.Config.from(copy);
            ModelSpec spec = ModelSpec.fromJson(update.getArchitecture());
            ByteBuffer onnx = update.getOnnx().duplicate();
            byte[] bytes = new byte[onnx.remaining()];
            onnx.get(bytes);
            return new LoadedModel(
                    update.getVersion(), spec, OnnxRuntimeBackend.create(spec, bytes, config));
        };
    }
}
