package io.streamdl.models.spec;

import java.util.List;
import java.util.Map;

/**
 * The five default models of the pipeline, sized to train online on a couple of CPU cores. Their
 * inputs follow the feature encoders: images NCHW {@code [1, 28, 28]} float32 (Fashion-MNIST),
 * audio log-mel {@code [98 frames, 40 mels]} float32, text int32 token ids {@code [64]} with a
 * float32 mask, recommendation user and item indices.
 */
public final class DefaultSpecs {
    public static final String IMAGE = "image";
    public static final String AUDIO = "audio";
    public static final String TEXT = "text";
    public static final String ANOMALY = "anomaly";
    public static final String RECS = "recs";

    /** Fashion-MNIST's classes, in label-index order. */
    public static final List<String> FASHION_MNIST_LABELS =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /**
     * The spoken keywords of the audio model, in label-index order: the words of the keyword data
     * set ({@code KeywordClips.WORDS} in ingest).
     */
    public static final List<String> KEYWORDS =
            List.of(
                    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                    "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go");

    /**
     * The Debian sections the text model tells apart, in label-index order: the sections of the
     * Debian description corpus ({@code TextCorpus.SECTIONS} in ingest).
     */
    public static final List<String> DEBIAN_SECTIONS =
            List.of(
                    "admin",
                    "database",
                    "editors",
                    "games",
                    "graphics",
                    "mail",
                    "math",
                    "net",
                    "science",
                    "sound");

    public static final int IMAGE_SIZE = 28;
    public static final int AUDIO_FRAMES = 98;
    public static final int AUDIO_MELS = 40;
    public static final int TEXT_MAX_LEN = 64;

    /** Token ids of the bundled WordPiece vocabulary ({@code vocab/debian-wordpiece.txt}). */
    public static final int TEXT_VOCAB_SIZE = 8000;

    private static final long SEED = 42L;
    private static final double LEARNING_RATE = 1e-3;

    private DefaultSpecs() {}

    public static ModelSpec image() {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                IMAGE,
                ArchitectureKind.IMAGE_CNN,
                List.of(TensorSpec.of("input", DType.FLOAT32, 1, IMAGE_SIZE, IMAGE_SIZE)),
                FASHION_MNIST_LABELS.size(),
                FASHION_MNIST_LABELS,
                new ImageCnnParams(16, 32, 3, 128, true, 0.25),
                SEED,
                LEARNING_RATE);
    }

    public static ModelSpec audio() {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                AUDIO,
                ArchitectureKind.AUDIO_LSTM,
                List.of(TensorSpec.of("input", DType.FLOAT32, AUDIO_FRAMES, AUDIO_MELS)),
                KEYWORDS.size(),
                KEYWORDS,
                new AudioLstmParams(96, 1, 0.2),
                SEED,
                LEARNING_RATE);
    }

    public static ModelSpec text() {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                TEXT,
                ArchitectureKind.TEXT_TRANSFORMER,
                List.of(
                        TensorSpec.of("input", DType.INT32, TEXT_MAX_LEN),
                        TensorSpec.of("mask", DType.FLOAT32, TEXT_MAX_LEN)),
                DEBIAN_SECTIONS.size(),
                DEBIAN_SECTIONS,
                new TextTransformerParams(TEXT_VOCAB_SIZE, 64, 4, 2, 128),
                SEED,
                LEARNING_RATE);
    }

    public static ModelSpec anomaly() {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                ANOMALY,
                ArchitectureKind.AUTOENCODER,
                List.of(TensorSpec.of("input", DType.FLOAT32, 1, IMAGE_SIZE, IMAGE_SIZE)),
                1,
                List.of(),
                new AutoencoderParams(List.of(128), 32),
                SEED,
                LEARNING_RATE);
    }

    public static ModelSpec recs() {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                RECS,
                ArchitectureKind.RECS,
                List.of(
                        TensorSpec.of("user", DType.INT32, 1),
                        TensorSpec.of("item", DType.INT32, 1)),
                1,
                List.of(),
                new RecsParams(1000, 10000, 16, 32),
                SEED,
                LEARNING_RATE);
    }

    /** All default specs by model name, in a fixed order. */
    public static Map<String, ModelSpec> all() {
        java.util.LinkedHashMap<String, ModelSpec> specs = new java.util.LinkedHashMap<>();
        for (ModelSpec s : List.of(image(), audio(), text(), anomaly(), recs())) {
            specs.put(s.name(), s);
        }
        return java.util.Collections.unmodifiableMap(specs);
    }

    /** The default spec of the model called {@code name}. */
    public static ModelSpec byName(String name) {
        ModelSpec spec = all().get(name);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "no default model '" + name + "'; known: " + all().keySet());
        }
        return spec;
    }
}
