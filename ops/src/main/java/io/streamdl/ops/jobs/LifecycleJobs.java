package io.streamdl.ops.jobs;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.ops.platform.Platform;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.scoring.lifecycle.LifecycleController;
import io.streamdl.scoring.lifecycle.LifecycleSettings;
import java.util.List;
import java.util.Map;

/** Starts the lifecycle controller of the models with trials ({@code scoring.trials}). */
public final class LifecycleJobs {
    private LifecycleJobs() {}

    /** The enabled models whose new versions are tried before they serve. */
    public static List<String> shadowModels(
            ModelCatalogue catalogue, Map<String, String> settings) {
        String value = ScoreJobConfig.TRIALS.read(settings);
        return catalogue.enabled().stream()
                .map(ModelCatalogue.Entry::name)
                .filter(m -> ScoreJobConfig.inList(value, m))
                .toList();
    }

    /** The running controller, or null when no model has trials. */
    public static LifecycleController start(Platform platform, PipelineJobs jobs) {
        Map<String, String> settings = jobs.settings();
        List<String> models = shadowModels(PipelineJobs.catalogue(platform.config()), settings);
        if (models.isEmpty()) {
            return null;
        }
        return new LifecycleController(
                        platform.bootstrapServers(),
                        platform.registryUrl(),
                        models,
                        LifecycleSettings.from(settings),
                        new ModelUpdateCodec(ModelUpdateCodec.Config.from(settings)))
                .start();
    }
}
