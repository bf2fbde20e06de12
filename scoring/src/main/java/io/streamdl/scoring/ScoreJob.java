package io.streamdl.scoring;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.RawRecordSchema;
import io.streamdl.schemas.flink.StreamingJob;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.lifecycle.CanaryRouter;
import io.streamdl.scoring.lifecycle.ServingGate;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
    private final Lifecycle lifecycle;

    /**
     * The lifecycle wiring of a ScoreJob on Kafka: {@code models.events} in (pins, promotions) and
     * out ({@code SERVING}, {@code SHADOW}), and with shadow trials a second scorer for the
     * candidate, writing {@code scores.<model>.shadow}.
     *
     * @param bootstrap where the gate looks up a version it has not seen
     * @param shadowScores null without trials in shadow
     * @param canaryFraction the share of event keys a candidate serves as a canary; 0 without
     *     canary trials
     */
    public record Lifecycle(
            Source<RawRecord, ?, ?> events,
            Sink<ModelEvent> eventsOut,
            Sink<Score> shadowScores,
            String bootstrap,
            KafkaClientSecurity security,
            double canaryFraction) {
        boolean trials() {
            return shadowScores != null || canaryFraction > 0;
        }
    }

    public ScoreJob(
            ScoreJobConfig config,
            RegistryClientFactory registries,
            Source<RawRecord, ?, ?> features,
            Source<RawRecord, ?, ?> updates,
            Sink<Score> scores,
            Sink<DeadLetter> deadLetters,
            UpdateVerifier verifier,
            ModelLoader loader) {
        this(config, registries, features, updates, scores, deadLetters, verifier, loader, null);
    }

    /**
     * @param lifecycle null for a scorer that serves every newer update (no gate)
     */
    public ScoreJob(
            ScoreJobConfig config,
            RegistryClientFactory registries,
            Source<RawRecord, ?, ?> features,
            Source<RawRecord, ?, ?> updates,
            Sink<Score> scores,
            Sink<DeadLetter> deadLetters,
            UpdateVerifier verifier,
            ModelLoader loader,
            Lifecycle lifecycle) {
        this.config = config;
        this.lifecycle = lifecycle;
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
                loader,
                onKafka.lifecycle);
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
                KafkaConnectors.rawSourceFromStart(
                        kafka, List.of(Topics.models(config.model()).name())),
                KafkaConnectors.avroSink(
                        kafka,
                        Topics.scores(config.model()),
                        Score::getEventId,
                        "scores-" + config.model()),
                KafkaConnectors.avroSink(kafka, Topics.DLQ, null, "score-dlq-" + config.model()),
                verifier,
                loader,
                new Lifecycle(
                        KafkaConnectors.rawSourceFromStart(
                                kafka, List.of(Topics.MODEL_EVENTS.name())),
                        KafkaConnectors.avroSink(
                                kafka,
                                Topics.MODEL_EVENTS,
                                ModelEvent::getModel,
                                "model-events-" + config.model()),
                        config.trials() && config.canaryFraction() == 0
                                ? KafkaConnectors.avroSink(
                                        kafka,
                                        Topics.shadowScores(config.model()),
                                        Score::getEventId,
                                        "shadow-scores-" + config.model())
                                : null,
                        kafka.bootstrapServers(),
                        kafka.security(),
                        config.trials() ? config.canaryFraction() : 0));
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
        DataStream<ModelUpdate> toScorers = verified;
        DataStream<ModelEvent> events = null;
        DataStream<RawRecord> servingInput = raw;
        SingleOutputStreamOperator<Score> canaryScored = null;
        if (lifecycle != null) {
            DataStream<RawRecord> control =
                    env.fromSource(
                                    lifecycle.events(),
                                    WatermarkStrategy.noWatermarks(),
                                    Topics.MODEL_EVENTS.name())
                            .uid("score-" + model + "-events-source")
                            .setParallelism(1);
            SingleOutputStreamOperator<ModelUpdate> gated =
                    verified.keyBy(u -> model, Types.STRING)
                            .connect(control.keyBy(r -> model, Types.STRING))
                            .process(
                                    new ServingGate(
                                            model,
                                            lifecycle.trials(),
                                            lifecycle.canaryFraction() > 0,
                                            lifecycle.bootstrap(),
                                            lifecycle.security(),
                                            config.registryUrl(),
                                            registries,
                                            verifier))
                            .name("lifecycle gate")
                            .uid("score-" + model + "-gate")
                            .setParallelism(1);
            toScorers = gated;
            events = gated.getSideOutput(ServingGate.EVENTS);
            if (lifecycle.shadowScores() != null) {
                String shadowDir =
                        config.modelStateDir() == null ? null : config.modelStateDir() + "-shadow";
                // its dead letters are the serving scorer's too, so they are not written twice
                raw.connect(gated.getSideOutput(ServingGate.SHADOW).broadcast())
                        .transform(
                                "shadow score",
                                TypeInformation.of(Score.class),
                                scorer(0, shadowDir).withoutServingEvents())
                        .uid("score-" + model + "-shadow-scorer")
                        .sinkTo(lifecycle.shadowScores())
                        .name("scores." + model + ".shadow")
                        .uid("score-" + model + "-shadow-sink");
            }
            if (lifecycle.canaryFraction() > 0) {
                SingleOutputStreamOperator<RawRecord> routed =
                        raw.connect(
                                        gated.getSideOutput(ServingGate.TRIALS)
                                                .broadcast(CanaryRouter.TRIAL))
                                .process(new CanaryRouter(lifecycle.canaryFraction()))
                                .name("canary router")
                                .uid("score-" + model + "-canary-router");
                servingInput = routed;
                canaryScored = canaryScorer(routed, gated.getSideOutput(ServingGate.SHADOW));
            }
        }
        SingleOutputStreamOperator<Score> scored =
                servingInput
                        .connect(toScorers.broadcast())
                        .transform(
                                "decode and micro-batch score",
                                TypeInformation.of(Score.class),
                                scorer(config.maxHeld(), config.modelStateDir()))
                        .uid("score-" + model + "-scorer");
        DataStream<Score> served = scored;
        DataStream<DeadLetter> dead =
                verified.getSideOutput(VerifyModelUpdates.DEAD_LETTERS)
                        .union(scored.getSideOutput(MicroBatchScorer.DEAD_LETTERS));
        if (canaryScored != null) {
            // the canary's events are its alone: its scores are served, its dead letters written
            served = scored.union(canaryScored);
            dead = dead.union(canaryScored.getSideOutput(MicroBatchScorer.DEAD_LETTERS));
        }
        served.sinkTo(scores).name("scores." + model).uid("score-" + model + "-sink");
        dead.sinkTo(deadLetters).name("dlq").uid("score-" + model + "-dlq");
        if (lifecycle != null) {
            events.union(scored.getSideOutput(MicroBatchScorer.SERVING_EVENTS))
                    .sinkTo(lifecycle.eventsOut())
                    .name(Topics.MODEL_EVENTS.name())
                    .uid("score-" + model + "-events-sink");
        }
    }

    /** The candidate's scorer of the canary's share of the events: its scores are served. */
    private SingleOutputStreamOperator<Score> canaryScorer(
            SingleOutputStreamOperator<RawRecord> routed, DataStream<ModelUpdate> candidates) {
        String model = config.model();
        String canaryDir =
                config.modelStateDir() == null ? null : config.modelStateDir() + "-canary";
        return routed.getSideOutput(CanaryRouter.CANARY)
                .connect(candidates.broadcast())
                .transform(
                        "canary score",
                        TypeInformation.of(Score.class),
                        scorer(config.maxHeld(), canaryDir).withoutServingEvents())
                .uid("score-" + model + "-canary-scorer");
    }

    /** A scorer of this job's model, its batches, registry and loader. */
    private MicroBatchScorer scorer(int maxHeld, String stateDir) {
        return new MicroBatchScorer(
                config.registryUrl(),
                registries,
                loader,
                config.maxBatch(),
                config.maxWaitMillis(),
                maxHeld,
                stateDir);
    }
}
