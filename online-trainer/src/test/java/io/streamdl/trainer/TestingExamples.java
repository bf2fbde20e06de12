package io.streamdl.trainer;

import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * Synthetic, learnable examples for image specs: class 0 is horizontal stripes, class 1 vertical
 * stripes, each with a random phase and Gaussian noise, so a CNN separates them in a few hundred
 * examples. Reproducible from a seed.
 */
final class TestingExamples {
    /** A small image CNN that trains in milliseconds per step. */
    static final ModelSpec TINY =
            new ModelSpec(
                    ModelSpec.CURRENT_SPEC_VERSION,
                    "tiny",
                    ArchitectureKind.IMAGE_CNN,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 1, 12, 12)),
                    2,
                    List.of("horizontal", "vertical"),
                    new ImageCnnParams(4, 8, 3, 16, false, 0.0),
                    7L,
                    1e-3);

    private final ModelSpec spec;
    private final Random random;
    private int next;

    TestingExamples(ModelSpec spec, long seed) {
        this.spec = spec;
        this.random = new Random(seed);
    }

    /** The next example, of class {@code index % 2}, labelled with {@code labelIndex}'s label. */
    LabelledExample next(int patternClass, int labelIndex) {
        String id = "e" + next++;
        return new LabelledExample(
                id, spec.labels().get(labelIndex), 1000L + next, features(id, patternClass));
    }

    /** The next example, its label the true class. */
    LabelledExample next(int patternClass) {
        return next(patternClass, patternClass);
    }

    /** Features of one stripe image of {@code patternClass} (0 horizontal, 1 vertical). */
    Features features(String eventId, int patternClass) {
        TensorSpec in = spec.inputs().get(0);
        int h = in.dim(1);
        int w = in.dim(2);
        int phase = random.nextInt(2);
        ByteBuffer data = ByteBuffer.allocate(h * w * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int line = patternClass == 0 ? y : x;
                float v =
                        ((line + phase) % 2 == 0 ? 1f : 0f) + (float) random.nextGaussian() * 0.3f;
                data.putFloat(v);
            }
        }
        return Features.newBuilder()
                .setEventId(eventId)
                .setTs(1L)
                .setEncodedBy("image@1")
                .setDtype("float32")
                .setShape(in.shape())
                .setData(ByteBuffer.wrap(data.array()))
                .build();
    }

    static Label label(String eventId, String label, long ts) {
        return new Label(eventId, label, ts);
    }
}
