package io.streamdl.bench;

import io.streamdl.ingest.InteractionSender;
import io.streamdl.ingest.interactions.ItemCatalogue;
import io.streamdl.ingest.interactions.SimulatedInteraction;
import io.streamdl.ingest.interactions.SimulatorConfig;
import io.streamdl.ingest.interactions.UserSimulator;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.recs.CatalogueImages;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.ItemEmbedderConfig;
import io.streamdl.scoring.recs.RecommenderApp;
import io.streamdl.scoring.recs.RecommenderConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./pipeline bench recs-latency}: how long after an interaction is sent another client can
 * read its {@code Recommendation} (committed records only), at half of the recommender's maximum
 * sustainable rate, for each delivery setting ({@code recs.delivery}). The recommender runs as
 * {@code ./pipeline up} runs it, with the item embedder and its model's online trainer beside it on
 * the same two cores. For each delivery: a warm-up, then a capacity probe (interactions sent as
 * fast as the producer takes them; the rate at which recommendations come back is the maximum
 * sustainable rate), then an open-loop phase at half that rate (sends on a schedule whatever comes
 * back), each recommendation matched to its interaction by user and event time.
 */
final class RecsLatencyBenchmark {
    static final Duration LIVE = Duration.ofSeconds(30);
    static final int WARM_UP = 5000;
    static final int PROBE = 30_000;
    static final int USERS = 2000;
    private static final byte[] KEY = PipelineJobs.DEVELOPMENT_KEY.getBytes(StandardCharsets.UTF_8);

    private RecsLatencyBenchmark() {}

    static Path runAndWrite(Path reports, PrintStream out, double rate) throws Exception {
        Report report = new Report("recs-latency", "./pipeline bench recs-latency");
        try (BenchPlatform bench = new BenchPlatform(4)) {
            String bootstrap = bench.platform.bootstrapServers();
            String url = bench.platform.registryUrl();
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url)) {
                ModelSpec image = DefaultSpecs.image();
                RecsBenchmark.publish(
                        bench,
                        registry,
                        url,
                        new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY))
                                .encode(image, Architectures.build(image), 1, null, Map.of()));
                Map<String, String> settings = new HashMap<>();
                settings.put(ModelUpdateCodec.Config.HMAC_KEY, PipelineJobs.DEVELOPMENT_KEY);
                settings.put(
                        ItemEmbedderConfig.STATE_DIR.key(),
                        Files.createTempDirectory(bench.dir, "embedder").toString());
                ItemEmbedderConfig embedConfig = ItemEmbedderConfig.of(bootstrap, url, settings);
                int items = CatalogueImages.fashionMnistTest(embedConfig.image()).size();
                ModelCatalogue.Entry entry = ModelCatalogue.bundled().entry(DefaultSpecs.RECS);
                Map<String, String> trainer = new HashMap<>(entry.trainer());
                trainer.put(ModelUpdateCodec.Config.HMAC_KEY, PipelineJobs.DEVELOPMENT_KEY);
                try (ItemEmbedderApp embedder = ItemEmbedderApp.start(embedConfig, registry)) {
                    RecsBenchmark.awaitEmbeddings(bench, registry, items);
                    new BenchPipeline(bench, "bench-recs-latency")
                            .train(entry.name(), entry.encoder(), trainer);
                    UserSimulator simulator =
                            new UserSimulator(
                                    ItemCatalogue.fashionMnistTest(),
                                    new SimulatorConfig(USERS, 1000, 5, 0, 0));
                    Map<String, Object> results = new LinkedHashMap<>();
                    // -Dbench.recs-latency.delivery=exactly-once (PIPELINE_JAVA_OPTS) measures one
                    String only = System.getProperty("bench.recs-latency.delivery", "");
                    for (RecommenderConfig.Delivery delivery :
                            List.of(
                                    RecommenderConfig.Delivery.AT_LEAST_ONCE,
                                    RecommenderConfig.Delivery.EXACTLY_ONCE)) {
                        if (!only.isEmpty()
                                && !RecommenderConfig.DELIVERY.parse(only).equals(delivery)) {
                            continue;
                        }
                        results.put(
                                delivery.name()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .replace('_', '-'),
                                measure(out, bench, registry, entry, simulator, delivery, rate));
                    }
                    report.put("items", items)
                            .put("users", USERS)
                            .put("liveSeconds", LIVE.toSeconds())
                            .put("results", results)
                            .put(
                                    "note",
                                    "embedded: the platform, the recommender, the item embedder,"
                                            + " the recommendation model's TrainJob and the"
                                            + " measuring clients share this JVM and 2 cores;"
                                            + " send-to-readable latency from the clients' side");
                }
            }
        }
        Path file = report.write(reports, "bench-recs-latency.json");
        out.println("report: " + file);
        return file;
    }

    private static Map<String, Object> measure(
            PrintStream out,
            BenchPlatform bench,
            RestSchemaRegistryClient registry,
            ModelCatalogue.Entry entry,
            UserSimulator simulator,
            RecommenderConfig.Delivery delivery,
            double fixedRate)
            throws Exception {
        String bootstrap = bench.platform.bootstrapServers();
        String url = bench.platform.registryUrl();
        String name = delivery.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        Map<String, String> recs = new HashMap<>();
        recs.put(RecommenderConfig.DELIVERY.key(), name);
        // one application id for every phase: a new one would start from the earliest
        // interaction and first work off the earlier phases' (it did: p50 21 s behind)
        recs.put(RecommenderConfig.APPLICATION.key(), "bench-recs-latency-app");
        recs.put(RecommenderConfig.STATE_DIR.key(), bench.dir.resolve("recs").toString());
        RecommenderConfig config =
                RecommenderConfig.of(entry.spec(), entry.encoder(), bootstrap, url, recs);
        AvroWireDeserializer<Recommendation> reader =
                AvroWireDeserializer.specific(registry, Recommendation.class);
        Map<String, Object> result = new LinkedHashMap<>();
        try (RecommenderApp app =
                        RecommenderApp.start(
                                config,
                                registry,
                                new CodecVerifier(KEY, false),
                                ModelLoader.onnxRuntime(Map.of()));
                InteractionSender sender = new InteractionSender(bootstrap, url);
                KafkaConsumer<byte[], byte[]> consumer =
                        bench.consumer(Topics.RECOMMENDATIONS.name(), true)) {
            if (!app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the recommender did not start in 2 minutes");
            }
            // only what this phase's app writes: the topic holds the earlier phases' too
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            // warm-up, then the capacity probe: sent as fast as the producer takes them
            blast(sender, simulator, WARM_UP);
            drain(consumer, reader, WARM_UP, Duration.ofMinutes(2), null);
            long t0 = System.nanoTime();
            blast(sender, simulator, PROBE);
            List<Long> arrivals = new ArrayList<>();
            drain(consumer, reader, PROBE, Duration.ofMinutes(3), arrivals);
            // the rate over the middle 80% of the arrivals, away from start-up and tail
            int from = arrivals.size() / 10;
            int to = arrivals.size() - 1 - arrivals.size() / 10;
            double capacity =
                    to > from ? (to - from) / ((arrivals.get(to) - arrivals.get(from)) / 1e9) : 0;
            out.printf(
                    "%s: %,d of %,d recommendations back in %.1f s; sustained %.0f/s%n",
                    name, arrivals.size(), PROBE, (System.nanoTime() - t0) / 1e9, capacity);
            double rate = fixedRate > 0 ? fixedRate : Math.max(10, capacity / 2);
            Map<String, Long> sentAt = new HashMap<>();
            List<Long> latencies = new ArrayList<>();
            int planned = (int) (rate * LIVE.toSeconds());
            long start = System.nanoTime();
            long startTs = System.currentTimeMillis();
            int sent = 0;
            long deadline = start + LIVE.toNanos() + Duration.ofSeconds(20).toNanos();
            while ((sent < planned || latencies.size() < sent) && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (sent < planned && now >= start + (long) (sent / rate * 1e9)) {
                    SimulatedInteraction next = simulator.next();
                    long ts = startTs + (long) (sent / rate * 1000);
                    var avro = next.toAvro();
                    avro.setTs(ts);
                    sentAt.put(avro.getUserId() + "@" + ts, System.nanoTime());
                    sender.send(avro);
                    sent++;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                    Recommendation rec = reader.deserialize(r.topic(), r.value());
                    Long at = sentAt.remove(rec.getUserId() + "@" + rec.getInteractionTs());
                    if (at != null) {
                        latencies.add((System.nanoTime() - at) / 1_000_000);
                    }
                }
            }
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("count", latencies.size());
            stats.putAll(ScoreBenchmark.percentiles(latencies));
            out.printf(
                    "%s: open loop at %.0f/s for %d s: send -> readable recommendation %s%n",
                    name, rate, LIVE.toSeconds(), stats);
            result.put("maxSustainedPerSecond", capacity);
            result.put("openLoopRatePerSecond", rate);
            result.put("sent", sent);
            result.put("sendToRecommendationMillis", stats);
            result.put("commitIntervalMillis", config.commitIntervalMillis());
        }
        return result;
    }

    private static void blast(InteractionSender sender, UserSimulator simulator, int n) {
        long ts = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            var avro = simulator.next().toAvro();
            avro.setTs(ts);
            sender.send(avro);
        }
        sender.flush();
    }

    private static int drain(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroWireDeserializer<Recommendation> reader,
            int n,
            Duration timeout,
            List<Long> arrivals) {
        int got = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                reader.deserialize(r.topic(), r.value());
                got++;
                if (arrivals != null) {
                    arrivals.add(System.nanoTime());
                }
            }
        }
        return got;
    }
}
