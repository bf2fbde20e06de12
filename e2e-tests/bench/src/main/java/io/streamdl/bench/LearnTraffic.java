package io.streamdl.bench;

import io.streamdl.ingest.EventSender;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.trainer.TrainerMetrics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The Kafka side of a learning benchmark against one model's pipeline on a {@link BenchPlatform}:
 * sends events at a fixed rate with labels {@link #LABEL_DELAY} after them, and reads back what the
 * pipeline publishes for that model: the prequential curve from {@code dashboard.metrics}, the
 * versions from {@code models.<model>}, the scores of the test events from {@code scores.<model>}
 * and, when asked for, the dead letters of the training and test events.
 *
 * <p>Training events are those whose id starts with {@code train-}, test events those with {@code
 * test-<index>}; unlabelled probes ({@code probe-<n>}) are neither.
 */
final class LearnTraffic implements AutoCloseable {
    /** Time from an event to its label. */
    static final Duration LABEL_DELAY = Duration.ofMillis(500);

    private final BenchPlatform bench;
    private final String model;
    private final RestSchemaRegistryClient registry;
    private final EventSender sender;
    private final KafkaConsumer<byte[], byte[]> metrics;
    private final KafkaConsumer<byte[], byte[]> models;
    private final KafkaConsumer<byte[], byte[]> dlq;
    private final AvroWireDeserializer<DashboardMetric> metricReader;
    private final AvroWireDeserializer<ModelUpdate> updateReader;
    private final AvroWireDeserializer<DeadLetter> deadReader;
    private final AvroWireDeserializer<Score> scoreReader;
    private KafkaConsumer<byte[], byte[]> scores;

    private final List<Double> curve = new ArrayList<>();
    private final List<Integer> positions = new ArrayList<>();
    private final List<double[]> versions = new ArrayList<>();
    private final Map<String, String> deadTrain = new LinkedHashMap<>();
    private final Map<String, String> deadTest = new LinkedHashMap<>();
    private int heldBack;
    private long lastActivity = System.nanoTime();

    /**
     * @param deadLetters whether to read the {@code dlq} topic for refused training and test events
     */
    LearnTraffic(BenchPlatform bench, String model, boolean deadLetters) {
        this.bench = bench;
        this.model = model;
        String url = bench.platform.registryUrl();
        metrics = bench.consumer("dashboard.metrics", true);
        models = bench.consumer("models." + model, true);
        dlq = deadLetters ? bench.consumer("dlq", true) : null;
        registry = new RestSchemaRegistryClient(url);
        sender = new EventSender(bench.platform.bootstrapServers(), url, LABEL_DELAY);
        metricReader = AvroWireDeserializer.specific(registry, DashboardMetric.class);
        updateReader = AvroWireDeserializer.specific(registry, ModelUpdate.class);
        deadReader = AvroWireDeserializer.specific(registry, DeadLetter.class);
        scoreReader = AvroWireDeserializer.specific(registry, Score.class);
    }

    /** Sends a training event, its label following after {@link #LABEL_DELAY}. */
    void send(RawEvent event, String label) {
        sender.send(event, label);
    }

    /** Sends an event without a label. */
    void send(RawEvent event) {
        sender.send(event);
    }

    void flush() {
        sender.flush();
    }

    /** Sleeps until the time at which event {@code sent} is due at {@code rate} from {@code t0}. */
    static void pace(long t0, int sent, double rate) throws InterruptedException {
        long wait = t0 + (long) (sent / rate * 1e9) - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
    }

    /** Reads what has arrived, then prints how far the training stream is. */
    void progress(PrintStream out, int sent, int total) {
        poll();
        out.printf(
                "train %,d/%,d sent, %d accuracy samples (last %.3f), %d versions%n",
                sent,
                total,
                curve.size(),
                curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1),
                versions.size());
    }

    /** Reads the dead letters (if watched), the model's metrics and its versions that arrived. */
    void poll() {
        pollDeadLetters();
        for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(50))) {
            DashboardMetric m = metricReader.deserialize(r.topic(), r.value());
            if (!model.equals(m.getModel())) {
                continue;
            }
            lastActivity = System.nanoTime();
            if (m.getMetric().equals(TrainerMetrics.ACCURACY)) {
                curve.add(m.getValue());
            } else if (m.getMetric().equals(TrainerMetrics.EXAMPLES)) {
                // emitted right after the accuracy of the same window
                positions.add((int) m.getValue());
            } else if (m.getMetric().startsWith("update_held_back")) {
                heldBack++;
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : models.poll(Duration.ofMillis(50))) {
            ModelUpdate u = updateReader.deserialize(r.topic(), r.value());
            lastActivity = System.nanoTime();
            versions.add(
                    new double[] {
                        u.getVersion(), u.getMetrics().getOrDefault("examples_learned", 0.0)
                    });
        }
    }

    /** Reads the dead letters that arrived, if they are watched. */
    void pollDeadLetters() {
        if (dlq == null) {
            return;
        }
        for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(50))) {
            DeadLetter d = deadReader.deserialize(r.topic(), r.value());
            if (d.getKey() == null) {
                continue;
            }
            String id = StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString();
            String why = d.getStage() + ": " + d.getError();
            if (id.startsWith("train-")) {
                deadTrain.put(id, why);
            } else if (id.startsWith("test-")) {
                deadTest.put(id, why);
            }
        }
    }

    /**
     * Waits for a version that learned at least {@code target} examples. The trainer publishes the
     * tail on its time trigger; if its publish guard holds that update back, the trainer goes quiet
     * instead, so the wait also ends after {@code quiet} without metrics or versions, or after
     * {@code timeout}.
     *
     * @return whether such a version arrived
     */
    boolean awaitLearned(double target, Duration quiet, Duration timeout)
            throws InterruptedException {
        lastActivity = System.nanoTime();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean learnedAll = false;
        while (System.nanoTime() < deadline) {
            poll();
            learnedAll = !versions.isEmpty() && lastLearned() >= target;
            if (learnedAll || System.nanoTime() - lastActivity > quiet.toNanos()) {
                break;
            }
            Thread.sleep(500);
        }
        return learnedAll;
    }

    /**
     * Sends unlabelled probes (the events {@code probe} builds for the ids {@code probe-<n>}, never
     * learned, and skipped by {@link #readTestScores}, which reads only {@code test-} ids) every
     * {@code every} until one is scored by {@code version} or a later one, or {@code timeout} has
     * passed.
     *
     * @return the newest version seen scoring a probe, or -1 if no probe was scored
     */
    long awaitServing(
            Function<String, RawEvent> probe, long version, Duration every, Duration timeout) {
        KafkaConsumer<byte[], byte[]> scores = scores();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProbe = System.nanoTime();
        long serving = -1;
        int probes = 0;
        while (serving < version && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProbe) {
                sender.send(probe.apply("probe-" + probes++));
                sender.flush();
                nextProbe = System.nanoTime() + every.toNanos();
            }
            for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                Score s = scoreReader.deserialize(r.topic(), r.value());
                if (s.getEventId().startsWith("probe-")) {
                    serving = Math.max(serving, s.getModelVersion());
                }
            }
        }
        return serving;
    }

    /**
     * Hands the score of each {@code test-<i>} event to {@code onScore} with {@code i} (reading the
     * dead letters in between, if watched) until {@code done} or {@code timeout}.
     */
    void readTestScores(BooleanSupplier done, ObjIntConsumer<Score> onScore, Duration timeout) {
        KafkaConsumer<byte[], byte[]> scores = scores();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            pollDeadLetters();
            for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                Score s = scoreReader.deserialize(r.topic(), r.value());
                if (s.getEventId().startsWith("test-")) {
                    onScore.accept(s, Integer.parseInt(s.getEventId().substring(5)));
                }
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> scores() {
        if (scores == null) {
            scores = bench.consumer("scores." + model, true);
        }
        return scores;
    }

    /** The prequential accuracy of each window, in arrival order. */
    List<Double> curve() {
        return curve;
    }

    /** The examples seen at each point of {@link #curve()}. */
    List<Integer> positions() {
        return positions;
    }

    /** The published versions: {version, examples learned}, in arrival order. */
    List<double[]> versions() {
        return versions;
    }

    /** The last published version, or -1 if none. */
    long lastVersion() {
        return versions.isEmpty() ? -1 : (long) versions.get(versions.size() - 1)[0];
    }

    /** The examples the last published version learned, 0 if none was published. */
    double lastLearned() {
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1)[1];
    }

    /** Updates the trainer's publish guard held back. */
    int heldBack() {
        return heldBack;
    }

    /** Refused training events: the reason by event id. */
    Map<String, String> deadTrain() {
        return deadTrain;
    }

    /** Refused test events: the reason by event id. */
    Map<String, String> deadTest() {
        return deadTest;
    }

    @Override
    public void close() {
        try (registry;
                sender) {
            if (scores != null) {
                scores.close();
            }
            metrics.close();
            models.close();
            if (dlq != null) {
                dlq.close();
            }
        }
    }
}
