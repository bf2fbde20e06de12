package io.streamdl.ops.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.text.WordPieceTrainer;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.schemas.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scoring.fused}: which models the EncodeJob scores itself. */
class FusedModelsTest {
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.bundled();

    @TempDir Path dir;

    private EncoderRegistry encoders() throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        new WordPieceTrainer(new WordPieceTrainer.Config(100, 1, true))
                .train(List.of("a few words of text to learn a vocabulary from"))
                .write(vocab);
        return EncoderRegistry.fromSettings(Map.of("text.vocab.path", vocab.toString()));
    }

    @Test
    void allMeansEveryModelOfTheEncodeJobsEncodersAndNoneNothing() throws Exception {
        EncoderRegistry encoders = encoders();
        assertThat(PipelineJobs.fusedModels(CATALOGUE, Map.of("scoring.fused", "all"), encoders))
                .as("not the metric forecaster (windowed features) nor the recommender")
                .containsExactlyInAnyOrder("image", "audio", "text", "anomaly");
        assertThat(PipelineJobs.fusedModels(CATALOGUE, Map.of("scoring.fused", "none"), encoders))
                .isEmpty();
        assertThat(
                        PipelineJobs.fusedModels(
                                CATALOGUE, Map.of("scoring.fused", " image , text"), encoders))
                .containsExactly("image", "text");
    }

    @Test
    void aModelThatCannotBeFusedIsRefusedByName() throws Exception {
        EncoderRegistry encoders = encoders();
        for (String value : List.of("image,metric", "recs", "imgae")) {
            assertThatThrownBy(
                            () ->
                                    PipelineJobs.fusedModels(
                                            CATALOGUE, Map.of("scoring.fused", value), encoders))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("scoring.fused")
                    .hasMessageContaining("is not one");
        }
    }
}
