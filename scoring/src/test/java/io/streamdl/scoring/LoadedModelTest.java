package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.AutoencoderParams;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Score;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadedModelTest {
    private static final ModelSpec AUTOENCODER =
            new ModelSpec(
                    ModelSpec.CURRENT_SPEC_VERSION,
                    "anomaly",
                    ArchitectureKind.AUTOENCODER,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 1, 4, 4)),
                    1,
                    List.of(),
                    new AutoencoderParams(List.of(8), 2),
                    3L,
                    1e-3);

    private static Features image(String id, float level) {
        ByteBuffer data = ByteBuffer.allocate(16 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            data.putFloat(level * (i % 4));
        }
        data.flip();
        return new Features(id, 1L, "image@1", "float32", List.of(1, 4, 4), data, null, null);
    }

    @Test
    void anAutoencodersScoreIsItsReconstructionError() {
        try (LoadedModel model =
                new LoadedModel(
                        4,
                        AUTOENCODER,
                        Dl4jBackend.create(AUTOENCODER, Architectures.build(AUTOENCODER)))) {
            List<Features> events = List.of(image("calm", 0.1f), image("wild", 3f));
            List<Score> scores = model.score(events, 9L);
            // the backends put the reconstruction error head on the network (Dl4jInputs, and the
            // ONNX export): the score is that error, computed here from the reconstruction
            var graph = Architectures.build(AUTOENCODER);
            for (int i = 0; i < events.size(); i++) {
                float[] in = FeatureTensors.batch(events, AUTOENCODER).tensor("input").row(i);
                float[] out =
                        graph.outputSingle(
                                        org.nd4j.linalg.factory.Nd4j.create(in, new long[] {1, 16}))
                                .toFloatVector();
                double expected = 0;
                for (int j = 0; j < in.length; j++) {
                    expected += (in[j] - out[j]) * (in[j] - out[j]);
                }
                assertThat(scores.get(i).getScore())
                        .as(events.get(i).getEventId())
                        .isCloseTo(expected / in.length, org.assertj.core.data.Offset.offset(1e-5));
                assertThat(scores.get(i).getLabel()).isNull();
                assertThat(scores.get(i).getModelVersion()).isEqualTo(4);
            }
            // a sigmoid output cannot follow inputs of 3 and more: the wild image scores higher
            assertThat(scores.get(1).getScore()).isGreaterThan(scores.get(0).getScore());
        }
    }
}
