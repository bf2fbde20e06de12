package io.streamdl.models.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Dl4jBackend;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** The spec of an ONNX model trained elsewhere: its JSON form, and the DL4J side refusing it. */
class ImportedSpecTest {
    private static final ModelSpec IMPORTED =
            new ModelSpec(
                    1,
                    "image",
                    ArchitectureKind.IMPORTED,
                    EncoderTensors.of("image"),
                    10,
                    DefaultSpecs.FASHION_MNIST_LABELS,
                    new ImportedParams(List.of("pixels:0"), "class_probs"),
                    0L,
                    1e-3);

    @Test
    void roundTripsThroughJsonWithTheGraphsOwnNames() {
        String json = IMPORTED.toJson();

        assertThat(json)
                .contains("\"kind\":\"IMPORTED\"")
                .contains(
                        "\"params\":{\"graphInputs\":[\"pixels:0\"],\"graphOutput\":\"class_probs\"}");
        assertThat(ModelSpec.fromJson(json)).isEqualTo(IMPORTED);
        assertThat(ModelSpec.fromJson(json).toJson()).isEqualTo(json);
    }

    @Test
    void hasTheInterfaceOfTheCatalogueModelReadingTheSameEncoder() {
        assertThat(IMPORTED.sameInterfaceAs(DefaultSpecs.image())).isTrue();
        assertThat(IMPORTED.sameInterfaceAs(DefaultSpecs.anomaly())).isFalse();
    }

    @Test
    void refusesParamsThatDoNotBindEveryInputOrHaveNoOutput() {
        String json = IMPORTED.toJson();

        assertThatThrownBy(
                        () ->
                                ModelSpec.fromJson(
                                        json.replace("[\"pixels:0\"]", "[\"pixels:0\",\"extra\"]")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("binds 2 graph inputs");
        assertThatThrownBy(() -> ModelSpec.fromJson(json.replace("\"class_probs\"", "\" \"")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("graph output name");
        assertThatThrownBy(
                        () ->
                                ModelSpec.fromJson(
                                        json.replace(",\"graphOutput\":\"class_probs\"", "")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("invalid params for IMPORTED");
        assertThatThrownBy(
                        () ->
                                ModelSpec.fromJson(
                                        json.replace("\"outputSize\":10", "\"outputSize\":9")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("one label per class");
    }

    @Test
    void aScoreModelWithoutLabelsGivesOneOutput() {
        ModelSpec score =
                new ModelSpec(
                        1,
                        "anomaly",
                        ArchitectureKind.IMPORTED,
                        EncoderTensors.of("metric"),
                        1,
                        List.of(),
                        new ImportedParams(List.of("window", "valid"), "score"),
                        0L,
                        1e-3);
        assertThat(ModelSpec.fromJson(score.toJson())).isEqualTo(score);
        assertThat(score.isClassifier()).isFalse();
    }

    @Test
    void theDl4jSideRefusesToBuildOrScoreItNamingWhy() {
        assertThatThrownBy(() -> Architectures.build(IMPORTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'image' is an imported ONNX model (kind IMPORTED)")
                .hasMessageContaining("no DL4J network");
        assertThatThrownBy(() -> Architectures.parameterCount(IMPORTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imported ONNX model");
        assertThatThrownBy(() -> Architectures.inputLayout(IMPORTED, "input"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imported ONNX model");

        ComputationGraph catalogueImage = Architectures.build(DefaultSpecs.image());
        assertThatThrownBy(() -> Dl4jBackend.create(IMPORTED, catalogueImage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imported ONNX model");
    }

    @Test
    void encoderTensorsAreWhatTheCatalogueDefaultsInputsTo() {
        for (ModelCatalogue.Entry e : ModelCatalogue.bundled().entries()) {
            if (EncoderTensors.ENCODERS.contains(e.encoder())) {
                assertThat(e.spec().inputs())
                        .as(e.name())
                        .isEqualTo(EncoderTensors.of(e.encoder()));
            }
        }
        assertThatThrownBy(() -> EncoderTensors.of("recs"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("encoder 'recs' has no default inputs");
    }
}
