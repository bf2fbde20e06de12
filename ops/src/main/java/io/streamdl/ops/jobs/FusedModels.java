package io.streamdl.ops.jobs;

import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.schemas.config.ConfigException;
import io.streamdl.scoring.ScoreJobConfig;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** {@code scoring.fused}: which models the EncodeJob scores itself ({@code FusedScoreJob}). */
final class FusedModels {
    private FusedModels() {}

    /**
     * The models {@code scoring.fused} names, scored in the EncodeJob: each must be enabled and
     * read the features of one of the EncodeJob's encoders, {@code encoderNames}.
     *
     * @throws ConfigException naming {@code scoring.fused} otherwise
     */
    static Set<String> of(
            ModelCatalogue catalogue, Map<String, String> settings, Set<String> encoderNames) {
        Map<String, ModelCatalogue.Entry> fusable = new LinkedHashMap<>();
        for (ModelCatalogue.Entry e : catalogue.enabled()) {
            if (!PipelineJobs.servedByRecommender(e) && encoderNames.contains(e.encoder())) {
                fusable.put(e.name(), e);
            }
        }
        String value = ScoreJobConfig.FUSED.read(settings).trim();
        if (value.equals("none") || value.isEmpty()) {
            return Set.of();
        }
        if (value.equals("all")) {
            return new LinkedHashSet<>(fusable.keySet());
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : value.split(",")) {
            String model = name.trim();
            if (!fusable.containsKey(model)) {
                throw ConfigException.invalid(
                        ScoreJobConfig.FUSED.key(),
                        value,
                        "all, none or enabled models of the encoders "
                                + encoderNames
                                + " ("
                                + String.join(", ", fusable.keySet())
                                + "); '"
                                + model
                                + "' is not one");
            }
            chosen.add(model);
        }
        return chosen;
    }
}
