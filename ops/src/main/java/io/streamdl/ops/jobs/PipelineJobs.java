package io.streamdl.ops.jobs;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
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
 * The pipeline's Flink jobs with their settings: the EncodeJob and one ScoreJob per default model.
 * Job settings come from the platform config's job keys ({@code image.*}, {@code text.*}, {@code
 * scoring.*}, {@code models.*}, ...).
 */
public final class PipelineJobs {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJobs.class);

    /**
     * HMAC key used when {@code models.hmac.key} is not set: fine for a demo, not for production.
     */
    public static final String DEVELOPMENT_KEY = "streamdl-development-key-change-me";

    public static final String HMAC_KEY = "models.hmac.key";
    public static final String BUNDLED_VOCAB = "/vocab/debian-wordpiece.txt";

    /** Which encoder's features each default model scores. */
    public static final Map<String, String> MODEL_ENCODERS =
            Map.of("image", "image", "audio", "audio", "text", "text");

    private final Platform platform;
    private final Map<String, String> settings;

    public PipelineJobs(Platform platform) {
        this.platform = platform;
        this.settings = new HashMap<>(platform.config().jobSettings());
    }

    public KafkaSettings kafka(String group) {
        return KafkaSettings.of(platform.bootstrapServers(), platform.registryUrl(), group);
    }

    public byte[] hmacKey() {
        String key = settings.get(HMAC_KEY);
        if (key == null) {
            LOG.warn(
                    "{} is not set: model updates are signed with the built-in development key",
                    HMAC_KEY);
            key = DEVELOPMENT_KEY;
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Encoder settings, with the bundled Debian vocabulary and the text model's length by default.
     */
    public Map<String, String> encoderSettings() {
        Map<String, String> encoders = new LinkedHashMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith("image.") || k.startsWith("audio.") || k.startsWith("text.")) {
                        encoders.put(k, v);
                    }
                });
        encoders.putIfAbsent("text.max.length", "64");
        if (!encoders.containsKey("text.vocab.path")) {
            encoders.put("text.vocab.path", bundledVocabulary().toString());
        }
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
        EncoderRegistry encoders = EncoderRegistry.fromSettings(encoderSettings());
        EncodeJob encode = EncodeJob.onKafka(kafka("streamdl-encode"), encoders);
        runner.submit(encode, parallelism("jobs.encode.parallelism"));
        names.add(encode.name());
        byte[] key = hmacKey();
        boolean allowUnsigned =
                Boolean.parseBoolean(settings.getOrDefault("models.allow-unsigned", "false"));
        Map<String, String> onnx = new HashMap<>();
        settings.forEach(
                (k, v) -> {
                    if (k.startsWith("scoring.onnx.")) {
                        onnx.put(k, v);
                    }
                });
        for (Map.Entry<String, String> e : MODEL_ENCODERS.entrySet()) {
            ScoreJobConfig config =
                    ScoreJobConfig.of(e.getKey(), e.getValue(), platform.registryUrl(), settings);
            ScoreJob job =
                    ScoreJob.onKafka(
                            kafka("streamdl-score-" + e.getKey()),
                            config,
                            new CodecVerifier(key, allowUnsigned),
                            ModelLoader.onnxRuntime(onnx));
            runner.submit(job, parallelism("jobs.score.parallelism"));
            names.add(job.name());
        }
        return names;
    }

    /**
     * Submits one TrainJob per default model (image, audio, text), signing with the same key the
     * scorers verify with; returns their names.
     */
    public List<String> submitTrainers(JobRunner runner) {
        Map<String, String> trainer = new HashMap<>(settings);
        trainer.put(HMAC_KEY, new String(hmacKey(), StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : MODEL_ENCODERS.entrySet()) {
            TrainJobConfig config =
                    TrainJobConfig.of(e.getKey(), e.getValue(), platform.registryUrl(), trainer);
            TrainJob job = TrainJob.onKafka(kafka("streamdl-train-" + e.getKey()), config);
            runner.submit(job, 1);
            names.add(job.name());
        }
        return names;
    }

    private int parallelism(String key) {
        String raw = settings.getOrDefault(key, "1");
        try {
            int p = Integer.parseInt(raw.trim());
            if (p < 1) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(
                    "invalid value '"
                            + raw
                            + "' for config key '"
                            + key
                            + "': expected a positive integer");
        }
    }
}
