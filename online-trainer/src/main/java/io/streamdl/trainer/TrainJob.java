package io.streamdl.trainer;

import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.DecodeRecords;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.StreamingJob;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.topics.Topics;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code features.<encoder>} joined with {@code events.labels} by event id → online fine-tuning of
 * the model with prequential evaluation → signed updates on {@code models.<model>}, accuracy, loss,
 * drift and publishing metrics on {@code dashboard.metrics}, and every refused input (records that
 * do not decode, unknown labels, features the model cannot take) on {@code dlq}.
 *
 * <p>An anomaly model (autoencoder, forecaster) learns from {@code features.<encoder>} alone: the
 * job has no labels source and no join, and its metric is the mean prequential error.
 *
 * <p>The trainer also reads {@code models.<model>} while it runs, so that a version another
 * publisher puts there (a rollback's copy of older weights, an imported model) moves the trainer
 * too: it adopts the weights it can load and numbers its versions above every other (see {@link
 * ModelTopicFollower}).
 *
 * <p>Decoding and the join run with {@link TrainJobConfig#parallelism()}; the trainer and its model
 * topic source always run as one instance (see {@link TrainOperator} for how versions stay unique
 * across failures).
 */
public final class TrainJob implements StreamingJob {
    private final TrainJobConfig config;
    private final RegistryClientFactory registries;
    private final ModelSpec spec;
    private final Source<RawRecord, ?, ?> features;

    /** {@code events.labels}, or null for an anomaly model, which learns from features alone. */
    private final Source<RawRecord, ?, ?> labels;

    /** {@code models.<model>}, read back for the versions other publishers put there. */
    private final Source<RawRecord, ?, ?> published;

    private final Sink<ModelUpdate> updates;
    private final Sink<DashboardMetric> metrics;
    private final Sink<DeadLetter> deadLetters;
    private final ModelUpdateLookup lookup;

    public TrainJob(
            TrainJobConfig config,
            RegistryClientFactory registries,
            ModelSpec spec,
            Source<RawRecord, ?, ?> features,
            Source<RawRecord, ?, ?> labels,
            Source<RawRecord, ?, ?> published,
            Sink<ModelUpdate> updates,
            Sink<DashboardMetric> metrics,
            Sink<DeadLetter> deadLetters,
            ModelUpdateLookup lookup) {
        if (!spec.name().equals(config.model())) {
            throw new IllegalArgumentException(
                    "spec is for model '" + spec.name() + "', config for '" + config.model() + "'");
        }
        if ((labels == null) == Objective.of(spec).needsLabels()) {
            throw new IllegalArgumentException(
                    "model '"
                            + spec.name()
                            + (labels == null
                                    ? "' learns from labels but the job has no labels source"
                                    : "' learns from features alone but the job was given labels"));
        }
        this.config = config;
        this.registries = registries;
        this.published = Objects.requireNonNull(published, "published");
        this.spec = spec;
        this.features = features;
        this.labels = labels;
        this.updates = updates;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.lookup = lookup;
    }

    /**
     * The job on Kafka for the default spec of {@code config.model()}, with transactional sinks,
     * the newest update of {@code models.<model>} as warm start and version floor, and that topic
     * followed while the job runs.
     */
    public static TrainJob onKafka(KafkaSettings kafka, TrainJobConfig config) {
        return onKafka(kafka, config, DefaultSpecs.byName(config.model()));
    }

    /**
     * The job on Kafka for {@code spec} (a catalogue entry's), with transactional sinks, the newest
     * update of {@code models.<model>} as warm start and version floor, and that topic followed
     * while the job runs.
     */
    public static TrainJob onKafka(KafkaSettings kafka, TrainJobConfig config, ModelSpec spec) {
        String model = config.model();
        return new TrainJob(
                config,
                kafka.registries(),
                spec,
                KafkaConnectors.rawSource(kafka, List.of(Topics.features(config.encoder()).name())),
                Objective.of(spec).needsLabels()
                        ? KafkaConnectors.rawSource(kafka, List.of(Topics.EVENTS_LABELS.name()))
                        : null,
                KafkaConnectors.rawSource(kafka, List.of(Topics.models(model).name())),
                KafkaConnectors.avroSink(
                        kafka, Topics.models(model), ModelUpdate::getModel, "models-" + model),
                KafkaConnectors.avroSink(
                        kafka,
                        Topics.DASHBOARD_METRICS,
                        DashboardMetric::getMetric,
                        "train-metrics-" + model),
                KafkaConnectors.avroSink(kafka, Topics.DLQ, null, "train-dlq-" + model),
                new KafkaModelLookup(
                        kafka.bootstrapServers(),
                        kafka.serde(),
                        kafka.registries(),
                        Topics.models(model).name(),
                        model,
                        kafka.security()));
    }

    @Override
    public String name() {
        return "TrainJob-" + config.model();
    }

    @Override
    public void build(StreamExecutionEnvironment env) {
        // The trainer is a two-input task of its own (examples, the followed model topic), so it
        // no longer chains to the join, and a slow training step backs up examples in the network
        // buffers before it. Aligned barriers waited behind them (a published version's
        // transaction committed ~20 s late in the demo); unaligned ones overtake them.
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        String model = config.model();
        String prefix = "train-" + model + "-";
        int parallelism = config.parallelism();
        SingleOutputStreamOperator<Features> decodedFeatures =
                env.fromSource(
                                features,
                                WatermarkStrategy.noWatermarks(),
                                "features." + config.encoder())
                        .uid(prefix + "features-source")
                        .setParallelism(parallelism)
                        .process(
                                new DecodeRecords<>(
                                        Features.class,
                                        config.registryUrl(),
                                        registries,
                                        TrainInputChecks.features(spec)))
                        .name("decode and check features")
                        .uid(prefix + "decode-features")
                        .setParallelism(parallelism);
        if (labels == null) {
            DataStream<LabelledExample> examples =
                    decodedFeatures
                            .map(new Unlabelled(), TypeInformation.of(LabelledExample.class))
                            .name("features as examples")
                            .uid(prefix + "unlabelled")
                            .setParallelism(parallelism);
            train(examples, prefix, decodedFeatures.getSideOutput(DecodeRecords.DEAD_LETTERS));
            return;
        }
        SingleOutputStreamOperator<Label> decodedLabels =
                env.fromSource(labels, WatermarkStrategy.noWatermarks(), "events.labels")
                        .uid(prefix + "labels-source")
                        .setParallelism(parallelism)
                        .process(
                                new DecodeRecords<>(
                                        Label.class,
                                        config.registryUrl(),
                                        registries,
                                        TrainInputChecks.labels(
                                                spec,
                                                config.otherModelsLabels(),
                                                config.reportsUnknownLabels())))
                        .name("decode and check labels")
                        .uid(prefix + "decode-labels")
                        .setParallelism(parallelism);
        SingleOutputStreamOperator<LabelledExample> joined =
                decodedFeatures
                        .keyBy(new FeaturesEventId(), Types.STRING)
                        .connect(decodedLabels.keyBy(new LabelEventId(), Types.STRING))
                        .process(
                                new JoinFeaturesWithLabels(config.joinHorizonMillis()),
                                TypeInformation.of(LabelledExample.class))
                        .name("join features with labels")
                        .uid(prefix + "join")
                        .setParallelism(parallelism);
        train(
                joined,
                prefix,
                decodedFeatures
                        .getSideOutput(DecodeRecords.DEAD_LETTERS)
                        .union(decodedLabels.getSideOutput(DecodeRecords.DEAD_LETTERS)));
    }

    /** The trainer and its sinks; {@code refused} are the dead letters of the inputs. */
    private void train(
            DataStream<LabelledExample> joined, String prefix, DataStream<DeadLetter> refused) {
        String model = config.model();
        DataStream<RawRecord> topic =
                joined.getExecutionEnvironment()
                        .fromSource(
                                published,
                                WatermarkStrategy.noWatermarks(),
                                "models." + model + " (followed)")
                        .uid(prefix + "models-source")
                        .setParallelism(1);
        SingleOutputStreamOperator<ModelUpdate> trained =
                joined.connect(topic)
                        .transform(
                                "online trainer",
                                TypeInformation.of(ModelUpdate.class),
                                new TrainOperator(
                                        spec,
                                        config.trainer(),
                                        config.codecConfig(),
                                        config.warmStart(),
                                        lookup,
                                        config.modelSnapshotDir(),
                                        config.registryUrl(),
                                        registries))
                        .uid(prefix + "trainer")
                        .setParallelism(1)
                        .setMaxParallelism(1);
        trained.sinkTo(updates)
                .name("models." + model)
                .uid(prefix + "models-sink")
                .setParallelism(1);
        trained.getSideOutput(TrainOperator.METRICS)
                .sinkTo(metrics)
                .name("dashboard.metrics")
                .uid(prefix + "metrics-sink")
                .setParallelism(1);
        DataStream<DeadLetter> dead =
                refused.union(trained.getSideOutput(TrainOperator.DEAD_LETTERS));
        dead.sinkTo(deadLetters)
                .name("dlq")
                .uid(prefix + "dlq-sink")
                .setParallelism(config.parallelism());
    }

    /** An anomaly model's example: the features, without a label. */
    static final class Unlabelled implements MapFunction<Features, LabelledExample> {
        private static final long serialVersionUID = 1L;

        @Override
        public LabelledExample map(Features f) {
            return new LabelledExample(f.getEventId(), null, f.getTs(), f);
        }
    }

    /** Keys features by their event id. */
    static final class FeaturesEventId implements KeySelector<Features, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Features f) {
            return f.getEventId();
        }
    }

    /** Keys labels by their event id. */
    static final class LabelEventId implements KeySelector<Label, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Label l) {
            return l.getEventId();
        }
    }
}
