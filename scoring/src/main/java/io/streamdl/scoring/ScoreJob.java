package io.streamdl.scoring;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.RawRecordSchema;
import io.streamdl.schemas.flink.StreamingJob;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.topics.Topics;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code features.<encoder>} scored by the newest verified {@code models.<model>} update → {@code
 * scores.<model>}, micro-batched; undecodable features, refused updates and features the model
 * cannot take → {@code dlq}. As a job of its own it reads the features topic; {@link #score} also
 * attaches the same scorer to features made in the same job ({@link FusedScoreJob}).
 */
public final class ScoreJob implements StreamingJob {
    private final ScoreJobConfig config;
    private final RegistryClientFactory registries;
    private final Source<RawRecord, ?, ?> features;
    private final Source<RawRecord, ?, ?> updates;
    private final Sink<Score> scores;
    private final Sink<DeadLetter> deadLetters;
    private final UpdateVerifier verifier;
    private final ModelLoader loader;

    public ScoreJob(
            ScoreJobConfig config,
            RegistryClientFactory registries,
            Source<RawRecord, ?, ?> features,
            Source<RawRecord, ?, ?> updates,
            Sink<Score> scores,
            Sink<DeadLetter> deadLetters,
            UpdateVerifier verifier,
            ModelLoader loader) {
        this.config = config;
        this.registries = registries;
        this.features = features;
        this.updates = updates;
        this.scores = scores;
        this.deadLetters = deadLetters;
        this.verifier = verifier;
        this.loader = loader;
    }

    /**
     * The scorer on Kafka for features mostly made in its own job (see {@link #score}): it also
     * reads the features topic, for the records other writers put there, but skips those whose
     * {@link RawRecordSchema#SCORED_BY} header names its model (already scored where they were
     * made).
     */
    public static ScoreJob fusedOnKafka(
            KafkaSettings kafka,
            ScoreJobConfig config,
            UpdateVerifier verifier,
            ModelLoader loader) {
        ScoreJob onKafka = onKafka(kafka, config, verifier, loader);
        return new ScoreJob(
                config,
                kafka.registries(),
                KafkaConnectors.rawSourceNotScoredBy(
                        kafka, List.of(Topics.features(config.encoder()).name()), config.model()),
                onKafka.updates,
                onKafka.scores,
                onKafka.deadLetters,
                verifier,
                loader);
    }

    public ScoreJobConfig config() {
        return config;
    }

    /** The job on Kafka, with transactional sinks. */
    public static ScoreJob onKafka(
            KafkaSettings kafka,
            ScoreJobConfig config,
            UpdateVerifier verifier,
            ModelLoader loader) {
        // Every scorer instance must see every update: the models topic is read by its own group
        // per job, from the earliest retained (compacted) update.
        return new ScoreJob(
                config,
                kafka.registries(),
                KafkaConnectors.rawSource(kafka, List.of(Topics.features(config.encoder()).name())),
                KafkaConnectors.rawSource(kafka, List.of(Topics.models(config.model()).name())),
                KafkaConnectors.avroSink(
                        kafka,
                        Topics.scores(config.model()),
                        Score::getEventId,
                        "scores-" + config.model()),
                KafkaConnectors.avroSink(kafka, Topics.DLQ, null, "score-dlq-" + config.model()),
                verifier,
                loader);
    }

    @Override
    public String name() {
        return "ScoreJob-" + config.model();
    }

    @Override
    public void build(StreamExecutionEnvironment env) {
        score(env, null);
    }

    /**
     * How long the task before the scorer may hold a partly filled buffer of features: none. The
     * scorer has two inputs, so Flink cannot chain it to its features' task, and a buffer held for
     * Flink's usual 100 ms would be that much latency; the scorer batches the features itself.
     */
    public static final long INPUT_BUFFER_TIMEOUT_MILLIS = 0;

    /**
     * Scores the features source's records and {@code made} (null for none): features in the wire
     * format (Confluent framing, Avro {@code Features}) made in the same job, whose producer should
     * send every record at once ({@link #INPUT_BUFFER_TIMEOUT_MILLIS}); with this job's model
     * topic, sinks and settings.
     */
    public void score(StreamExecutionEnvironment env, DataStream<RawRecord> made) {
        String model = config.model();
        DataStream<RawRecord> raw =
                env.fromSource(
                                features,
                                WatermarkStrategy.noWatermarks(),
                                "features." + config.encoder())
                        .uid("score-" + model + "-features-source")
                        .setBufferTimeout(INPUT_BUFFER_TIMEOUT_MILLIS);
        if (made != null) {
            raw = made.union(raw);
        }
        SingleOutputStreamOperator<ModelUpdate> verified =
                env.fromSource(updates, WatermarkStrategy.noWatermarks(), "models." + model)
                        .uid("score-" + model + "-models-source")
                        .setParallelism(1)
                        .process(
                                new VerifyModelUpdates(
                                        config.registryUrl(), registries, model, verifier))
                        .name("verify model updates")
                        .uid("score-" + model + "-verify")
                        .setParallelism(1);
        SingleOutputStreamOperator<Score> scored =
                raw.connect(verified.broadcast())
                        .transform(
                                "decode and micro-batch score",
                                TypeInformation.of(Score.class),
                                new MicroBatchScorer(
                                        config.registryUrl(),
                                        registries,
                                        loader,
                                        config.maxBatch(),
                                        config.maxWaitMillis(),
                                        config.maxHeld(),
                                        config.modelStateDir()))
                        .uid("score-" + model + "-scorer");
        scored.sinkTo(scores).name("scores." + model).uid("score-" + model + "-sink");
        DataStream<DeadLetter> dead =
                verified.getSideOutput(VerifyModelUpdates.DEAD_LETTERS)
                        .union(scored.getSideOutput(MicroBatchScorer.DEAD_LETTERS));
        dead.sinkTo(deadLetters).name("dlq").uid("score-" + model + "-dlq");
    }
}
