package io.streamdl.ops.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.schemas.config.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code scoring.fused}: which models the EncodeJob scores itself. */
class FusedModelsTest {
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.bundled();

    private static Set<String> encoders() {
        return Set.of("image", "audio", "text");
    }

    @Test
    void allMeansEveryModelOfTheEncodeJobsEncodersAndNoneNothing() {
        Set<String> encoders = encoders();
        assertThat(FusedModels.of(CATALOGUE, Map.of("scoring.fused", "all"), encoders))
                .as("not the metric forecaster (windowed features) nor the recommender")
                .containsExactlyInAnyOrder("image", "audio", "text", "anomaly");
        assertThat(FusedModels.of(CATALOGUE, Map.of("scoring.fused", "none"), encoders)).isEmpty();
        assertThat(FusedModels.of(CATALOGUE, Map.of("scoring.fused", " image , text"), encoders))
                .containsExactly("image", "text");
    }

    @Test
    void aModelThatCannotBeFusedIsRefusedByName() {
        Set<String> encoders = encoders();
        for (String value : List.of("image,metric", "recs", "imgae")) {
            assertThatThrownBy(
                            () ->
                                    FusedModels.of(
                                            CATALOGUE, Map.of("scoring.fused", value), encoders))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("scoring.fused")
                    .hasMessageContaining("is not one");
        }
    }
}
