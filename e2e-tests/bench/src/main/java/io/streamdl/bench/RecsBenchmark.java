package io.streamdl.bench;

import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.InteractionSender;
import io.streamdl.ingest.interactions.ItemCatalogue;
import io.streamdl.ingest.interactions.SimulatedInteraction;
import io.streamdl.ingest.interactions.SimulatorConfig;
import io.streamdl.ingest.interactions.UserSimulator;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.labels.LabelSets;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.recs.CatalogueImages;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.ItemEmbedderConfig;
import io.streamdl.scoring.recs.Recommender;
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
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code ./pipeline bench recs}: the recommendation loop on an embedded platform, judged
 * prequentially against baselines on the same simulated stream ({@link RecsEvaluation}).
 *
 * <ol>
 *   <li>The image CNN is fitted here (DL4J, one pass over {@value #IMAGE_TRAIN} Fashion-MNIST
 *       training images; the items are the test images, never trained on) and published, signed, as
 *       version 1 of {@code models.image}: a model trained elsewhere.
 *   <li>The {@code ItemEmbedder} embeds every item with it onto {@code items.embeddings}.
 *   <li>The recommendation model's TrainJob and the {@code Recommender} run as {@code ./pipeline
 *       up} runs them (the bundled catalogue's {@code recs} entry and its trainer settings).
 *   <li>{@code --events} interactions (default {@value #DEFAULT_INTERACTIONS}) of {@value #USERS}
 *       simulated users are sent open loop at {@code --rate} (default {@value #DEFAULT_RATE}/s),
 *       every user's tastes redrawn halfway; every recommendation written is read back (committed
 *       only) and matched to its user's next interaction.
 * </ol>
 */
final class RecsBenchmark {
    static final int USERS = 2000;
    static final int DEFAULT_INTERACTIONS = 200_000;
    static final double DEFAULT_RATE = 1000;
    static final int IMAGE_TRAIN = 20_000;
    static final int K = 10;
    static final int WINDOW = 5000;
    private static final byte[] KEY = PipelineJobs.DEVELOPMENT_KEY.getBytes(StandardCharsets.UTF_8);

    private RecsBenchmark() {}

    /** One recommendation as read back: its items (indices) and the model version. */
    private record Rec(int[] items, long version, boolean popular) {}

    static Path runAndWrite(Path reports, PrintStream out, int interactions, double rate)
            throws Exception {
        if (interactions < 2 * WINDOW) {
            throw new IllegalArgumentException(
                    "--events: recs needs at least " + 2 * WINDOW + " interactions");
        }
        long driftAt = interactions / 2;
        Report report = new Report("recs", "./pipeline bench recs");
        try (BenchPlatform bench = new BenchPlatform(4)) {
            String bootstrap = bench.platform.bootstrapServers();
            String url = bench.platform.registryUrl();
            long t0 = System.nanoTime();
            ModelUpdate image = trainImageModel(out);
            report.put("imageModelSeconds", (System.nanoTime() - t0) / 1e9);
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url)) {
                publish(bench, registry, url, image);
                Map<String, String> settings = new HashMap<>();
                settings.put(ModelUpdateCodec.Config.HMAC_KEY, PipelineJobs.DEVELOPMENT_KEY);
                settings.put(
                        ItemEmbedderConfig.STATE_DIR.key(),
                        Files.createTempDirectory(bench.dir, "embedder").toString());
                ItemEmbedderConfig embedConfig = ItemEmbedderConfig.of(bootstrap, url, settings);
                CatalogueImages images = CatalogueImages.fashionMnistTest(embedConfig.image());
                t0 = System.nanoTime();
                try (ItemEmbedderApp embedder = ItemEmbedderApp.start(embedConfig, registry)) {
                    int embedded = awaitEmbeddings(bench, registry, images.size());
                    double embedSeconds = (System.nanoTime() - t0) / 1e9;
                    out.printf(
                            "items.embeddings: %,d items embedded in %.1f s%n",
                            embedded, embedSeconds);
                    report.put("items", images.size());
                    report.put("itemsOrigin", images.origin());
                    report.put("embedSeconds", embedSeconds);
                    return stream(
                            reports,
                            out,
                            report,
                            bench,
                            registry,
                            interactions,
                            driftAt,
                            rate,
                            images.size());
                }
            }
        }
    }

    private static Path stream(
            Path reports,
            PrintStream out,
            Report report,
            BenchPlatform bench,
            RestSchemaRegistryClient registry,
            int interactions,
            long driftAt,
            double rate,
            int items)
            throws Exception {
        String bootstrap = bench.platform.bootstrapServers();
        String url = bench.platform.registryUrl();
        ModelCatalogue.Entry entry = ModelCatalogue.bundled().entry(DefaultSpecs.RECS);
        Map<String, String> trainer = new HashMap<>(entry.trainer());
        trainer.put(ModelUpdateCodec.Config.HMAC_KEY, PipelineJobs.DEVELOPMENT_KEY);
        BenchPipeline pipeline = new BenchPipeline(bench, "bench-recs");
        pipeline.train(entry.name(), entry.encoder(), trainer);
        Map<String, String> recs = new HashMap<>();
        recs.put(
                RecommenderConfig.STATE_DIR.key(),
                Files.createTempDirectory(bench.dir, "recs").toString());
        // for ablations: -Dbench.recs.<key>=<value> (PIPELINE_JAVA_OPTS) sets a recs.* key
        System.getProperties()
                .stringPropertyNames()
                .forEach(
                        name -> {
                            if (name.startsWith("bench.recs.")) {
                                recs.put(
                                        name.substring("bench.".length()),
                                        System.getProperty(name));
                            }
                        });
        RecommenderConfig config =
                RecommenderConfig.of(entry.spec(), entry.encoder(), bootstrap, url, recs);
        report.put("trainer", new TreeMap<>(entry.trainer()));
        report.put("recommender", describe(config));
        ItemCatalogue catalogue = ItemCatalogue.fashionMnistTest();
        UserSimulator simulator =
                new UserSimulator(
                        catalogue,
                        new SimulatorConfig(USERS, rate, 42, driftAt, System.currentTimeMillis()));
        AvroWireDeserializer<Recommendation> reader =
                AvroWireDeserializer.specific(registry, Recommendation.class);
        Map<String, List<Rec>> byUser = new HashMap<>();
        List<SimulatedInteraction> sentOrder = new ArrayList<>(interactions);
        long received = 0;
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
            out.printf(
                    "streaming %,d interactions of %,d users at %.0f/s, tastes redrawn at %,d%n",
                    interactions, USERS, rate, driftAt);
            long start = System.nanoTime();
            int sent = 0;
            long lastPrint = start;
            long deadline = Long.MAX_VALUE;
            while (received < interactions && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                while (sent < interactions && now >= start + (long) (sent / rate * 1e9)) {
                    SimulatedInteraction next = simulator.next();
                    sentOrder.add(next);
                    sender.send(next.toAvro());
                    sent++;
                    if (sent == interactions) {
                        sender.flush();
                        deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    Recommendation rec = reader.deserialize(r.topic(), r.value());
                    byUser.computeIfAbsent(rec.getUserId(), u -> new ArrayList<>())
                            .add(
                                    new Rec(
                                            indices(rec),
                                            rec.getModelVersion(),
                                            Recommender.POPULAR.equals(rec.getBasis())));
                    received++;
                }
                if (now - lastPrint > 10_000_000_000L) {
                    lastPrint = now;
                    out.printf(
                            "  %,d sent, %,d recommendations read, serving version %s%n",
                            sent, received, app.servingVersion().orElse(0L));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report.put("interactionsSent", sent);
            report.put("recommendationsRead", received);
            report.put("streamSeconds", seconds);
            report.put("servingVersionAtEnd", app.servingVersion().orElse(0L));
        }
        RecsEvaluation eval = new RecsEvaluation(K, items, WINDOW);
        Map<String, Integer> next = new HashMap<>();
        Map<Long, Long> versionFirstServed = new TreeMap<>();
        long popularServed = 0;
        UserSimulator replay = new UserSimulator(catalogue, simulator.config());
        for (SimulatedInteraction in : sentOrder) {
            String user = in.userId();
            int k = next.merge(user, 1, Integer::sum) - 1;
            List<Rec> list = byUser.getOrDefault(user, List.of());
            Rec current = k == 0 || k - 1 >= list.size() ? null : list.get(k - 1);
            if (current != null) {
                versionFirstServed.putIfAbsent(current.version(), in.index());
                popularServed += current.popular() ? 1 : 0;
            }
            eval.add(in, current == null ? null : current.items(), replay);
        }
        return write(reports, out, report, eval, driftAt, versionFirstServed, popularServed);
    }

    private static Path write(
            Path reports,
            PrintStream out,
            Report report,
            RecsEvaluation eval,
            long driftAt,
            Map<Long, Long> versionFirstServed,
            long popularServed)
            throws Exception {
        Map<String, Object> summary = eval.summary();
        double pipeline = eval.hitRate(0);
        double popularity = eval.hitRate(1);
        double before = eval.hitRate(0, driftAt - 20_000, driftAt);
        long recoveredAfter = -1;
        List<double[]> windows = eval.windows();
        for (int w = 0; w < windows.size(); w++) {
            long start = (long) w * eval.window();
            if (start >= driftAt && windows.get(w)[0] >= 0.9 * before) {
                recoveredAfter = start + eval.window() - driftAt;
                break;
            }
        }
        out.printf("prequential over %,d interactions:%n", eval.seen());
        for (int m = 0; m < RecsEvaluation.METHODS.length; m++) {
            out.printf(
                    "  %-10s HR@%d %.4f  NDCG@%d %.4f%n",
                    RecsEvaluation.METHODS[m], K, eval.hitRate(m), K, eval.ndcg(m));
        }
        out.printf(
                "pipeline / popularity HR@%d: %.2f (target >= 2); before the drift %.4f,"
                        + " back within 10%% %s%n",
                K,
                pipeline / popularity,
                before,
                recoveredAfter < 0
                        ? "never"
                        : String.format(
                                "%,d interactions after it (target <= 20,000)", recoveredAfter));
        report.put("k", K)
                .put("users", USERS)
                .put("driftAt", driftAt)
                .put("prequential", summary)
                .put("pipelineOverPopularity", pipeline / popularity)
                .put("pipelineBeforeDrift", before)
                .put("recoveredWithin10PercentAfter", recoveredAfter)
                .put("windowSize", eval.window())
                .put("windowHitRates", windowTable(windows))
                .put("versionFirstServedAt", versionFirstServed)
                .put("interactionsScoredByPopularFallback", popularServed);
        Path file = report.write(reports, "bench-recs.json");
        out.println("report: " + file);
        Path plot =
                RecsHitPlot.write(
                        windows,
                        eval.window(),
                        driftAt,
                        versionFirstServed,
                        reports.resolve("bench-recs-hr.png"));
        out.println("plot: " + plot);

        return file;
    }

    private static Map<String, Object> windowTable(List<double[]> windows) {
        Map<String, Object> table = new LinkedHashMap<>();
        for (int m = 0; m < RecsEvaluation.METHODS.length; m++) {
            List<Double> column = new ArrayList<>();
            for (double[] w : windows) {
                column.add(Math.round(w[m] * 10000) / 10000.0);
            }
            table.put(RecsEvaluation.METHODS[m], column);
        }
        return table;
    }

    private static Map<String, Object> describe(RecommenderConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topK", c.topK());
        m.put("exclude", c.exclude().name().toLowerCase(java.util.Locale.ROOT));
        m.put("profileSize", c.profileSize());
        m.put("recencyDecay", c.recencyDecay());
        m.put("kindWeights", new TreeMap<>(c.kindWeights()));
        m.put("exactlyOnce", c.exactlyOnce());
        m.put("contentWeight", c.contentWeight());
        return m;
    }

    static int[] indices(Recommendation r) {
        int[] out = new int[r.getItems().size()];
        int n = 0;
        for (RecommendedItem item : r.getItems()) {
            out[n++] = LabelSets.itemIndex(item.getItemId());
        }
        return out;
    }

    /** Fits the catalogue's image CNN on the first training images, one pass, batches of 64. */
    static ModelUpdate trainImageModel(PrintStream out) {
        ModelSpec spec = DefaultSpecs.image();
        ComputationGraph net = Architectures.build(spec);
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        CatalogueImages images = CatalogueImages.of(train, ImageEncoderConfig.from(Map.of()));
        int n = Math.min(IMAGE_TRAIN, images.size());
        long t0 = System.nanoTime();
        for (int from = 0; from + 64 <= n; from += 64) {
            int[] labels = new int[64];
            for (int i = 0; i < 64; i++) {
                labels[i] = train.label(from + i);
            }
            net.fit(
                    Dl4jInputs.trainingData(
                            spec, Batch.of("input", images.batch(from, from + 64)), labels));
        }
        out.printf(
                "image model: fitted on %,d training images in %.1f s%n",
                n, (System.nanoTime() - t0) / 1e9);
        return new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY))
                .encode(spec, net, 1, null, Map.of());
    }

    static void publish(
            BenchPlatform bench, RestSchemaRegistryClient registry, String url, ModelUpdate u) {
        var serde = WireSerde.specific(registry, SerdeConfig.forValues(url), ModelUpdate.class);
        String topic = Topics.models(u.getModel()).name();
        try (KafkaProducer<byte[], byte[]> producer = bench.producer()) {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            u.getModel().getBytes(StandardCharsets.UTF_8),
                            serde.serializer().serialize(topic, u)));
            producer.flush();
        }
    }

    static int awaitEmbeddings(BenchPlatform bench, RestSchemaRegistryClient registry, int items) {
        AvroWireDeserializer<ItemEmbedding> reader =
                AvroWireDeserializer.specific(registry, ItemEmbedding.class);
        java.util.Set<String> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (KafkaConsumer<byte[], byte[]> c =
                bench.consumer(Topics.ITEMS_EMBEDDINGS.name(), true)) {
            while (seen.size() < items && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    seen.add(reader.deserialize(r.topic(), r.value()).getItemId());
                }
            }
        }
        if (seen.size() < items) {
            throw new IllegalStateException(
                    "only " + seen.size() + " of " + items + " items embedded within 3 minutes");
        }
        return seen.size();
    }
}
