package io.streamdl.ops.cli;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.FusedScoreJob;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.scoring.lifecycle.ModelTopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A real pipeline for the lifecycle tests: the embedded platform, the EncodeJob with the image
 * scorer fused in it (exactly-once, 200 ms checkpoints), a sender of real Fashion-MNIST PNGs at a
 * steady rate from its own thread, and a client that reads {@code scores.image} read_committed as
 * it is written, noting when each score arrived, and answers each with a label chosen by the test.
 */
final class LifecycleRig implements AutoCloseable {
    static final byte[] KEY =
            "a-test-hmac-key-of-32-bytes-long".getBytes(StandardCharsets.US_ASCII);
    static final ModelSpec SPEC = DefaultSpecs.image();

    /** A score as the reading client got it. */
    record Received(Score score, long receivedAt) {}

    final Platform platform;
    final ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY));
    final ConcurrentLinkedQueue<Received> scores = new ConcurrentLinkedQueue<>();
    final AtomicReference<Function<Score, String>> labels = new AtomicReference<>();
    private final RestSchemaRegistryClient registry;
    private final AvroWireSerializer<Object> avro;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;
    private final Thread sender;
    private final Thread reader;

    LifecycleRig(Path dataDir, Map<String, String> scoring) throws Exception {
        platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1));
        registry = new RestSchemaRegistryClient(platform.registryUrl());
        avro = new AvroWireSerializer<>(registry, SerdeConfig.forValues(platform.registryUrl()));
        producer = TestingKafka.producer(platform.bootstrapServers());
        String url = platform.registryUrl();
        KafkaSettings encodeKafka =
                KafkaSettings.of(platform.bootstrapServers(), url, "lifecycle-it-encode");
        KafkaSettings scoreKafka =
                KafkaSettings.of(platform.bootstrapServers(), url, "lifecycle-it-score");
        EncodeJob encode =
                EncodeJob.onKafka(encodeKafka, EncoderRegistry.fromSettings(Map.of()))
                        .withWireFeaturesOnKafka(encodeKafka, Map.of("image", List.of("image")));
        ScoreJob scorer =
                ScoreJob.fusedOnKafka(
                        scoreKafka,
                        ScoreJobConfig.of("image", "image", url, scoring),
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of()));
        new JobRunner(platform, Duration.ofMillis(200))
                .submit(new FusedScoreJob(encode, List.of(scorer)), 1);
        sender = new Thread(this::send, "lifecycle-it-sender");
        reader = new Thread(this::read, "lifecycle-it-reader");
        sender.setDaemon(true);
        reader.setDaemon(true);
        sender.start();
        reader.start();
    }

    /** The CLI's connection and key options for this platform. */
    String[] cli(String... args) {
        String[] all = new String[args.length + 6];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-c";
        all[args.length + 1] = "kafka.bootstrap.servers=" + platform.bootstrapServers();
        all[args.length + 2] = "-c";
        all[args.length + 3] = "schema.registry.url=" + platform.registryUrl();
        all[args.length + 4] = "-c";
        all[args.length + 5] = "models.hmac.key=" + new String(KEY, StandardCharsets.US_ASCII);
        return all;
    }

    TestingCli.Run run(String... args) {
        return TestingCli.run(cli(args));
    }

    /** A fresh network of the image spec, as version 1 of a trainer would publish it. */
    static ComputationGraph network() {
        return Architectures.build(SPEC);
    }

    /**
     * The same network with the columns of its output layer rotated by one class: a valid, finite,
     * signed model that predicts class c+1 wherever the original predicts c.
     */
    static ComputationGraph damaged(ComputationGraph good) {
        ComputationGraph bad = good.clone();
        Layer out = bad.getOutputLayer(0);
        INDArray w = out.getParam("W");
        INDArray b = out.getParam("b");
        long n = w.columns();
        INDArray rotatedW =
                Nd4j.hstack(
                        w.get(NDArrayIndex.all(), NDArrayIndex.interval(n - 1, n)),
                        w.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n - 1)));
        INDArray flatB = b.reshape(1, n);
        INDArray rotatedB =
                Nd4j.hstack(
                        flatB.get(NDArrayIndex.all(), NDArrayIndex.interval(n - 1, n)),
                        flatB.get(NDArrayIndex.all(), NDArrayIndex.interval(0, n - 1)));
        w.assign(rotatedW);
        b.assign(rotatedB.reshape(b.shape()));
        return bad;
    }

    void publish(ModelUpdate update) throws Exception {
        String topic = "models." + update.getModel();
        producer.send(
                        new ProducerRecord<>(
                                topic,
                                update.getModel().getBytes(StandardCharsets.UTF_8),
                                avro.serialize(topic, update)))
                .get();
    }

    /** Writes {@code value} to {@code topic} as any producer could, framing or not. */
    void sendRaw(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                .get();
    }

    /** The first score of {@code version} that arrived, waiting up to {@code timeout}. */
    Received awaitVersion(long version, Duration timeout) throws InterruptedException {
        return await(r -> r.score().getModelVersion() == version, timeout);
    }

    Received await(Predicate<Received> which, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Received r : scores) {
                if (which.test(r)) {
                    return r;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "no such score within "
                        + timeout
                        + "; versions seen: "
                        + scores.stream()
                                .map(r -> r.score().getModelVersion())
                                .distinct()
                                .toList());
    }

    /** The lifecycle events of the image model so far. */
    List<ModelEvent> events() {
        try (ModelTopicReader r =
                new ModelTopicReader(platform.bootstrapServers(), platform.registryUrl())) {
            return r.events("image");
        }
    }

    /** Waits for an event of {@code kind} about {@code version}. */
    ModelEvent awaitEvent(String kind, long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ModelEvent e : events()) {
                if (e.getKind().equals(kind)
                        && e.getVersion() != null
                        && e.getVersion() == version) {
                    return e;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + kind + " event for version " + version + ": " + events());
    }

    private void send() {
        FashionMnist images = FashionMnist.sample(FashionMnist.Split.TEST);
        byte[][] pngs = new byte[Math.min(images.size(), 200)][];
        for (int i = 0; i < pngs.length; i++) {
            pngs[i] = ImageCodecs.png(images.image(i), 28, 28);
        }
        long i = 0;
        while (running) {
            String id = "ev-" + i;
            producer.send(
                    new ProducerRecord<>(
                            "events.raw",
                            id.getBytes(StandardCharsets.UTF_8),
                            avro.serialize(
                                    "events.raw",
                                    Events.image(
                                            id,
                                            System.currentTimeMillis(),
                                            "lifecycle-it",
                                            "image/png",
                                            pngs[(int) (i % pngs.length)],
                                            28,
                                            28,
                                            Map.of()))));
            producer.flush();
            sent.incrementAndGet();
            i++;
            try {
                Thread.sleep(10); // about 100 events a second
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> in =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AvroWireDeserializer<Score> decode =
                    AvroWireDeserializer.specific(registry, Score.class);
            TopicPartition tp = new TopicPartition("scores.image", 0);
            in.assign(List.of(tp));
            in.seekToBeginning(List.of(tp));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : in.poll(Duration.ofMillis(20))) {
                    Score s = decode.deserialize(r.topic(), r.value());
                    scores.add(new Received(s, System.currentTimeMillis()));
                    Function<Score, String> labelOf = labels.get();
                    if (labelOf != null) {
                        Label label =
                                Label.newBuilder()
                                        .setEventId(s.getEventId())
                                        .setLabel(labelOf.apply(s))
                                        .setTs(System.currentTimeMillis())
                                        .build();
                        producer.send(
                                new ProducerRecord<>(
                                        "events.labels",
                                        s.getEventId().getBytes(StandardCharsets.UTF_8),
                                        avro.serialize("events.labels", label)));
                    }
                }
            }
        }
    }

    /** How many records {@code models.<model>} holds now. */
    int updatesOnTopic(String model) {
        try (ModelTopicReader r =
                new ModelTopicReader(platform.bootstrapServers(), platform.registryUrl())) {
            return r.updates(model).size();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        sender.join(10_000);
        reader.join(10_000);
        producer.close();
        registry.close();
        platform.close();
    }
}
