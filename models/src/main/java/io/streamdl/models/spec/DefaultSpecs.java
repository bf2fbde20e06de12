package io.streamdl.models.spec;

import io.streamdl.schemas.labels.LabelSets;
import java.util.List;
import java.util.Map;

/**
 * The default models of the pipeline, as the bundled {@link ModelCatalogue} declares them, sized to
 * train online on a couple of CPU cores. Their inputs follow the feature encoders: images NCHW
 * {@code [1, 28, 28]} float32 (Fashion-MNIST), audio log-mel {@code [98 frames, 40 mels]} float32,
 * text int32 token ids {@code [64]} with a float32 mask, metric windows {@code [32 points, 1
 * channel]} float32 with a float32 mask, recommendation user and item indices.
 */
public final class DefaultSpecs {
    public static final String IMAGE = "image";
    public static final String AUDIO = "audio";
    public static final String TEXT = "text";
    public static final String ANOMALY = "anomaly";
    public static final String METRIC = "metric";
    public static final String RECS = "recs";
    public static final String NCF = "ncf";

    /** Fashion-MNIST's classes, in label-index order. */
    public static final List<String> FASHION_MNIST_LABELS = LabelSets.get(LabelSets.FASHION_MNIST);

    /**
     * The spoken keywords of the audio model, in label-index order: the words of the keyword data
     * set ({@code KeywordClips.WORDS} in ingest).
     */
    public static final List<String> KEYWORDS = LabelSets.get(LabelSets.KEYWORDS);

    /**
     * The Debian sections the text model tells apart, in label-index order: the sections of the
     * Debian description corpus ({@code TextCorpus.SECTIONS} in ingest).
     */
    public static final List<String> DEBIAN_SECTIONS = LabelSets.get(LabelSets.DEBIAN_SECTIONS);

    public static final int IMAGE_SIZE = 28;
    public static final int AUDIO_FRAMES = 98;
    public static final int AUDIO_MELS = 40;
    public static final int TEXT_MAX_LEN = 64;

    /** Points per metric window: the metric encoder's default {@code metric.window}. */
    public static final int METRIC_WINDOW = 32;

    /** Token ids of the bundled WordPiece vocabulary ({@code vocab/debian-wordpiece.txt}). */
    public static final int TEXT_VOCAB_SIZE = 8000;

    private DefaultSpecs() {}

    /** The bundled catalogue's {@code image} model. */
    public static ModelSpec image() {
        return byName(IMAGE);
    }

    /** The bundled catalogue's {@code audio} model. */
    public static ModelSpec audio() {
        return byName(AUDIO);
    }

    /** The bundled catalogue's {@code text} model. */
    public static ModelSpec text() {
        return byName(TEXT);
    }

    /** The bundled catalogue's {@code anomaly} model. */
    public static ModelSpec anomaly() {
        return byName(ANOMALY);
    }

    /** The bundled catalogue's {@code metric} model. */
    public static ModelSpec metric() {
        return byName(METRIC);
    }

    /** The bundled catalogue's {@code recs} model: the next-item recommender. */
    public static ModelSpec recs() {
        return byName(RECS);
    }

    /**
     * The bundled catalogue's {@code ncf} model: a neural matrix factorisation of (user, item)
     * pairs, declared but not run by any job.
     */
    public static ModelSpec ncf() {
        return byName(NCF);
    }

    /** All default specs by model name, in catalogue order. */
    public static Map<String, ModelSpec> all() {
        java.util.LinkedHashMap<String, ModelSpec> specs = new java.util.LinkedHashMap<>();
        for (ModelCatalogue.Entry e : ModelCatalogue.bundled().entries()) {
            specs.put(e.name(), e.spec());
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
