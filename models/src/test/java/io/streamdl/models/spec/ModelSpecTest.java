package io.streamdl.models.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {"image", "audio", "text", "anomaly", "metric", "recs", "ncf"})
    void defaultSpecsRoundTripThroughJson(String name) {
        ModelSpec spec = DefaultSpecs.byName(name);

        String json = spec.toJson();

        assertThat(ModelSpec.fromJson(json)).isEqualTo(spec);
        assertThat(ModelSpec.fromJson(json).toJson()).isEqualTo(json);
        assertThat(json).startsWith("{\"specVersion\":1,\"name\":\"" + name + "\"");
    }

    @Test
    void anAutoencoderSpecWithoutReconstructionMeansSigmoidAndIsWrittenBackUnchanged() {
        String legacy =
                "{\"specVersion\":1,\"name\":\"ae\",\"kind\":\"AUTOENCODER\",\"inputs\":[{\"name\":"
                        + "\"input\",\"dtype\":\"float32\",\"shape\":[4]}],\"outputSize\":1,"
                        + "\"labels\":[],\"params\":{\"hiddenUnits\":[3],\"bottleneck\":2},"
                        + "\"seed\":1,\"learningRate\":0.001}";
        ModelSpec spec = ModelSpec.fromJson(legacy);
        assertThat(((AutoencoderParams) spec.params()).linearReconstruction()).isFalse();
        assertThat(spec.toJson()).isEqualTo(legacy);

        String linear =
                legacy.replace(
                        "\"bottleneck\":2}", "\"bottleneck\":2,\"reconstruction\":\"linear\"}");
        ModelSpec linearSpec = ModelSpec.fromJson(linear);
        assertThat(((AutoencoderParams) linearSpec.params()).linearReconstruction()).isTrue();
        assertThat(linearSpec.toJson()).isEqualTo(linear);

        assertThatThrownBy(
                        () ->
                                ModelSpec.fromJson(
                                        legacy.replace(
                                                "\"bottleneck\":2}",
                                                "\"bottleneck\":2,\"reconstruction\":\"tanh\"}")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("'sigmoid' or 'linear'");
    }

    @Test
    void defaultSpecsDescribeThePipelineInputs() {
        assertThat(DefaultSpecs.all())
                .containsOnlyKeys("image", "audio", "text", "anomaly", "metric", "recs", "ncf");
        assertThat(DefaultSpecs.image().inputs())
                .containsExactly(TensorSpec.of("input", DType.FLOAT32, 1, 28, 28));
        assertThat(DefaultSpecs.image().labels()).hasSize(10);
        assertThat(DefaultSpecs.audio().inputs())
                .containsExactly(TensorSpec.of("input", DType.FLOAT32, 98, 40));
        assertThat(DefaultSpecs.text().inputs())
                .containsExactly(
                        TensorSpec.of("input", DType.INT32, 64),
                        TensorSpec.of("mask", DType.FLOAT32, 64));
        assertThat(DefaultSpecs.anomaly().isClassifier()).isFalse();
        assertThat(DefaultSpecs.metric().inputs())
                .containsExactly(
                        TensorSpec.of("input", DType.FLOAT32, 32, 1),
                        TensorSpec.of("mask", DType.FLOAT32, 32));
        assertThat(DefaultSpecs.metric().outputSize()).isEqualTo(1);
        assertThat(DefaultSpecs.metric().params()).isEqualTo(new ForecasterParams(List.of(64, 32)));
        assertThat(DefaultSpecs.ncf().outputSize()).isEqualTo(1);
    }

    @Test
    void sameInterfaceIgnoresTheArchitectureBehindIt() {
        ModelSpec image = DefaultSpecs.image();
        ModelSpec bigger =
                new ModelSpec(
                        1,
                        "image",
                        ArchitectureKind.IMAGE_CNN,
                        image.inputs(),
                        10,
                        image.labels(),
                        new ImageCnnParams(16, 32, 5, 128, true, 0.5),
                        1,
                        0.01);
        assertThat(image.sameInterfaceAs(bigger)).isTrue();
        assertThat(image.sameInterfaceAs(DefaultSpecs.anomaly())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown field | \"specVersion\":1, | \"specVersion\":1,\"extra\":true, | unknown spec field 'extra'",
                "missing field | \"seed\":42, | '' | spec field 'seed' is missing",
                "newer version | \"specVersion\":1 | \"specVersion\":2 | specVersion 2 is not supported",
                "unknown kind | \"kind\":\"IMAGE_CNN\" | \"kind\":\"GAN\" | unknown kind 'GAN'",
                "string for int | \"outputSize\":10 | \"outputSize\":\"10\" | 'outputSize' must be an integer",
                "float param | \"kernelSize\":3 | \"kernelSize\":5.5 | invalid params for IMAGE_CNN",
                "string param | \"kernelSize\":3 | \"kernelSize\":\"5\" | invalid params for IMAGE_CNN",
                "unknown param | \"kernelSize\":3 | \"kernelSize\":5,\"stride\":2 | invalid params for IMAGE_CNN",
                "even kernel | \"kernelSize\":3 | \"kernelSize\":4 | kernelSize must be odd",
                "labels vs classes | \"outputSize\":10 | \"outputSize\":9 | one label per class",
                "bad dtype | \"dtype\":\"float32\" | \"dtype\":\"float16\" | unknown dtype 'float16'",
                "bad name | \"name\":\"image\" | \"name\":\"Image Model\" | must match",
                "bad input shape | [1,28,28] | [1,0,28] | non-positive dimension",
                "zero learning rate | \"learningRate\":0.001 | \"learningRate\":0 | learningRate must be positive",
            })
    void fromJsonRefusesWithAClearMessage(String label, String from, String to, String message) {
        String json = DefaultSpecs.image().toJson();
        assertThat(json).contains(from);
        String bad = json.replace(from, to);

        assertThatThrownBy(() -> ModelSpec.fromJson(bad))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining(message);
    }

    @Test
    void fromJsonRefusesNonJsonAndNonObjects() {
        assertThatThrownBy(() -> ModelSpec.fromJson("{not json"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ModelSpec.fromJson("[]"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("JSON object");
    }

    @Test
    void constructorRefusesInconsistentSpecs() {
        ModelSpec text = DefaultSpecs.text();
        assertThatThrownBy(
                        () ->
                                new ModelSpec(
                                        1,
                                        "text",
                                        ArchitectureKind.TEXT_TRANSFORMER,
                                        List.of(TensorSpec.of("input", DType.INT32, 64)),
                                        10,
                                        text.labels(),
                                        text.params(),
                                        1,
                                        0.001))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("'mask'");
        assertThatThrownBy(
                        () ->
                                new ModelSpec(
                                        1,
                                        "text",
                                        ArchitectureKind.AUDIO_LSTM,
                                        text.inputs(),
                                        10,
                                        text.labels(),
                                        text.params(),
                                        1,
                                        0.001))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("is AUDIO_LSTM but has TEXT_TRANSFORMER params");
        assertThatThrownBy(() -> new TextTransformerParams(100, 30, 4, 1, 16))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("multiple of heads");
        assertThatThrownBy(() -> new ImageCnnParams(8, 16, 5, 64, true, 1.0))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("dropout");
    }

    @Test
    void imageSpecRefusesInputsTooSmallForItsLayers() {
        ModelSpec image = DefaultSpecs.image();
        assertThatThrownBy(
                        () ->
                                new ModelSpec(
                                        1,
                                        "image",
                                        ArchitectureKind.IMAGE_CNN,
                                        List.of(TensorSpec.of("input", DType.FLOAT32, 1, 6, 6)),
                                        10,
                                        image.labels(),
                                        image.params(),
                                        1,
                                        0.001))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("too small");
    }

    @Test
    void forecasterNeedsAWindowWithHistoryAndAMaskOfItsLength() {
        ForecasterParams params = new ForecasterParams(List.of(8));
        TensorSpec window = TensorSpec.of("input", DType.FLOAT32, 16, 2);
        assertThat(forecaster(List.of(window), params).inputs()).containsExactly(window);
        assertThat(
                        forecaster(
                                        List.of(window, TensorSpec.of("mask", DType.FLOAT32, 16)),
                                        params)
                                .inputs())
                .hasSize(2);

        assertThatThrownBy(
                        () ->
                                forecaster(
                                        List.of(TensorSpec.of("input", DType.FLOAT32, 1, 2)),
                                        params))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("[window >= 2, channels]");
        assertThatThrownBy(
                        () ->
                                forecaster(
                                        List.of(TensorSpec.of("input", DType.FLOAT32, 16)), params))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("[window >= 2, channels]");
        assertThatThrownBy(
                        () ->
                                forecaster(
                                        List.of(window, TensorSpec.of("mask", DType.FLOAT32, 15)),
                                        params))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("second input must be");
        assertThatThrownBy(() -> new ForecasterParams(List.of(8, 0)))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("hiddenUnits must be positive");
    }

    private static ModelSpec forecaster(List<TensorSpec> inputs, ForecasterParams params) {
        return new ModelSpec(
                1, "m", ArchitectureKind.FORECASTER, inputs, 1, List.of(), params, 1, 0.001);
    }
}
