package io.streamdl.ops.jobs;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.security.Principal;
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

    /**
     * The running controller: it judges the models with trials and, for every model, dead-letters
     * the records of {@code models.events} that do not decode.
     */
    public static LifecycleController start(Platform platform, PipelineJobs jobs) {
        Map<String, String> settings = jobs.settings();
        List<String> models = shadowModels(PipelineJobs.catalogue(platform.config()), settings);
        return new LifecycleController(
                        platform.bootstrapServers(),
                        platform.registryUrl(),
                        platform.registrySettings(),
                        models,
                        LifecycleSettings.from(settings),
                        new ModelUpdateCodec(ModelUpdateCodec.Config.from(settings)),
                        platform.kafkaSecurity(Principal.LIFECYCLE))
                .start();
    }
}
