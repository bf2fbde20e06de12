package io.streamdl.bench;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.load.LatencyStats;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Model update propagation under load: the image, audio and text ScoreJobs run side by side while a
 * background client sends each of them features at a steady rate; for each model, one signed update
 * after another is published to {@code models.<model>}, and the time from the broker's
 * acknowledgement of the update to the first score stamped with its version is taken twice: to the
 * score's {@code scoredTs} (the swap inside the job) and to its arrival at a reader.
 */
final class PropagationScenario implements Scenario {
    static final String[] MODELS = ScoreScenario.MODELS;
    static final Map<String, Double> LOAD = Map.of("image", 200.0, "audio", 20.0, "text", 50.0);
    static final String P50 = "to readable p50 ms";
    static final String P99 = "to readable p99 ms";
    static final String MAX = "to readable max ms";
    static final String SCORED_P50 = "to scoredTs p50 ms";
    static final String SCORED_P99 = "to scoredTs p99 ms";
    static final String UPDATES = "updates";
    static final String MISSED = "missed (no score within 10 s)";
    static final long GIVE_UP_MS = 10_000;

    /** Every delay to readable of every run, per model, for the plot. */
    private final Map<String, List<Long>> samples = new LinkedHashMap<>();

    @Override
    public String name() {
        return "propagation";
    }

    @Override
    public String title() {
        return "model update published → first score carrying it, under load";
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int updates = c.size(8, 25);
        c.setting(name(), "updatesPerModel", updates);
        c.setting(name(), "backgroundLoadPerSecond", LOAD.toString());
        RunTable t = new RunTable();
        try (ScoringRig rig = new ScoringRig(4, Duration.ofSeconds(1))) {
            Map<String, List<Features>> features = new LinkedHashMap<>();
            Map<String, ComputationGraph> networks = new LinkedHashMap<>();
            for (String model : MODELS) {
                features.put(model, rig.features(model, 64));
                ModelSpec spec = DefaultSpecs.byName(model);
                networks.put(model, Architectures.build(spec));
                rig.publish(spec, networks.get(model), 1);
                rig.scoreJob(
                        model, ScoreScenario.JOB_BATCH, 1, false, "bench-propagation-" + model);
            }
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = new Thread(() -> load(rig, features, loading), "propagation-load");
            load.setDaemon(true);
            load.start();
            AvroWireDeserializer<Score> scores =
                    AvroWireDeserializer.specific(rig.registry, Score.class);
            try {
                for (String model : MODELS) {
                    measure(c, rig, scores, model, networks.get(model), updates, run, t);
                }
            } finally {
                loading.set(false);
                load.join();
            }
        }
        return t;
    }

    private void measure(
            Context c,
            ScoringRig rig,
            AvroWireDeserializer<Score> scores,
            String model,
            ComputationGraph network,
            int updates,
            int run,
            RunTable t)
            throws Exception {
        ModelSpec spec = DefaultSpecs.byName(model);
        List<Long> readable = new ArrayList<>();
        List<Long> scored = new ArrayList<>();
        int missed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                rig.bench.consumer("scores." + model, false)) {
            // the first version is serving once its scores arrive: only then are updates timed
            awaitVersion(consumer, scores, 1, Duration.ofMinutes(2));
            long version = 1;
            for (int u = 0; u < updates; u++) {
                network.params().muli(1.0001);
                version++;
                long published = rig.publish(spec, network, version);
                long[] seen =
                        awaitVersion(consumer, scores, version, Duration.ofMillis(GIVE_UP_MS));
                if (seen == null) {
                    missed++;
                } else {
                    readable.add(seen[0] - published);
                    scored.add(Math.max(0, seen[1] - published));
                }
                Thread.sleep(200);
            }
        }
        LatencyStats r = stats(readable);
        LatencyStats s = stats(scored);
        samples.computeIfAbsent(model, m -> new ArrayList<>()).addAll(readable);
        t.put(model, P50, r.percentileMillis(50))
                .put(model, P99, r.percentileMillis(99))
                .put(model, MAX, r.maxMillis())
                .put(model, SCORED_P50, s.percentileMillis(50))
                .put(model, SCORED_P99, s.percentileMillis(99))
                .put(model, UPDATES, updates)
                .put(model, MISSED, missed);
        c.out.printf(
                "%s: %d updates, publish to readable score p50 %.0f ms, p99 %.0f ms, max %.0f ms,"
                        + " %d missed%n",
                model,
                updates,
                r.percentileMillis(50),
                r.percentileMillis(99),
                r.maxMillis(),
                missed);
    }

    private static LatencyStats stats(List<Long> millis) {
        return new LatencyStats(millis.stream().mapToLong(m -> m * 1000).toArray());
    }

    /**
     * {arrival ms, scoredTs} of the first score of at least {@code version}, or null on time-out.
     */
    private static long[] awaitVersion(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroWireDeserializer<Score> scores,
            long version,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                Score s = scores.deserialize(r.topic(), r.value());
                if (s.getModelVersion() >= version) {
                    return new long[] {System.currentTimeMillis(), s.getScoredTs()};
                }
            }
        }
        return null;
    }

    /** Sends each model's features at its {@link #LOAD} rate until told to stop. */
    private static void load(
            ScoringRig rig, Map<String, List<Features>> features, AtomicBoolean loading) {
        AvroWireSerializer<Object> avro =
                new AvroWireSerializer<>(
                        rig.registry, SerdeConfig.forValues(rig.bench.platform.registryUrl()));
        long start = System.nanoTime();
        Map<String, Long> sent = new LinkedHashMap<>();
        sending:
        while (loading.get()) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            for (String model : MODELS) {
                long due = (long) (elapsed * LOAD.get(model));
                long n = sent.getOrDefault(model, 0L);
                List<Features> pool = features.get(model);
                String topic = "features." + model;
                for (; n < due; n++) {
                    if (!loading.get()) {
                        break sending;
                    }
                    String id = "load-" + model + "-" + n;
                    Features f =
                            Features.newBuilder(pool.get((int) (n % pool.size())))
                                    .setEventId(id)
                                    .setTs(System.currentTimeMillis())
                                    .build();
                    rig.producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    id.getBytes(StandardCharsets.UTF_8),
                                    avro.serialize(topic, f)));
                }
                sent.put(model, n);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    @Override
    public void finish(ScenarioResult r, Context c) throws Exception {
        r.method.add(
                "the three ScoreJobs (parallelism 1, batch "
                        + ScoreScenario.JOB_BATCH
                        + ", at-least-once so a score is readable when written: this measures the"
                        + " swap, an exactly-once reader waits for the next commit on top, see"
                        + " latency) run side by side under a steady background load of features"
                        + " ("
                        + LOAD
                        + " per second)");
        r.method.add(
                "per update: slightly changed weights, encoded and signed, published to"
                        + " models.<model>; the clock starts at the broker's acknowledgement and"
                        + " stops at the first score stamped with the new version read by a"
                        + " consumer (and at that score's scoredTs); 200 ms between updates");
        if (c.quick) {
            r.notes.add(
                    "quick run: 8 updates per model; the full run publishes 25 per model per run");
        }
        r.method.add(
                "p99 of n delays is the nearest-rank percentile, so with fewer than 100 updates"
                        + " per model it is the largest or second largest");
        for (String model : MODELS) {
            r.targets.add(
                    Target.atMost(
                                    model + ": publish → first score p99",
                                    r.median(model, P99),
                                    "ms",
                                    150)
                            .withNote(
                                    "ONNX session built off the hot path, swapped between batches"));
        }
        LinePlot plot =
                new LinePlot(
                        "update published to first readable score carrying it, every update of every run",
                        "update",
                        "ms",
                        false);
        samples.forEach(
                (model, delays) -> {
                    List<double[]> points = new ArrayList<>();
                    for (int i = 0; i < delays.size(); i++) {
                        points.add(new double[] {i + 1, delays.get(i)});
                    }
                    plot.add(model, points);
                });
        Path file = plot.write(c.dir.resolve("propagation.png"));
        r.plots.add(file.getFileName().toString());
    }
}
