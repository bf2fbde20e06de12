package io.streamdl.bench;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.FusedScoreJob;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A ScoreJob on an embedded platform, as the score, propagation and scale scenarios drive it: real
 * features of each modality (the platform's encoders over real events), signed model updates
 * published to {@code models.<model>}, features sent to {@code features.<model>}, a ScoreJob of a
 * given batch size, parallelism and delivery, and the rate its scores become readable at.
 */
final class ScoringRig implements AutoCloseable {
    static final byte[] KEY = PipelineJobs.DEVELOPMENT_KEY.getBytes(StandardCharsets.UTF_8);

    final BenchPlatform bench;
    final RestSchemaRegistryClient registry;
    final AvroWireSerializer<Object> avro;
    final KafkaProducer<byte[], byte[]> producer;
    final ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY));
    final JobRunner runner;
    private final EncoderRegistry encoders;
    private final AvroWireDeserializer<Score> scores;

    ScoringRig(int slots, Duration checkpoints) throws Exception {
        this(slots, checkpoints, Map.of());
    }

    /** With {@code extra} platform and job settings. */
    ScoringRig(int slots, Duration checkpoints, Map<String, String> extra) throws Exception {
        bench = new BenchPlatform(slots, extra);
        registry = new RestSchemaRegistryClient(bench.platform.registryUrl());
        avro =
                new AvroWireSerializer<>(
                        registry, SerdeConfig.forValues(bench.platform.registryUrl()));
        producer = bench.producer();
        runner = new JobRunner(bench.platform, checkpoints);
        encoders = EncoderRegistry.fromSettings(new PipelineJobs(bench.platform).encoderSettings());
        scores = AvroWireDeserializer.specific(registry, Score.class);
    }

    /** The platform's encoders (the EncodeJob's). */
    EncoderRegistry encoders() {
        return encoders;
    }

    /**
     * {@code n} features of {@code model}'s modality (at least one), encoded by the platform's
     * encoders from real events ({@link EncodeBenchmark#events}).
     */
    List<Features> features(String model, int n) throws Exception {
        List<RawEvent> events =
                EncodeBenchmark.events("audio".equals(model) ? 0 : n, "audio".equals(model) ? n : 0)
                        .get(model);
        List<Features> out = new ArrayList<>(n);
        for (RawEvent e : events) {
            EncoderRegistry.Encoded encoded = encoders.encode(e);
            if (encoded != null && encoded.features() != null) {
                out.add(encoded.features());
            }
            if (out.size() == n) {
                break;
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no features for " + model);
        }
        return out;
    }

    /** Publishes version {@code version} of {@code network}; returns when the broker acked it. */
    long publish(ModelSpec spec, org.deeplearning4j.nn.graph.ComputationGraph network, long version)
            throws Exception {
        ModelUpdate update =
                codec.encode(spec, network, version, version > 1 ? version - 1 : null, Map.of());
        String topic = "models." + spec.name();
        producer.send(
                        new ProducerRecord<>(
                                topic,
                                spec.name().getBytes(StandardCharsets.UTF_8),
                                avro.serialize(topic, update)))
                .get();
        return System.currentTimeMillis();
    }

    /** Publishes version 1 of a fresh network of {@code model}'s default spec. */
    void publishFresh(String model) throws Exception {
        ModelSpec spec = DefaultSpecs.byName(model);
        publish(spec, Architectures.build(spec), 1);
    }

    /** Sends each of {@code features} once more, as event {@code prefix + i}, stamped now. */
    void send(String model, List<Features> features, String prefix, int count) {
        String topic = "features." + model;
        for (int i = 0; i < count; i++) {
            Features f = features.get(i % features.size());
            String id = prefix + i;
            Features copy =
                    Features.newBuilder(f).setEventId(id).setTs(System.currentTimeMillis()).build();
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            id.getBytes(StandardCharsets.UTF_8),
                            avro.serialize(topic, copy)));
        }
        producer.flush();
    }

    /** Submits the ScoreJob of {@code model} (ONNX Runtime, signed updates only). */
    JobID scoreJob(String model, int batch, int parallelism, boolean exactlyOnce, String group) {
        return scoreJob(runner, model, batch, parallelism, exactlyOnce, group);
    }

    /** As {@link #scoreJob(String, int, int, boolean, String)}, checkpointed by {@code by}. */
    JobID scoreJob(
            JobRunner by,
            String model,
            int batch,
            int parallelism,
            boolean exactlyOnce,
            String group) {
        KafkaSettings kafka = kafka(exactlyOnce, group);
        ScoreJobConfig config =
                ScoreJobConfig.of(
                        model,
                        model,
                        bench.platform.registryUrl(),
                        Map.of(
                                ScoreJobConfig.MAX_BATCH.key(),
                                Integer.toString(batch),
                                ScoreJobConfig.MAX_WAIT.key(),
                                "5",
                                ScoreJobConfig.PARALLELISM.key(),
                                Integer.toString(parallelism),
                                ScoreJobConfig.STATE_DIR.key(),
                                stateDir()));
        return by.submit(
                ScoreJob.onKafka(
                        kafka,
                        config,
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of())),
                parallelism);
    }

    /**
     * Returns once a running ScoreJob of {@code model} serves: a few events tagged {@code tag} are
     * sent and their scores read back (as written), so the model has loaded and nothing is held.
     */
    void awaitServing(String model, List<Features> features, String tag) {
        String prefix = "warm-" + tag + "-";
        try (KafkaConsumer<byte[], byte[]> consumer = bench.consumer("scores." + model, false)) {
            send(model, features, prefix, 10);
            Readout r = read(consumer, prefix, 10, Duration.ofMinutes(2));
            if (r.distinct() < 10) {
                throw new IllegalStateException(
                        "the "
                                + model
                                + " ScoreJob scored "
                                + r.distinct()
                                + " of 10 events in 2 minutes");
            }
        }
    }

    /**
     * Submits the fused path for {@code model}: the EncodeJob with the platform's encoder settings
     * scoring the model itself ({@link FusedScoreJob}), as {@code scoring.fused} makes it.
     */
    JobID fusedJob(JobRunner by, String model, int batch, boolean exactlyOnce, String group) {
        KafkaSettings kafka = kafka(exactlyOnce, group);
        ScoreJobConfig config =
                ScoreJobConfig.of(
                        model,
                        model,
                        bench.platform.registryUrl(),
                        Map.of(
                                ScoreJobConfig.MAX_BATCH.key(),
                                Integer.toString(batch),
                                ScoreJobConfig.MAX_WAIT.key(),
                                "5",
                                ScoreJobConfig.STATE_DIR.key(),
                                stateDir()));
        ScoreJob scorer =
                ScoreJob.fusedOnKafka(
                        kafka(exactlyOnce, group + "-score"),
                        config,
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of()));
        EncodeJob encode =
                EncodeJob.onKafka(kafka, encoders)
                        .withWireFeaturesOnKafka(kafka, Map.of(model, List.of(model)));
        return by.submit(new FusedScoreJob(encode, List.of(scorer)), 1);
    }

    /** Submits the EncodeJob with the platform's encoder settings, checkpointed by {@code by}. */
    JobID encodeJob(JobRunner by, boolean exactlyOnce, String group) {
        return by.submit(EncodeJob.onKafka(kafka(exactlyOnce, group), encoders), 1);
    }

    /** Where the scorers keep their model updates between checkpoints, as `up` does. */
    private String stateDir() {
        return bench.platform
                .config()
                .dataDir()
                .resolve("scorer-state")
                .toAbsolutePath()
                .toString();
    }

    private KafkaSettings kafka(boolean exactlyOnce, String group) {
        return new KafkaSettings(
                bench.platform.bootstrapServers(),
                bench.platform.registryUrl(),
                group,
                exactlyOnce,
                group,
                RegistryClientFactory.rest());
    }

    /**
     * What a consumer read of the scores of events {@code prefix + i}: how many distinct, how many
     * repeats, the rate between the first and the last arrival, and the rate between the smallest
     * and the largest {@code scoredTs} (the job's own pace, whatever its commits batch up).
     */
    record Readout(int distinct, int duplicates, double perSecond, double scoredPerSecond) {}

    /** Reads {@code scores.<model>} until {@code n} distinct events of {@code prefix} arrived. */
    Readout read(KafkaConsumer<byte[], byte[]> consumer, String prefix, int n, Duration timeout) {
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        long first = 0;
        long last = 0;
        long firstScored = Long.MAX_VALUE;
        long lastScored = Long.MIN_VALUE;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                String id = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                if (!id.startsWith(prefix)) {
                    continue;
                }
                long now = System.nanoTime();
                if (first == 0) {
                    first = now;
                }
                last = now;
                if (!seen.add(id)) {
                    duplicates++;
                }
                long scored = scores.deserialize(r.topic(), r.value()).getScoredTs();
                firstScored = Math.min(firstScored, scored);
                lastScored = Math.max(lastScored, scored);
            }
        }
        double rate =
                seen.size() > 1 && last > first
                        ? (seen.size() - 1) / ((last - first) / 1e9)
                        : Double.NaN;
        double scoredRate =
                seen.size() > 1 && lastScored > firstScored
                        ? (seen.size() - 1) / ((lastScored - firstScored) / 1e3)
                        : Double.NaN;
        return new Readout(seen.size(), duplicates, rate, scoredRate);
    }

    @Override
    public void close() {
        producer.close();
        registry.close();
        bench.close();
    }
}
