package io.streamdl.bench;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.trainer.TrainJob;
import io.streamdl.trainer.TrainJobConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * The pipeline's jobs as the learning benchmarks and the learning end-to-end case run them on an
 * embedded {@link Platform}: each job with parallelism 1, checkpoints every second, the Kafka group
 * id (and transactional id prefix) the caller names, and models signed and verified with {@link
 * PipelineJobs#DEVELOPMENT_KEY}. The ScoreJob and TrainJob of a model read and write that model's
 * topics with the encoder of the same name and its default settings; the TrainJob takes the given
 * {@code trainer.*} settings on top of its defaults.
 */
public final class BenchPipeline {
    private final String registryUrl;
    private final PipelineJobs jobs;
    private final KafkaSettings kafka;
    private final JobRunner runner;

    /**
     * @param group the group id and transactional id prefix of the jobs' Kafka clients
     */
    BenchPipeline(BenchPlatform bench, String group) {
        this(bench.platform, group);
    }

    /**
     * @param group the group id and transactional id prefix of the jobs' Kafka clients
     */
    public BenchPipeline(Platform platform, String group) {
        registryUrl = platform.registryUrl();
        jobs = new PipelineJobs(platform);
        kafka = jobs.kafka(group);
        runner = new JobRunner(platform, Duration.ofSeconds(1));
    }

    /** Submits the EncodeJob with the platform's encoder settings. */
    JobID encode() {
        return runner.submit(
                EncodeJob.onKafka(kafka, EncoderRegistry.fromSettings(jobs.encoderSettings())), 1);
    }

    /** Submits the ScoreJob of {@code model}, on ONNX Runtime, taking signed updates only. */
    JobID score(String model) {
        return score(model, model);
    }

    /** Submits the ScoreJob of {@code model} over {@code features.<encoder>}. */
    JobID score(String model, String encoder) {
        byte[] key = PipelineJobs.DEVELOPMENT_KEY.getBytes(StandardCharsets.UTF_8);
        return runner.submit(
                ScoreJob.onKafka(
                        kafka,
                        ScoreJobConfig.of(model, encoder, registryUrl, Map.of()),
                        new CodecVerifier(key, false),
                        ModelLoader.onnxRuntime(Map.of())),
                1);
    }

    /** Submits the TrainJob of {@code model} with these settings (keys of TrainJobConfig). */
    JobID train(String model, Map<String, String> settings) {
        return train(model, model, settings);
    }

    /** Submits the TrainJob of {@code model} over {@code features.<encoder>}. */
    JobID train(String model, String encoder, Map<String, String> settings) {
        return runner.submit(
                TrainJob.onKafka(kafka, TrainJobConfig.of(model, encoder, registryUrl, settings)),
                1);
    }

    /** Cancels a submitted job and waits until it has stopped. */
    void cancel(JobID job) {
        runner.cancel(job);
    }

    /** The whole learning loop of {@code model}: the EncodeJob, its ScoreJob and its TrainJob. */
    static BenchPipeline learning(
            BenchPlatform bench, String group, String model, Map<String, String> trainer) {
        return learning(bench.platform, group, model, trainer);
    }

    /** The whole learning loop of {@code model} on {@code platform}. */
    public static BenchPipeline learning(
            Platform platform, String group, String model, Map<String, String> trainer) {
        BenchPipeline pipeline = new BenchPipeline(platform, group);
        pipeline.encode();
        pipeline.score(model);
        pipeline.train(model, trainer);
        return pipeline;
    }
}
