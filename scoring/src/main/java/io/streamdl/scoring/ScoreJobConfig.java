package io.streamdl.scoring;

import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one ScoreJob scores and how it batches. Immutable; {@link #of} reads the {@code scoring.*}
 * keys of {@link #OPTIONS} (an unknown {@code scoring.*} key is refused as a likely typo), and the
 * constructor checks every value with the same options.
 *
 * @param model the model name: reads {@code models.<model>}, writes {@code scores.<model>}
 * @param encoder the features it scores: {@code features.<encoder>}
 * @param registryUrl the schema registry
 * @param maxBatch a batch closes at this many events
 * @param maxWaitMillis or this long after its first event
 * @param maxHeld events held before the first model arrives
 * @param parallelism parallelism of the scorer (the update verification runs as one instance)
 * @param stateDir where checkpoints keep the serving model as a file (one folder per model and
 *     instance inside it), or null to keep it in every checkpoint
 * @param trials whether new versions are tried before they serve ({@link #TRIALS})
 * @param canaryFraction 0 for trials in shadow, else the fraction of event keys a candidate scores
 *     ({@link #CANARY_FRACTION})
 */
public record ScoreJobConfig(
        String model,
        String encoder,
        String registryUrl,
        int maxBatch,
        long maxWaitMillis,
        int maxHeld,
        int parallelism,
        String stateDir,
        boolean trials,
        double canaryFraction)
        implements Serializable {
    public static final ConfigOption<Integer> MAX_BATCH =
            ConfigOption.intRange(
                    "scoring.batch.max-size",
                    64,
                    1,
                    4096,
                    "a micro-batch closes at this many events");
    public static final ConfigOption<Long> MAX_WAIT =
            ConfigOption.longRange(
                    "scoring.batch.max-wait-ms",
                    5,
                    0,
                    60_000,
                    "or this many milliseconds after its first event");
    public static final ConfigOption<Integer> MAX_HELD =
            ConfigOption.intRange(
                    "scoring.hold.max-events",
                    100_000,
                    0,
                    Integer.MAX_VALUE,
                    "events held (in checkpointed state) until a model's first version arrives;"
                            + " beyond it they go to dlq as NO_MODEL");
    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOption.intRange(
                    "scoring.parallelism", 1, 1, 1024, "parallelism of each ScoreJob's scorer");

    /**
     * Which models are scored inside the EncodeJob ({@link FusedScoreJob}) rather than by a
     * ScoreJob reading {@code features.<encoder>}; read by the pipeline, not by a ScoreJob.
     */
    public static final ConfigOption<String> FUSED =
            ConfigOption.string(
                    "scoring.fused",
                    "all",
                    "models scored in the EncodeJob as their events are encoded (the fused path:"
                            + " no wait for the features topic): all, none, or a comma-separated"
                            + " list; only models of the image, audio and text encoders can be");

    public static final ConfigOption<String> STATE_DIR =
            ConfigOption.string(
                    "scoring.state-dir",
                    "",
                    "folder (seen by every Flink TaskManager) where checkpoints keep each scorer's"
                            + " serving model as a file, written once per version; empty: inside"
                            + " every checkpoint (`up` and `demo` use <data-dir>/scorer-state)");

    /**
     * Which models put each new version on trial before it serves (read by the pipeline, which sets
     * {@link #trials} per model).
     */
    public static final ConfigOption<String> TRIALS =
            ConfigOption.string(
                    "scoring.trials",
                    "none",
                    "models whose new versions are tried before they serve (in shadow on"
                            + " scores.<model>.shadow, or as a canary) and serve only once the"
                            + " lifecycle controller promotes them: all, none, or a comma-separated"
                            + " list");

    /** 0: trials in shadow; above: the fraction of event keys a candidate scores as a canary. */
    public static final ConfigOption<Double> CANARY_FRACTION =
            ConfigOption.doubleRange(
                    "scoring.trials.canary-fraction",
                    0,
                    0,
                    1,
                    "0: a candidate scores every event in shadow beside the served version; above"
                            + " 0: it serves this fraction of event keys as a canary instead");

    /** Every key a ScoreJob reads besides the ONNX Runtime session keys. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    MAX_BATCH,
                    MAX_WAIT,
                    MAX_HELD,
                    PARALLELISM,
                    FUSED,
                    STATE_DIR,
                    TRIALS,
                    CANARY_FRACTION);

    /**
     * Whether {@code model} is in a {@link #TRIALS} value: {@code all}, {@code none} or a
     * comma-separated list.
     */
    public static boolean inList(String value, String model) {
        String v = value.trim();
        if (v.equals("all")) {
            return true;
        }
        if (v.equals("none") || v.isEmpty()) {
            return false;
        }
        for (String m : v.split(",")) {
            if (m.trim().equals(model)) {
                return true;
            }
        }
        return false;
    }

    public ScoreJobConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(registryUrl, "registryUrl");
        MAX_BATCH.check(maxBatch);
        MAX_WAIT.check(maxWaitMillis);
        MAX_HELD.check(maxHeld);
        PARALLELISM.check(parallelism);
        stateDir = stateDir == null || stateDir.isBlank() ? null : stateDir;
    }

    /** Where this model's scorer instance {@code subtask} keeps its state files, or null. */
    public String modelStateDir() {
        return stateDir == null
                ? null
                : java.nio.file.Path.of(stateDir, model).toAbsolutePath().toString();
    }

    /**
     * Reads the {@code scoring.*} keys of {@link #OPTIONS} and of the ONNX Runtime session (which
     * {@link ModelLoader#onnxRuntime} reads) from {@code settings}; absent keys take their
     * defaults: batches of up to 64 events or 5 ms, up to 100,000 events held.
     *
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad or unknown value
     */
    public static ScoreJobConfig of(
            String model, String encoder, String registryUrl, Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "scoring.", allOptions());
        return new ScoreJobConfig(
                model,
                encoder,
                registryUrl,
                MAX_BATCH.read(settings),
                MAX_WAIT.read(settings),
                MAX_HELD.read(settings),
                PARALLELISM.read(settings),
                STATE_DIR.read(settings),
                inList(TRIALS.read(settings), model),
                CANARY_FRACTION.read(settings));
    }

    /** {@link #OPTIONS} and the ONNX Runtime session's keys: every {@code scoring.*} key. */
    public static List<ConfigOption<?>> allOptions() {
        return java.util.stream.Stream.concat(
                        java.util.stream.Stream.concat(
                                OPTIONS.stream(),
                                io.streamdl.scoring.lifecycle.LifecycleSettings.OPTIONS.stream()),
                        io.streamdl.models.inference.OnnxRuntimeBackend.Config.OPTIONS.stream())
                .toList();
    }
}
