package io.streamdl.scoring.recs;

import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.schemas.config.ConfigGroup;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import io.streamdl.schemas.topics.Topics;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the item embedder reads, how often it re-embeds and how it verifies and runs the image
 * model. Immutable; {@link #of} reads the {@code items.*} keys of {@link #OPTIONS} (an unknown
 * {@code items.*} key is refused as a likely typo) and the keys it shares with the rest of the
 * pipeline: the scorers' signing keys ({@link ModelUpdateCodec.Config#OPTIONS}), their ONNX Runtime
 * session keys ({@link OnnxRuntimeBackend.Config#OPTIONS}) and the image encoder's {@code image.*}
 * keys, so that an item's tensor is the one the EncodeJob would write for its image. The
 * constructor checks every value with the same options.
 *
 * @param bootstrapServers the Kafka cluster
 * @param registryUrl the schema registry
 * @param imageModel the model whose {@code models.<imageModel>} updates are embedded with
 * @param minIntervalMillis least wall-clock time between two re-embeddings; a newer version that
 *     arrives sooner waits, and when the time has passed only the newest waiting version is
 *     embedded (0: every version at once)
 * @param batchSize items per ONNX Runtime call
 * @param applicationId the Kafka Streams application id: consumer group, prefix of the internal
 *     topics and of the state directory
 * @param stateDir where the local state stores live; empty for Kafka Streams' default
 * @param signing how updates are verified (the scorers' key)
 * @param onnx the ONNX Runtime session settings (keys of {@link OnnxRuntimeBackend.Config})
 * @param image the image encoder's settings
 */
public record ItemEmbedderConfig(
        String bootstrapServers,
        String registryUrl,
        String imageModel,
        long minIntervalMillis,
        int batchSize,
        String applicationId,
        String stateDir,
        ModelUpdateCodec.Config signing,
        Map<String, String> onnx,
        ImageEncoderConfig image,
        boolean exactlyOnce) {
    private static final Pattern MODEL_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public static final ConfigOption<String> IMAGE_MODEL =
            new ConfigOption<>(
                    "items.image-model",
                    "image",
                    "the image model (an image CNN) whose models.<model> updates the item"
                            + " embedder embeds the catalogue with",
                    s -> s,
                    s -> MODEL_NAME.matcher(s).matches(),
                    "a model name (lower-case letters, digits, '_' or '-')");
    public static final ConfigOption<Long> MIN_INTERVAL =
            ConfigOption.longRange(
                    "items.reembed.min-interval-ms",
                    60_000,
                    0,
                    Long.MAX_VALUE,
                    "least wall-clock milliseconds between two re-embeddings of the catalogue;"
                            + " a version arriving sooner waits, and only the newest waiting one is"
                            + " embedded (0: every version at once)");
    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOption.intRange(
                    "items.batch-size",
                    256,
                    1,
                    4096,
                    "catalogue items per ONNX Runtime call when embedding");
    public static final ConfigOption<String> APPLICATION =
            new ConfigOption<>(
                    "items.application-id",
                    "streamdl-item-embedder",
                    "Kafka Streams application id of the item embedder (its consumer group and the"
                            + " prefix of its internal topics)",
                    s -> s,
                    s -> APPLICATION_ID.matcher(s).matches(),
                    "1 to 200 letters, digits, '.', '_' or '-'");
    public static final ConfigOption<String> STATE_DIR =
            ConfigOption.string(
                    "items.state-dir",
                    "",
                    "directory of the item embedder's local state (empty: Kafka Streams' default"
                            + " under java.io.tmpdir)");

    /** The {@code items.*} keys: the item embedder's own. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(IMAGE_MODEL, MIN_INTERVAL, BATCH_SIZE, APPLICATION, STATE_DIR);

    /**
     * The item embedder's own keys as {@code ./pipeline config} lists them; the signing, ONNX
     * Runtime and image encoder keys it also reads are listed with their components.
     */
    public static final ConfigGroup GROUP =
            ConfigGroup.of(
                    "item embedder (Kafka Streams: image model to items.embeddings)", OPTIONS);

    public ItemEmbedderConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        IMAGE_MODEL.check(imageModel);
        MIN_INTERVAL.check(minIntervalMillis);
        BATCH_SIZE.check(batchSize);
        APPLICATION.check(applicationId);
        STATE_DIR.check(stateDir);
        Objects.requireNonNull(signing, "signing");
        onnx = Map.copyOf(onnx);
        OnnxRuntimeBackend.Config.from(onnx);
        Objects.requireNonNull(image, "image");
    }

    /**
     * Reads the {@code items.*} keys of {@link #OPTIONS}, the signing keys, the ONNX Runtime
     * session keys and the {@code image.*} keys from {@code settings}; other keys are ignored.
     * Absent keys take their defaults: model {@code image}, at most one re-embedding a minute,
     * batches of 256 items.
     *
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad or unknown value
     * @throws IllegalArgumentException naming {@value ModelUpdateCodec.Config#HMAC_KEY} when no
     *     signing key is set and unsigned updates are not allowed
     */
    public static ItemEmbedderConfig of(
            String bootstrapServers, String registryUrl, Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "items.", OPTIONS);
        Map<String, String> onnx = new TreeMap<>();
        for (ConfigOption<?> option : OnnxRuntimeBackend.Config.OPTIONS) {
            if (settings.containsKey(option.key())) {
                onnx.put(option.key(), settings.get(option.key()));
            }
        }
        return new ItemEmbedderConfig(
                bootstrapServers,
                registryUrl,
                IMAGE_MODEL.read(settings),
                MIN_INTERVAL.read(settings),
                BATCH_SIZE.read(settings),
                APPLICATION.read(settings),
                STATE_DIR.read(settings),
                ModelUpdateCodec.Config.from(settings),
                onnx,
                ImageEncoderConfig.from(settings),
                io.streamdl.schemas.config.Delivery.exactlyOnce(settings));
    }

    /** The topic read: {@code models.<imageModel>}. */
    public String modelTopic() {
        return Topics.models(imageModel).name();
    }
}
