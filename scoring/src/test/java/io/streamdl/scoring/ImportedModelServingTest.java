package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.onnx.OnnxImport;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.testing.TestingForeignOnnx;
import io.streamdl.models.testing.TestingForeignOnnx.Classifier;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier that Debian's python3-onnx wrote, imported with {@link OnnxImport}, passes the
 * scorers' {@link CodecVerifier}, is built by {@link ModelLoader#onnxRuntime} and scores
 * Fashion-MNIST images as the image encoder turns them into features exactly as numpy computes it.
 */
class ImportedModelServingTest {
    private static final byte[] KEY =
            "a-test-hmac-key-of-32-bytes-long".getBytes(StandardCharsets.UTF_8);
    private static final int IMAGES = 8;

    @TempDir Path dir;

    @Test
    void theScorersServeAnImportedModelOnEncodedImagesAsNumpyScoresThem() throws Exception {
        FashionMnist data = FashionMnist.load(FashionMnist.Split.TEST);
        ImageEncoder encoder = new ImageEncoder(ImageEncoderConfig.defaults());
        List<Features> events = new ArrayList<>();
        float[] pixels = new float[IMAGES * 28 * 28];
        for (int i = 0; i < IMAGES; i++) {
            ImagePayload png =
                    ImagePayload.newBuilder()
                            .setContentType(ImageEncoder.PNG)
                            .setWidth(FashionMnist.COLS)
                            .setHeight(FashionMnist.ROWS)
                            .setData(
                                    ByteBuffer.wrap(
                                            ImageCodecs.png(
                                                    data.image(i),
                                                    FashionMnist.COLS,
                                                    FashionMnist.ROWS)))
                            .build();
            Features f = encoder.encode("event-" + i, 1_000L + i, png);
            events.add(f);
            f.getData()
                    .duplicate()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(pixels, i * 28 * 28, 28 * 28);
        }
        Classifier classifier = TestingForeignOnnx.make(dir, 28, 10, pixels);
        assertThat(classifier.count()).isEqualTo(IMAGES);

        ModelUpdate update =
                OnnxImport.build(
                        "image",
                        classifier.onnx(),
                        ImageEncoder.NAME,
                        DefaultSpecs.FASHION_MNIST_LABELS,
                        1,
                        null,
                        Map.of(),
                        new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY)));

        CodecVerifier verifier = new CodecVerifier(KEY, false);
        assertThat(verifier.check(update)).isNull();
        ModelUpdate tampered =
                ModelUpdate.newBuilder(update)
                        .setArchitecture(update.getArchitecture().replace("Coat", "Jacket"))
                        .build();
        assertThat(verifier.check(tampered).reason()).isEqualTo("CHECKSUM_MISMATCH");

        try (LoadedModel model = ModelLoader.onnxRuntime(Map.of()).load(update)) {
            assertThat(model.version()).isEqualTo(1);
            assertThat(model.spec().kind()).isEqualTo(ArchitectureKind.IMPORTED);
            for (Features f : events) {
                assertThat(FeatureTensors.check(f, model.spec())).isNull();
            }
            List<Score> scores = model.score(events, 5_000L);

            assertThat(scores).hasSize(IMAGES);
            for (int i = 0; i < IMAGES; i++) {
                float[] want = classifier.expected(i);
                Score s = scores.get(i);
                assertThat(s.getEventId()).isEqualTo("event-" + i);
                assertThat(s.getModelVersion()).isEqualTo(1L);
                int best = 0;
                for (int c = 0; c < 10; c++) {
                    assertThat((double) Math.abs(s.getProbabilities().get(c) - want[c]))
                            .as("image %d class %d", i, c)
                            .isLessThan(1e-5);
                    best = want[c] > want[best] ? c : best;
                }
                assertThat(s.getLabel()).isEqualTo(DefaultSpecs.FASHION_MNIST_LABELS.get(best));
            }
        }
    }
}
