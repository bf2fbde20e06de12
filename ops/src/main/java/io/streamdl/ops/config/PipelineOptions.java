package io.streamdl.ops.config;

import io.streamdl.encoders.audio.AudioEncoderConfig;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.job.EncodeJobConfig;
import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.ops.web.WebConfig;
import io.streamdl.schemas.config.ConfigGroup;
import io.streamdl.schemas.config.ConfigSchema;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.scoring.anomaly.AnomalyDetectorConfig;
import io.streamdl.scoring.dashboard.DashboardAggregatesConfig;
import io.streamdl.scoring.recs.ItemEmbedderConfig;
import io.streamdl.scoring.recs.RecommenderConfig;
import io.streamdl.trainer.TrainJobConfig;
import java.util.List;

/**
 * Every config key of the pipeline, by component: what {@code ./pipeline config} lists and what
 * {@link #platformConfig} checks before anything starts. Each component declares its own options
 * next to the config record that reads them; this class only gathers them.
 */
public final class PipelineOptions {
    public static final ConfigSchema SCHEMA =
            ConfigSchema.of(
                    List.of(
                            ConfigGroup.of(
                                    "platform (Kafka, schema registry, Flink, HTTP ingest)",
                                    PlatformConfig.OPTIONS),
                            ConfigGroup.of(
                                    "schema registry client (Confluent's keys, for an external"
                                            + " registry over TLS or with basic auth)",
                                    RegistryClientSettings.OPTIONS),
                            ConfigGroup.of(
                                    "delivery and latency (every job and app)",
                                    java.util.List.of(
                                            io.streamdl.schemas.config.Delivery.OPTION,
                                            io.streamdl.ops.jobs.JobRunner.BUFFER_TIMEOUT,
                                            io.streamdl.ops.jobs.JobRunner.SHIP_JARS,
                                            io.streamdl.ops.jobs.JobRunner
                                                    .SCORING_CHECKPOINT_INTERVAL)),
                            ConfigGroup.of("EncodeJob", EncodeJobConfig.OPTIONS),
                            ConfigGroup.of("image encoder", ImageEncoderConfig.OPTIONS),
                            ConfigGroup.of("audio encoder", AudioEncoderConfig.OPTIONS),
                            ConfigGroup.of("text encoder", TextEncoderConfig.OPTIONS),
                            ConfigGroup.of(
                                    "metric windows (per series)", MetricEncoderConfig.OPTIONS),
                            ConfigGroup.of("scorers (every ScoreJob)", ScoreJobConfig.allOptions()),
                            ConfigGroup.of(
                                    "online trainers (every TrainJob)", TrainJobConfig.OPTIONS),
                            ConfigGroup.of(
                                    "anomaly detector (Kafka Streams: scores to anomalies)",
                                    AnomalyDetectorConfig.OPTIONS),
                            ConfigGroup.of(
                                    "recommender (Kafka Streams: interactions to recommendations)",
                                    RecommenderConfig.OPTIONS),
                            ItemEmbedderConfig.GROUP,
                            ConfigGroup.of(
                                    "dashboard aggregates (Kafka Streams: scores and dlq to"
                                            + " dashboard.metrics)",
                                    DashboardAggregatesConfig.OPTIONS),
                            ConfigGroup.of(
                                    "live page and Prometheus metrics (GET / and /metrics)",
                                    WebConfig.OPTIONS),
                            ConfigGroup.of(
                                    "model signing (trainers and scorers)",
                                    ModelUpdateCodec.Config.OPTIONS)));

    private PipelineOptions() {}

    /**
     * The platform config of {@code settings} once every key of every component has been checked.
     *
     * @throws io.streamdl.schemas.config.ConfigException for the first unknown key (with the
     *     nearest known one) or bad value
     */
    public static PlatformConfig platformConfig(java.util.Map<String, String> settings) {
        SCHEMA.check(settings);
        return PlatformConfig.from(settings);
    }
}
