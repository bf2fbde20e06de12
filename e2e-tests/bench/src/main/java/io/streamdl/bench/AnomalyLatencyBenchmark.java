package io.streamdl.bench;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.anomaly.AnomalyDetectorConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./pipeline bench anomaly-latency}: how long after a metric event is sent another client
 * can read its score on {@code scores.metric} and, for an event the detector flags, its {@code
 * Anomaly} on {@code anomalies} (committed records only). Open loop: points of one series (a noisy
 * sine, with a spike every {@value #SPIKE_EVERY} points) are sent on a fixed schedule at the given
 * rate whatever comes back, after a warm-up series that gets a model published.
 *
 * <p>Embedded by default (the pipeline and the measuring clients share this JVM, not their Kafka
 * clients); with {@code --target bootstrap,registry} it measures a pipeline started by {@code
 * ./pipeline up} in another process, which must run the {@code metric} model and the detector (the
 * bundled catalogue does).
 */
final class AnomalyLatencyBenchmark {
    static final int SPIKE_EVERY = 250;
    static final int WARM_UP_POINTS = 3000;
    static final Duration LIVE = Duration.ofSeconds(60);

    private AnomalyLatencyBenchmark() {}

    static Path runAndWrite(Path reports, PrintStream out, double rate, String target)
            throws Exception {
        if (target == null) {
            try (BenchPlatform bench = new BenchPlatform(4)) {
                BenchPipeline pipeline = new BenchPipeline(bench, "bench-latency");
                pipeline.encode();
                pipeline.score("metric", "metric");
                pipeline.train(
                        "metric",
                        "metric",
                        Map.of(
                                "models.hmac.key", PipelineJobs.DEVELOPMENT_KEY,
                                "trainer.publish.every-examples", "1000",
                                "trainer.publish.every-seconds", "5"));
                String bootstrap = bench.platform.bootstrapServers();
                String url = bench.platform.registryUrl();
                Map<String, String> settings = new HashMap<>();
                settings.put(AnomalyDetectorConfig.MODELS.key(), "metric");
                settings.put(
                        AnomalyDetectorConfig.STATE_DIR.key(),
                        Files.createTempDirectory(bench.dir, "streams").toString());
                try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                        AnomalyDetectorApp detector =
                                AnomalyDetectorApp.start(
                                        AnomalyDetectorConfig.of(bootstrap, url, settings),
                                        registry)) {
                    return measure(reports, out, rate, bootstrap, url, "embedded (one JVM)");
                }
            }
        }
        String[] parts = target.split(",", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "--target must be BOOTSTRAP,REGISTRY_URL, e.g. 127.0.0.1:9092,http://127.0.0.1:8081");
        }
        return measure(reports, out, rate, parts[0], parts[1], "external: " + target);
    }

    private static Path measure(
            Path reports,
            PrintStream out,
            double rate,
            String bootstrap,
            String registryUrl,
            String where)
            throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String warmSeries = "latency-warm-" + run;
        String liveSeries = "latency-live-" + run;
        Random random = new Random(7);
        Map<String, Long> sentAt = new HashMap<>();
        List<Long> scoreLatencies = new ArrayList<>();
        List<Long> anomalyLatencies = new ArrayList<>();
        int spikesSent = 0;
        int spikesFlagged = 0;
        int otherAnomalies = 0;
        long firstVersion = -1;
        try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(registryUrl);
                EventSender sender = new EventSender(bootstrap, registryUrl, Duration.ZERO);
                KafkaConsumer<byte[], byte[]> scores = consumer(bootstrap, "scores.metric");
                KafkaConsumer<byte[], byte[]> anomalies = consumer(bootstrap, "anomalies")) {
            var scoreReader =
                    io.streamdl.schemas.serde.AvroWireDeserializer.specific(registry, Score.class);
            var anomalyReader =
                    io.streamdl.schemas.serde.AvroWireDeserializer.specific(
                            registry, Anomaly.class);
            long ts = System.currentTimeMillis() - WARM_UP_POINTS * 1000L;
            for (int i = 0; i < WARM_UP_POINTS; i++) {
                sender.send(point(warmSeries + "-" + i, ts + i * 1000L, warmSeries, i, random));
            }
            sender.flush();
            out.printf(
                    "warm-up: %,d points of %s sent; waiting for their scores%n",
                    WARM_UP_POINTS, warmSeries);
            int warmScored = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (warmScored < WARM_UP_POINTS / 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                    Score s = scoreReader.deserialize(r.topic(), r.value());
                    if (s.getEventId().startsWith(warmSeries)) {
                        warmScored++;
                        firstVersion = Math.max(firstVersion, s.getModelVersion());
                    }
                }
            }
            if (warmScored == 0) {
                throw new IllegalStateException(
                        "no warm-up point was scored within 3 minutes: is the metric model running?");
            }
            anomalies.poll(Duration.ofMillis(100));
            int points = (int) (rate * LIVE.toSeconds());
            out.printf(
                    "live: %,d points of %s at %.0f/s, a spike every %d%n",
                    points, liveSeries, rate, SPIKE_EVERY);
            long t0 = System.nanoTime();
            int sent = 0;
            while (sent < points || System.nanoTime() - t0 < LIVE.toNanos() + 15_000_000_000L) {
                long now = System.nanoTime();
                // open loop: send every point that is due, whatever has come back
                while (sent < points && now >= t0 + (long) (sent / rate * 1e9)) {
                    String id = liveSeries + "-" + sent;
                    boolean spike = sent > 500 && sent % SPIKE_EVERY == 0;
                    spikesSent += spike ? 1 : 0;
                    sentAt.put(id, System.nanoTime());
                    sender.send(
                            Events.metric(
                                    id,
                                    System.currentTimeMillis(),
                                    "bench",
                                    liveSeries,
                                    value(sent, random) + (spike ? 3 : 0),
                                    Map.of()));
                    sent++;
                }
                for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(5))) {
                    Score s = scoreReader.deserialize(r.topic(), r.value());
                    Long at = sentAt.get(s.getEventId());
                    if (at != null) {
                        scoreLatencies.add((System.nanoTime() - at) / 1_000_000);
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : anomalies.poll(Duration.ZERO)) {
                    Anomaly a = anomalyReader.deserialize(r.topic(), r.value());
                    Long at = sentAt.get(a.getEventId());
                    if (at == null) {
                        continue;
                    }
                    anomalyLatencies.add((System.nanoTime() - at) / 1_000_000);
                    int index =
                            Integer.parseInt(
                                    a.getEventId().substring(a.getEventId().lastIndexOf('-') + 1));
                    if (index > 500 && index % SPIKE_EVERY == 0) {
                        spikesFlagged++;
                    } else {
                        otherAnomalies++;
                    }
                }
            }
            Map<String, Object> scoreStats = stats(scoreLatencies);
            Map<String, Object> anomalyStats = stats(anomalyLatencies);
            out.printf("send -> score   %s (of %,d points)%n", scoreStats, points);
            out.printf(
                    "send -> Anomaly %s; spikes flagged %d/%d, other anomalies %d%n",
                    anomalyStats, spikesFlagged, spikesSent, otherAnomalies);
            Report report =
                    new Report("anomaly-latency", "./pipeline bench anomaly-latency")
                            .put("where", where)
                            .put("ratePerSecond", rate)
                            .put("liveSeconds", LIVE.toSeconds())
                            .put("pointsSent", points)
                            .put("modelVersionAfterWarmUp", firstVersion)
                            .put("sendToScoreMillis", scoreStats)
                            .put("sendToAnomalyMillis", anomalyStats)
                            .put("spikesSent", spikesSent)
                            .put("spikesFlagged", spikesFlagged)
                            .put("otherAnomalies", otherAnomalies)
                            .put(
                                    "note",
                                    "exactly-once end to end: a result is readable once the"
                                            + " transactions of the EncodeJob, the ScoreJob (Flink"
                                            + " checkpoints) and the detector (Streams commit)"
                                            + " holding it have committed");
            Path file = report.write(reports, "bench-anomaly-latency.json");
            out.println("report: " + file);
            return file;
        }
    }

    private static io.streamdl.schemas.avro.RawEvent point(
            String id, long ts, String series, int i, Random random) {
        return Events.metric(id, ts, "bench", series, value(i, random), Map.of());
    }

    /** A sine of period 60 points with a little noise. */
    private static double value(int i, Random random) {
        return 10 + Math.sin(2 * Math.PI * i / 60) + 0.05 * random.nextGaussian();
    }

    /** Count, p50, p99 and max of latencies in milliseconds. */
    private static Map<String, Object> stats(List<Long> millis) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", millis.size());
        m.putAll(ScoreBenchmark.percentiles(millis));
        return m;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        while (c.assignment().isEmpty()) {
            c.poll(Duration.ofMillis(100));
        }
        return c;
    }
}
