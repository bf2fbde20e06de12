package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one TrainJob trains and how. Immutable; {@link #of} reads the {@code trainer.*} keys (see
 * {@link #OPTIONS}) and the shared signing keys {@value ModelUpdateCodec.Config#HMAC_KEY} and
 * {@value ModelUpdateCodec.Config#ALLOW_UNSIGNED}, and names the key of any bad value.
 *
 * @param model the model trained; its updates go to {@code models.<model>}
 * @param encoder the features it learns from: {@code features.<encoder>}
 * @param registryUrl the schema registry the inputs are decoded with
 * @param joinHorizonMillis how long one side of a (features, label) pair waits for the other
 * @param parallelism parallelism of the sources, decoding and the join; the trainer itself always
 *     runs as one instance
 * @param warmStart whether a trainer without a checkpoint starts from the newest update on {@code
 *     models.<model>} (version numbering continues after it either way)
 * @param trainer how the trainer learns, publishes and reacts to drift
 * @param hmacKey the key updates are signed with, or null to publish unsigned (only if allowed)
 * @param allowUnsigned whether unsigned updates are acceptable (publishing and warm start)
 * @param otherModelsLabels the classes of the other models whose labels share {@code
 *     events.labels}: such a label is skipped (counted) rather than dead-lettered
 * @param reportsUnknownLabels whether a label of no model's classes goes to {@code dlq} from this
 *     trainer (exactly one trainer per labels topic should, so it lands there once)
 * @param snapshotDir where checkpoints keep the trainer's snapshots as files (one folder per model
 *     inside it), or null to keep them in the checkpoints themselves
 */
public record TrainJobConfig(
        String model,
        String encoder,
        String registryUrl,
        long joinHorizonMillis,
        int parallelism,
        boolean warmStart,
        TrainerSettings trainer,
        byte[] hmacKey,
        boolean allowUnsigned,
        Set<String> otherModelsLabels,
        boolean reportsUnknownLabels,
        String snapshotDir,
        ModelUpdateCodec.Config signing)
        implements Serializable {

    public static final ConfigOption<Long> JOIN_HORIZON_SECONDS =
            ConfigOption.longRange(
                    "trainer.join.horizon-seconds",
                    120,
                    1,
                    Long.MAX_VALUE / 1000,
                    "how long features wait for their label, or a label for its features, before"
                            + " being dropped and counted as unmatched; join state is about"
                            + " event rate x horizon x features size");
    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOption.intRange(
                    "trainer.parallelism",
                    1,
                    1,
                    1024,
                    "parallelism of decoding and the join (the trainer is always one instance)");
    public static final ConfigOption<Boolean> WARM_START =
            ConfigOption.bool(
                    "trainer.warm-start",
                    true,
                    "start a trainer without checkpoint from the newest update on models.<model>");

    public static final ConfigOption<String> SNAPSHOT_DIR =
            ConfigOption.string(
                    "trainer.snapshot-dir",
                    "",
                    "folder (seen by every Flink TaskManager) where checkpoints keep trainer"
                            + " snapshots as files written only when the weights changed; empty:"
                            + " inside every checkpoint (`up` and `demo` use <data-dir>/trainer-snapshots)");

    /** Every {@code trainer.*} key, with its default. */
    public static final List<ConfigOption<?>> OPTIONS;

    static {
        List<ConfigOption<?>> keys =
                new ArrayList<>(
                        List.of(JOIN_HORIZON_SECONDS, PARALLELISM, WARM_START, SNAPSHOT_DIR));
        keys.addAll(TrainerSettings.OPTIONS);
        OPTIONS = List.copyOf(keys);
    }

    public TrainJobConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(trainer, "trainer");
        if (joinHorizonMillis < 1) {
            throw ConfigException.invalid(
                    JOIN_HORIZON_SECONDS.key(), joinHorizonMillis / 1000.0, "a positive number");
        }
        PARALLELISM.check(parallelism);
        otherModelsLabels = Set.copyOf(otherModelsLabels);
        // validates key length and the signed/unsigned combination
        new ModelUpdateCodec.Config(hmacKey, allowUnsigned);
        hmacKey = hmacKey == null ? null : hmacKey.clone();
        snapshotDir = snapshotDir == null || snapshotDir.isBlank() ? null : snapshotDir;
    }

    /**
     * Reads a config from key=value settings: the {@code trainer.*} keys of {@link #OPTIONS} (an
     * unknown {@code trainer.*} key is refused as a likely typo) and the signing keys.
     *
     * @throws IllegalArgumentException naming the key of a bad or missing value
     */
    public static TrainJobConfig of(
            String model, String encoder, String registryUrl, Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "trainer.", OPTIONS);
        ModelUpdateCodec.Config codec = ModelUpdateCodec.Config.from(settings);
        return new TrainJobConfig(
                model,
                encoder,
                registryUrl,
                JOIN_HORIZON_SECONDS.read(settings) * 1000,
                PARALLELISM.read(settings),
                WARM_START.read(settings),
                TrainerSettings.from(settings),
                codec.hmacKey(),
                codec.allowUnsigned(),
                Set.of(),
                true,
                SNAPSHOT_DIR.read(settings),
                codec);
    }

    /**
     * This config for a trainer that shares {@code events.labels} with models whose classes are
     * {@code labels}; only a trainer with {@code reportUnknown} dead-letters a label of no model.
     */
    public TrainJobConfig sharingLabelsWith(Set<String> labels, boolean reportUnknown) {
        return new TrainJobConfig(
                model,
                encoder,
                registryUrl,
                joinHorizonMillis,
                parallelism,
                warmStart,
                trainer,
                hmacKey,
                allowUnsigned,
                labels,
                reportUnknown,
                snapshotDir,
                signing);
    }

    /** Where this model's trainer keeps its snapshot files, or null for none. */
    public String modelSnapshotDir() {
        return snapshotDir == null
                ? null
                : java.nio.file.Path.of(snapshotDir, model).toAbsolutePath().toString();
    }

    /** The signing settings updates are published and warm-start updates verified with. */
    public ModelUpdateCodec.Config codecConfig() {
        return signing != null ? signing : new ModelUpdateCodec.Config(hmacKey, allowUnsigned);
    }

    /** A copy of the key, or null. */
    @Override
    public byte[] hmacKey() {
        return hmacKey == null ? null : hmacKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainJobConfig c
                && model.equals(c.model)
                && encoder.equals(c.encoder)
                && registryUrl.equals(c.registryUrl)
                && joinHorizonMillis == c.joinHorizonMillis
                && parallelism == c.parallelism
                && warmStart == c.warmStart
                && trainer.equals(c.trainer)
                && Arrays.equals(hmacKey, c.hmacKey)
                && allowUnsigned == c.allowUnsigned
                && otherModelsLabels.equals(c.otherModelsLabels)
                && reportsUnknownLabels == c.reportsUnknownLabels
                && Objects.equals(snapshotDir, c.snapshotDir);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, encoder, registryUrl, trainer) * 31 + Arrays.hashCode(hmacKey);
    }

    @Override
    public String toString() {
        // never print the key
        return "TrainJobConfig[model="
                + model
                + ", encoder="
                + encoder
                + ", registryUrl="
                + registryUrl
                + ", joinHorizonMillis="
                + joinHorizonMillis
                + ", parallelism="
                + parallelism
                + ", warmStart="
                + warmStart
                + ", trainer="
                + trainer
                + ", hmacKey="
                + (hmacKey == null ? "none" : "<set>")
                + ", allowUnsigned="
                + allowUnsigned
                + ", snapshotDir="
                + snapshotDir
                + "]";
    }
}
