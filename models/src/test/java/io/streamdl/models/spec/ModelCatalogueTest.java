package io.streamdl.models.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogueTest {
    @Test
    void theBundledCatalogueStillDeclaresTheSpecsThatWereWrittenInCodeBefore() throws Exception {
        // pinned from the hard-coded DefaultSpecs before the catalogue replaced them: the same
        // specs mean the same networks, so existing model topics and checkpoints stay valid;
        // models added since sit among them
        List<String> before;
        try (InputStream in =
                ModelCatalogueTest.class.getResourceAsStream(
                        "default-specs-before-catalogue.jsonl")) {
            before = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        ModelCatalogue bundled = ModelCatalogue.bundled();
        // the anomaly autoencoder, never enabled before, now reconstructs standardised features
        // linearly; nothing else about it changed
        String anomalyBefore =
                before.stream().filter(l -> l.contains("\"name\":\"anomaly\"")).findFirst().get();
        assertThat(bundled.entry("anomaly").spec().toJson())
                .isEqualTo(
                        anomalyBefore.replace(
                                "\"bottleneck\":32}",
                                "\"bottleneck\":32,\"reconstruction\":\"linear\"}"));
        // the never-run neural matrix factorisation was renamed from recs to ncf when the
        // next-item recommender took the name
        String recsBefore =
                before.stream().filter(l -> l.contains("\"name\":\"recs\"")).findFirst().get();
        assertThat(bundled.entry("ncf").spec().toJson())
                .isEqualTo(recsBefore.replace("\"name\":\"recs\"", "\"name\":\"ncf\""));
        assertThat(bundled.entries())
                .extracting(e -> e.spec().toJson())
                .containsSubsequence(
                        before.stream()
                                .filter(l -> !l.equals(anomalyBefore) && !l.equals(recsBefore))
                                .toList());
        assertThat(bundled.entries())
                .extracting(ModelCatalogue.Entry::name)
                .containsExactly("image", "audio", "text", "anomaly", "metric", "recs", "ncf");
        assertThat(bundled.enabled())
                .extracting(ModelCatalogue.Entry::name)
                .containsExactly("image", "audio", "text", "anomaly", "metric", "recs");
        assertThat(bundled.entry("image").encoder()).isEqualTo("image");
        assertThat(DefaultSpecs.image()).isEqualTo(bundled.entry("image").spec());
    }

    @Test
    void theMetricForecasterReadsTheMetricEncodersWindows() {
        ModelCatalogue.Entry metric = ModelCatalogue.bundled().entry("metric");
        assertThat(metric.encoder()).isEqualTo("metric");
        assertThat(metric.enabled()).isTrue();
        assertThat(metric.spec().kind()).isEqualTo(ArchitectureKind.FORECASTER);
        assertThat(metric.spec().inputs())
                .containsExactly(
                        TensorSpec.of("input", DType.FLOAT32, DefaultSpecs.METRIC_WINDOW, 1),
                        TensorSpec.of("mask", DType.FLOAT32, DefaultSpecs.METRIC_WINDOW));
        assertThat(metric.spec().outputSize()).isEqualTo(1);
        assertThat(metric.spec().labels()).isEmpty();
    }

    @Test
    void aUsersEntryBringsItsOwnClassesSizesAndTrainerSettings() {
        ModelCatalogue catalogue =
                ModelCatalogue.parse(
                        """
                        {"models": [{
                          "name": "shoes", "encoder": "image", "family": "cnn",
                          "labels": ["sandal", "sneaker", "boot"],
                          "params": {"conv1Channels": 4, "conv2Channels": 8, "kernelSize": 3,
                                     "denseUnits": 16, "batchNorm": false, "dropout": 0.0},
                          "trainer": {"trainer.batch-size": 8, "trainer.publish.every-examples": "64"}
                        }]}
                        """,
                        "test");
        ModelCatalogue.Entry shoes = catalogue.entry("shoes");
        assertThat(shoes.spec().labels()).containsExactly("sandal", "sneaker", "boot");
        assertThat(shoes.spec().outputSize()).isEqualTo(3);
        assertThat(shoes.spec().inputs().get(0).shape()).containsExactly(1, 28, 28);
        assertThat(shoes.trainer())
                .containsEntry("trainer.batch-size", "8")
                .containsEntry("trainer.publish.every-examples", "64");
        assertThat(shoes.enabled()).isTrue();
    }

    @Test
    void mistakesAreRefusedNamingTheEntryAndWhatIsWrong() {
        String params =
                "\"params\": {\"conv1Channels\": 4, \"conv2Channels\": 8, \"kernelSize\": 3,"
                        + " \"denseUnits\": 16, \"batchNorm\": false, \"dropout\": 0.0}";
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"encoder\": \"image\", \"family\": \"cnn\", \"lables\": [\"x\", \"y\"], "
                                                + params))
                .hasMessageContaining("test, model 0")
                .hasMessageContaining("unknown field 'lables'");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"encoder\": \"image\", \"family\": \"rnn\", \"labels\": [\"x\", \"y\"], "
                                                + params))
                .hasMessageContaining("unknown family 'rnn'");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"encoder\": \"image\", \"family\": \"cnn\", \"labels\": \"cifar\", "
                                                + params))
                .hasMessageContaining("no label set 'cifar'");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"encoder\": \"image\", \"family\": \"cnn\", \"labels\": [\"x\", \"x\"], "
                                                + params))
                .hasMessageContaining("duplicate labels");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"encoder\": \"image\", \"family\": \"cnn\", \"labels\": [\"x\", \"y\"], \"trainer\": {\"batch-size\": 8}, "
                                                + params))
                .hasMessageContaining("'batch-size' is not a trainer key");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "\"name\": \"a\", \"family\": \"cnn\", \"labels\": [\"x\", \"y\"], "
                                                + params))
                .hasMessageContaining("needs an 'encoder'");
        String one =
                "{\"name\": \"a\", \"encoder\": \"image\", \"family\": \"cnn\", \"labels\": [\"x\", \"y\"], "
                        + params
                        + "}";
        assertThatThrownBy(
                        () ->
                                ModelCatalogue.parse(
                                        "{\"models\": [" + one + ", " + one + "]}", "test"))
                .hasMessageContaining("declared twice");
    }

    private static ModelCatalogue parse(String entry) {
        return ModelCatalogue.parse("{\"models\": [{" + entry + "}]}", "test");
    }
}
