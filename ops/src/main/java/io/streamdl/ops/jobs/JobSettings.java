package io.streamdl.ops.jobs;

import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.scoring.anomaly.AnomalyDetectorConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of the pipeline's settings that one component reads. */
final class JobSettings {
    private JobSettings() {}

    /**
     * The settings with {@code anomalies.models} defaulting to the catalogue's enabled anomaly
     * models (autoencoders, forecasters), when it names any.
     */
    static Map<String, String> detector(Map<String, String> given, ModelCatalogue catalogue) {
        Map<String, String> all = new LinkedHashMap<>(given);
        List<String> models = PipelineJobs.anomalyModels(catalogue);
        if (!models.isEmpty()) {
            all.putIfAbsent(AnomalyDetectorConfig.MODELS.key(), String.join(",", models));
        }
        return all;
    }

    /** The settings whose keys start with {@code prefix}. */
    static Map<String, String> prefixed(Map<String, String> settings, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    /** The ONNX Runtime backend's keys of the settings. */
    static Map<String, String> onnx(Map<String, String> all) {
        Map<String, String> onnx = new HashMap<>();
        for (var option : OnnxRuntimeBackend.Config.OPTIONS) {
            if (all.containsKey(option.key())) {
                onnx.put(option.key(), all.get(option.key()));
            }
        }
        return onnx;
    }
}
