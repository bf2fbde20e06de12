package io.streamdl.ops.jobs;

import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.encoders.job.EncodeJobConfig;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.trainer.TrainJob;
import io.streamdl.trainer.TrainJobConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's Flink jobs with their configs: the EncodeJob, and a ScoreJob and a TrainJob per
 * model. {@link #plan} builds every job's config record from the settings without starting
 * anything, so a bad value fails before Kafka, the registry or Flink are up.
 */
public final class PipelineJobs {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJobs.class);

    /**
     * HMAC key used when {@code models.hmac.key} is not set: fine for a demo, not for production.
     */
    public static final String DEVELOPMENT_KEY = "streamdl-development-key-change-me";

    public static final String HMAC_KEY = ModelUpdateCodec.Config.HMAC_KEY;
    public static final String BUNDLED_VOCAB = "/vocab/debian-wordpiece.txt";

    /** Which encoder's features each default model scores. */
    public static final Map<String, String> MODEL_ENCODERS =
            Map.of("image", "image", "audio", "audio", "text", "text");

    /**
     * Every job's config, built from one settings map.
     *
     * @param encode the EncodeJob's
     * @param scorers one per model
     * @param trainers one per model
     * @param signing what scorers verify updates with
     */
    public record Plan(
            EncodeJobConfig encode,
            List<ScoreJobConfig> scorers,
            List<TrainJobConfig> trainers,
            ModelUpdateCodec.Config signing) {}

    private final Platform platform;
    private final Map<String, String> settings;

    public PipelineJobs(Platform platform) {
        this.platform = platform;
        this.settings = new HashMap<>(platform.config().jobSettings());
    }

    /**
     * Builds every job's config from {@code config}'s settings; nothing is started or written.
     *
     * @param registryUrl the registry the jobs will use (only recorded in the configs)
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad value
     */
    public static Plan plan(PlatformConfig config, String registryUrl) {
        Map<String, String> settings = withDefaults(config.jobSettings(), "(bundled vocabulary)");
        // the vocabulary is only a name here: the text encoder is built with the EncodeJob, from
        // the file written into the data directory
        EncodeJobConfig encode = EncodeJobConfig.of(settings);
        List<ScoreJobConfig> scorers = new ArrayList<>();
        List<TrainJobConfig> trainers = new ArrayList<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(MODEL_ENCODERS).entrySet()) {
            scorers.add(ScoreJobConfig.of(e.getKey(), e.getValue(), registryUrl, settings));
            trainers.add(TrainJobConfig.of(e.getKey(), e.getValue(), registryUrl, settings));
        }
        OnnxRuntimeBackend.Config.from(settings);
        return new Plan(encode, scorers, trainers, ModelUpdateCodec.Config.from(settings));
    }

    /**
     * The settings with the pipeline's own defaults: the development signing key when none is set,
     * the text model's length and {@code vocabulary} as the text encoder's vocabulary.
     */
    private static Map<String, String> withDefaults(Map<String, String> given, String vocabulary) {
        Map<String, String> settings = new LinkedHashMap<>(given);
        settings.putIfAbsent(HMAC_KEY, DEVELOPMENT_KEY);
        settings.putIfAbsent(TextEncoderConfig.MAX_LENGTH.key(), "64");
        settings.putIfAbsent(TextEncoderConfig.VOCAB_PATH.key(), vocabulary);
        return settings;
    }

    public KafkaSettings kafka(String group) {
        return KafkaSettings.of(platform.bootstrapServers(), platform.registryUrl(), group);
    }

    public byte[] hmacKey() {
        return jobSettings().get(HMAC_KEY).getBytes(StandardCharsets.UTF_8);
    }

    /** The job settings with the pipeline's defaults (see {@link #withDefaults}). */
    private Map<String, String> jobSettings() {
        if (!settings.containsKey(HMAC_KEY)) {
            LOG.warn(
                    "{} is not set: model updates are signed with the built-in development key",
                    HMAC_KEY);
        }
        return withDefaults(settings, bundledVocabulary().toString());
    }

    /**
     * Encoder settings, with the bundled Debian vocabulary and the text model's length by default.
     */
    public Map<String, String> encoderSettings() {
        Map<String, String> encoders = new LinkedHashMap<>();
        jobSettings()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("image.")
                                    || k.startsWith("audio.")
                                    || k.startsWith("text.")
                                    || k.startsWith("encode.")) {
                                encoders.put(k, v);
                            }
                        });
        return encoders;
    }

    private Path bundledVocabulary() {
        Path target = platform.config().dataDir().resolve("vocab").resolve("debian-wordpiece.txt");
        try (InputStream in = PipelineJobs.class.getResourceAsStream(BUNDLED_VOCAB)) {
            if (in == null) {
                throw new PlatformException(
                        "the bundled text vocabulary "
                                + BUNDLED_VOCAB
                                + " is missing from the class path");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot write the text vocabulary to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Submits the EncodeJob and the ScoreJobs; returns their names. */
    public List<String> submitEncodeAndScore(JobRunner runner) {
        List<String> names = new ArrayList<>();
        Map<String, String> all = jobSettings();
        EncodeJobConfig encodeConfig = EncodeJobConfig.of(encoderSettings());
        EncodeJob encode = EncodeJob.onKafka(kafka("streamdl-encode"), encodeConfig.encoders());
        runner.submit(encode, encodeConfig.parallelism());
        names.add(encode.name());
        ModelUpdateCodec.Config signing = ModelUpdateCodec.Config.from(all);
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(MODEL_ENCODERS).entrySet()) {
            ScoreJobConfig config =
                    ScoreJobConfig.of(e.getKey(), e.getValue(), platform.registryUrl(), all);
            ScoreJob job =
                    ScoreJob.onKafka(
                            kafka("streamdl-score-" + e.getKey()),
                            config,
                            new CodecVerifier(signing.hmacKey(), signing.allowUnsigned()),
                            ModelLoader.onnxRuntime(onnxSettings(all)));
            runner.submit(job, config.parallelism());
            names.add(job.name());
        }
        return names;
    }

    private static Map<String, String> onnxSettings(Map<String, String> all) {
        Map<String, String> onnx = new HashMap<>();
        for (var option : OnnxRuntimeBackend.Config.OPTIONS) {
            if (all.containsKey(option.key())) {
                onnx.put(option.key(), all.get(option.key()));
            }
        }
        return onnx;
    }

    /**
     * Submits one TrainJob per model, signing with the same key the scorers verify with; returns
     * their names.
     */
    public List<String> submitTrainers(JobRunner runner) {
        Map<String, String> all = jobSettings();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(MODEL_ENCODERS).entrySet()) {
            TrainJobConfig config =
                    TrainJobConfig.of(e.getKey(), e.getValue(), platform.registryUrl(), all);
            TrainJob job = TrainJob.onKafka(kafka("streamdl-train-" + e.getKey()), config);
            runner.submit(job, 1);
            names.add(job.name());
        }
        return names;
    }
}
