package io.streamdl.bench;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.datasets.KeywordClips;
import io.streamdl.ingest.datasets.Split;
import io.streamdl.ingest.datasets.TextCorpus;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.trainer.TrainJobConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Spoken keywords (audio) or Debian package descriptions (text) learned online by the pipeline, the
 * way {@link LearnBenchmark} does it for Fashion-MNIST: the EncodeJob, the model's ScoreJob and its
 * TrainJob in one MiniCluster; the training split sent once with each label 0.5 s after its event;
 * then, once a version has learned the whole stream (or the trainer has gone quiet) and the scorer
 * serves it (seen on the scores of unlabelled probe events, which are neither learned nor counted),
 * the test split sent without labels and scored by that last published version.
 *
 * <p>Order: the training split is sent in file order, unless that order is sorted by class (at most
 * two runs per class, as in the keyword manifest, which lists the clips word by word); a
 * class-sorted stream is no online-learning test, so it is then sent in a fixed-seed shuffle
 * ({@link #SHUFFLE_SEED}). The report says which order was used. {@code --events} keeps the first N
 * events of that order; {@code --passes} sends them that many times in the same order (one pass,
 * the default, is the online-learning test; with more, the prequential accuracy of later passes is
 * measured on events already learned).
 *
 * <p>The report compares the test accuracy with the majority-class baseline on the same test split
 * (always answering the most frequent training class; ties go to the first class in the model's
 * label order) and gives the prequential accuracy of the last 20% of the training stream, the
 * versions published and the wall time, with the curve as a PNG.
 */
public final class LearnCorpusBenchmark {
    /** Seed of the shuffle of a class-sorted training split. */
    static final long SHUFFLE_SEED = 1L;

    private static final int BATCH = 32;
    private static final Duration LABEL_DELAY = Duration.ofMillis(500);
    private static final int PUBLISH_EVERY_SECONDS = 20;
    private static final double TAIL_SHARE = 0.2;

    /** How long the test split waits for the scorer to serve the last published version. */
    private static final Duration SERVING_TIMEOUT = Duration.ofMinutes(2);

    /** Time between two probes while waiting for the scorer. */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    /** What is learned. */
    public enum Modality {
        AUDIO("audio", Path.of("data", "keywords")),
        TEXT("text", Path.of("data", "debian-text.jsonl"));

        /** The model (and encoder) name. */
        final String model;

        /** Where the full data set is looked for when no {@code --data} is given. */
        final Path defaultData;

        Modality(String model, Path defaultData) {
            this.model = model;
            this.defaultData = defaultData;
        }
    }

    /** One labelled example; its event is built (and audio read) only when sent. */
    record Example(String label, BiFunction<String, Long, RawEvent> event) {}

    /**
     * A data set cut for the benchmark.
     *
     * @param classes the model's labels, in index order
     * @param fileOrder how the data set orders its training split
     */
    record Corpus(
            String origin,
            boolean sample,
            List<String> classes,
            List<Example> train,
            List<Example> test,
            String fileOrder) {}

    private LearnCorpusBenchmark() {}

    /**
     * The data set: {@code data} when given (it must exist), else the modality's default location
     * when the full set is there, else the bundled sample.
     */
    static Corpus corpus(Modality modality, Path data) {
        if (data != null && !Files.exists(data)) {
            throw new IllegalArgumentException("no data set at " + data);
        }
        return switch (modality) {
            case AUDIO -> keywords(data != null ? data : fullKeywords(modality.defaultData));
            case TEXT ->
                    text(
                            data != null
                                    ? data
                                    : Files.isRegularFile(modality.defaultData)
                                            ? modality.defaultData
                                            : null);
        };
    }

    private static Path fullKeywords(Path dir) {
        return Files.isRegularFile(dir.resolve(KeywordClips.MANIFEST))
                        || Files.isDirectory(dir.resolve("train"))
                ? dir
                : null;
    }

    private static Corpus keywords(Path dir) {
        KeywordClips clips = dir == null ? KeywordClips.sample() : KeywordClips.load(dir);
        boolean manifest = dir == null || Files.isRegularFile(dir.resolve(KeywordClips.MANIFEST));
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (KeywordClips.Clip clip : clips.clips()) {
            Example e =
                    new Example(
                            clip.label(),
                            (id, ts) ->
                                    Events.audio(id, ts, "keywords", clips.wav(clip), Map.of()));
            (clip.split() == Split.TRAIN ? train : test).add(e);
        }
        return new Corpus(
                clips.origin(),
                dir == null,
                clips.labels(),
                train,
                test,
                manifest
                        ? "manifest order (make-keywords.sh writes the clips word by word)"
                        : "path order (<split>/<word>/<file>.wav)");
    }

    private static Corpus text(Path jsonl) {
        TextCorpus corpus = jsonl == null ? TextCorpus.sample() : TextCorpus.load(jsonl);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (TextCorpus.Doc doc : corpus.docs()) {
            Example e =
                    new Example(
                            doc.label(),
                            (id, ts) ->
                                    Events.text(
                                            id,
                                            ts,
                                            "debian",
                                            doc.text(),
                                            Map.of("package", doc.id())));
            (doc.split() == Split.TRAIN ? train : test).add(e);
        }
        return new Corpus(
                corpus.origin(),
                jsonl == null,
                corpus.labels(),
                train,
                test,
                "file order (DebianTextPrep writes the documents sorted by package name, so"
                        + " neighbours are often of one package family and one section)");
    }

    public static Report run(
            PrintStream out,
            Path reports,
            Modality modality,
            Path data,
            int trainEvents,
            int passes,
            double rate)
            throws Exception {
        if (passes < 1) {
            throw new IllegalArgumentException("--passes must be at least 1, not " + passes);
        }
        long wallStart = System.nanoTime();
        String model = modality.model;
        Corpus corpus = corpus(modality, data);
        List<String> fileLabels = corpus.train().stream().map(Example::label).toList();
        boolean shuffled = LearnStats.groupedByClass(fileLabels);
        int[] order =
                shuffled
                        ? LearnStats.shuffledOrder(fileLabels.size(), SHUFFLE_SEED)
                        : LearnStats.identity(fileLabels.size());
        if (trainEvents < 1) {
            throw new IllegalArgumentException("--events must be positive, not " + trainEvents);
        }
        int nTrain = Math.min(trainEvents, order.length);
        List<Example> train = new ArrayList<>(nTrain);
        for (int i = 0; i < nTrain; i++) {
            train.add(corpus.train().get(order[i]));
        }
        List<Example> test = corpus.test();
        List<String> trainLabels = train.stream().map(Example::label).toList();
        List<String> testLabels = test.stream().map(Example::label).toList();
        String orderText =
                shuffled
                        ? String.format(
                                "fixed-seed shuffle (java.util.Random seed %d, Fisher-Yates) of the"
                                        + " training split, because its %s is sorted by class (%d"
                                        + " runs for %d classes)",
                                SHUFFLE_SEED,
                                corpus.fileOrder(),
                                LearnStats.runs(fileLabels),
                                new HashSet<>(fileLabels).size())
                        : String.format(
                                "%s, not shuffled (%d label runs in %d events)",
                                corpus.fileOrder(), LearnStats.runs(fileLabels), fileLabels.size());
        String majority = LearnStats.majorityLabel(trainLabels, corpus.classes());
        double baseline = LearnStats.constantAccuracy(majority, testLabels);
        int total = nTrain * passes;
        // Trainer cadence scaled to the (small) data sets: up to ~25 curve points of at least 128
        // events (fewer on tiny streams), ~10 publish attempts. The window is the curve's block, so
        // samples are disjoint; the publish guard compares windows of that size.
        int every =
                LearnStats.roundUp(
                        Math.max(1, Math.max(total / 25, Math.min(128, total / 5))), BATCH);
        int publishEvery = LearnStats.roundUp(Math.max(BATCH, total / 10), BATCH);
        int tailEvents = (int) Math.ceil(total * TAIL_SHARE);
        out.printf(
                "%s: %s; %,d training events x %d pass(es) (%s), %,d test events, %d classes;"
                        + " majority class '%s' scores %.4f on the test split%n",
                model,
                corpus.origin(),
                nTrain,
                passes,
                shuffled ? "shuffled, seed " + SHUFFLE_SEED : "file order",
                test.size(),
                corpus.classes().size(),
                majority,
                baseline);

        String name = "learn-" + model;
        Report report = new Report(name, "./pipeline bench " + name);
        Map<String, String> trainer =
                new HashMap<>(
                        Map.of(
                                "models.hmac.key",
                                PipelineJobs.DEVELOPMENT_KEY,
                                "trainer.batch-size",
                                Integer.toString(BATCH),
                                "trainer.publish.every-examples",
                                Integer.toString(publishEvery),
                                "trainer.publish.every-seconds",
                                Integer.toString(PUBLISH_EVERY_SECONDS),
                                "trainer.window.size",
                                Integer.toString(every),
                                "trainer.metrics.every-examples",
                                Integer.toString(every),
                                "trainer.join.horizon-seconds",
                                "900"));
        try (BenchPlatform bench = new BenchPlatform(4)) {
            String url = bench.platform.registryUrl();
            BenchPipeline.learning(bench, "bench-" + name, model, trainer);

            KafkaConsumer<byte[], byte[]> metrics = bench.consumer("dashboard.metrics", true);
            KafkaConsumer<byte[], byte[]> models = bench.consumer("models." + model, true);
            KafkaConsumer<byte[], byte[]> dlq = bench.consumer("dlq", true);
            // Events the pipeline refused (e.g. a text over text.max.chars): never learned or
            // scored, so the waits below must not expect them. Keyed by event id, with the reason.
            Map<String, String> deadTrain = new LinkedHashMap<>();
            Map<String, String> deadTest = new LinkedHashMap<>();
            List<Double> curve = new ArrayList<>();
            List<double[]> versions = new ArrayList<>(); // {version, examples learned}
            int[] heldBack = new int[1];
            long[] lastActivity = {System.nanoTime()};
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                    EventSender sender =
                            new EventSender(bench.platform.bootstrapServers(), url, LABEL_DELAY)) {
                AvroWireDeserializer<DashboardMetric> metricReader =
                        AvroWireDeserializer.specific(registry, DashboardMetric.class);
                AvroWireDeserializer<ModelUpdate> updateReader =
                        AvroWireDeserializer.specific(registry, ModelUpdate.class);
                AvroWireDeserializer<DeadLetter> deadReader =
                        AvroWireDeserializer.specific(registry, DeadLetter.class);
                Runnable pollDead =
                        () -> {
                            for (ConsumerRecord<byte[], byte[]> r :
                                    dlq.poll(Duration.ofMillis(50))) {
                                DeadLetter d = deadReader.deserialize(r.topic(), r.value());
                                if (d.getKey() == null) {
                                    continue;
                                }
                                String id =
                                        StandardCharsets.UTF_8
                                                .decode(d.getKey().duplicate())
                                                .toString();
                                String why = d.getStage() + ": " + d.getError();
                                if (id.startsWith("train-")) {
                                    deadTrain.put(id, why);
                                } else if (id.startsWith("test-")) {
                                    deadTest.put(id, why);
                                }
                            }
                        };
                Runnable poll =
                        () -> {
                            pollDead.run();
                            for (ConsumerRecord<byte[], byte[]> r :
                                    metrics.poll(Duration.ofMillis(50))) {
                                DashboardMetric m = metricReader.deserialize(r.topic(), r.value());
                                if (!model.equals(m.getModel())) {
                                    continue;
                                }
                                lastActivity[0] = System.nanoTime();
                                if (m.getMetric().equals("prequential_accuracy")) {
                                    curve.add(m.getValue());
                                } else if (m.getMetric().startsWith("update_held_back")) {
                                    heldBack[0]++;
                                }
                            }
                            for (ConsumerRecord<byte[], byte[]> r :
                                    models.poll(Duration.ofMillis(50))) {
                                ModelUpdate u = updateReader.deserialize(r.topic(), r.value());
                                lastActivity[0] = System.nanoTime();
                                versions.add(
                                        new double[] {
                                            u.getVersion(),
                                            u.getMetrics().getOrDefault("examples_learned", 0.0)
                                        });
                            }
                        };
                long t0 = System.nanoTime();
                int progressEvery = Math.max(100, total / 10);
                for (int n = 0; n < total; n++) {
                    // Every pass repeats the same order; event ids stay unique across passes.
                    int i = n % nTrain;
                    String id = passes == 1 ? "train-" + i : "train-" + n / nTrain + "-" + i;
                    Example e = train.get(i);
                    sender.send(e.event().apply(id, System.currentTimeMillis()), e.label());
                    long wait = t0 + (long) ((n + 1) / rate * 1e9) - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    if (n % progressEvery == progressEvery - 1) {
                        poll.run();
                        out.printf(
                                "train %,d/%,d sent, %d accuracy samples (last %.3f), %d versions%n",
                                n + 1,
                                total,
                                curve.size(),
                                curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1),
                                versions.size());
                    }
                }
                sender.flush();
                double sendSeconds = (System.nanoTime() - t0) / 1e9;
                lastActivity[0] = System.nanoTime();
                // Wait for the version that learned every training example (the trainer publishes
                // the tail on its time trigger). If the publish guard holds that update back, the
                // trainer goes quiet instead: stop waiting after a quiet spell longer than the
                // time trigger.
                long quiet = Duration.ofSeconds(PUBLISH_EVERY_SECONDS + 40).toNanos();
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                boolean learnedAll = false;
                while (System.nanoTime() < deadline) {
                    poll.run();
                    learnedAll =
                            !versions.isEmpty()
                                    && versions.get(versions.size() - 1)[1]
                                            >= total - deadTrain.size();
                    if (learnedAll || System.nanoTime() - lastActivity[0] > quiet) {
                        break;
                    }
                    Thread.sleep(500);
                }
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                long lastVersion =
                        versions.isEmpty() ? -1 : (long) versions.get(versions.size() - 1)[0];
                double lastLearned = versions.isEmpty() ? 0 : versions.get(versions.size() - 1)[1];
                out.printf(
                        "training stream done in %.0f s (sent in %.0f s); last version %d learned"
                                + " %.0f of %d events (%d dead-lettered %s); %d updates held"
                                + " back%n",
                        trainSeconds,
                        sendSeconds,
                        lastVersion,
                        lastLearned,
                        total,
                        deadTrain.size(),
                        deadTrain,
                        heldBack[0]);
                // The test split, without labels, scored by the last published model: first wait
                // until the scorer serves it.
                KafkaConsumer<byte[], byte[]> scores = bench.consumer("scores." + model, true);
                AvroWireDeserializer<Score> scoreReader =
                        AvroWireDeserializer.specific(registry, Score.class);
                if (lastVersion >= 0) {
                    long serving =
                            awaitServing(
                                    sender,
                                    scores,
                                    scoreReader,
                                    train.get(0),
                                    lastVersion,
                                    SERVING_TIMEOUT);
                    if (serving < lastVersion) {
                        out.printf(
                                "the scorer did not serve version %d within %d s (last seen: %d);"
                                        + " scoring the test split anyway%n",
                                lastVersion, SERVING_TIMEOUT.toSeconds(), serving);
                    }
                }
                long testStart = System.nanoTime();
                for (int i = 0; i < test.size(); i++) {
                    sender.send(test.get(i).event().apply("test-" + i, System.currentTimeMillis()));
                }
                sender.flush();
                Set<Integer> seen = new HashSet<>();
                int right = 0;
                int lastRight = 0;
                int lastSeen = 0;
                Map<Long, Integer> byVersion = new LinkedHashMap<>();
                Map<String, Integer> predicted = LearnStats.counts(List.of(), corpus.classes());
                long scoreDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (seen.size() + deadTest.size() < test.size()
                        && System.nanoTime() < scoreDeadline) {
                    pollDead.run();
                    for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                        Score s = scoreReader.deserialize(r.topic(), r.value());
                        if (!s.getEventId().startsWith("test-")) {
                            continue;
                        }
                        int i = Integer.parseInt(s.getEventId().substring(5));
                        if (!seen.add(i)) {
                            continue;
                        }
                        boolean correct = testLabels.get(i).equals(s.getLabel());
                        byVersion.merge(s.getModelVersion(), 1, Integer::sum);
                        predicted.merge(s.getLabel(), 1, Integer::sum);
                        right += correct ? 1 : 0;
                        if (s.getModelVersion() == lastVersion) {
                            lastSeen++;
                            lastRight += correct ? 1 : 0;
                        }
                    }
                }
                scores.close();
                double testSeconds = (System.nanoTime() - testStart) / 1e9;
                double testAccuracy = seen.isEmpty() ? Double.NaN : (double) right / seen.size();
                double lastVersionAccuracy =
                        lastSeen == 0 ? Double.NaN : (double) lastRight / lastSeen;
                // Refused or unscored test events count as wrong here.
                double lastVersionAccuracyAll =
                        test.isEmpty() ? Double.NaN : (double) lastRight / test.size();
                double tail = LearnStats.tailMean(curve, every, tailEvents);
                // the events the averaged samples actually cover
                int tailCovered = LearnStats.tailSamples(curve.size(), every, tailEvents) * every;
                double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
                out.printf(
                        "%s: test accuracy %.4f over %d scores %s (last version %d: %.4f over %d,"
                                + " %.4f over all %d test events; %d dead-lettered %s) vs"
                                + " majority-class baseline %.4f ('%s'); prequential accuracy"
                                + " over the last %d training events %.4f; %d versions; wall"
                                + " time %.0f s%n",
                        model,
                        testAccuracy,
                        seen.size(),
                        byVersion,
                        lastVersion,
                        lastVersionAccuracy,
                        lastSeen,
                        lastVersionAccuracyAll,
                        test.size(),
                        deadTest.size(),
                        deadTest,
                        baseline,
                        majority,
                        curve.isEmpty() ? 0 : tailCovered,
                        tail,
                        versions.size(),
                        wallSeconds);
                Path png =
                        LearnCurvePlot.write(
                                curve,
                                every,
                                versions,
                                baseline,
                                lastVersionAccuracy,
                                String.format(
                                        "%s: prequential accuracy per %,d training events vs events"
                                                + " learned; orange: published versions",
                                        model, every),
                                reports.resolve(name + ".png"));
                report.put("modality", model)
                        .put("data", corpus.origin())
                        .put("bundledSample", corpus.sample())
                        .put("order", orderText)
                        .put("shuffled", shuffled)
                        .put("shuffleSeed", shuffled ? SHUFFLE_SEED : null)
                        .put("classes", corpus.classes().size())
                        .put("classesInTraining", new HashSet<>(trainLabels).size())
                        .put("trainEvents", nTrain)
                        .put("passes", passes)
                        .put("eventsLearnedTarget", total)
                        .put("trainSplitSize", corpus.train().size())
                        .put("testEvents", test.size())
                        .put("trainClassCounts", LearnStats.counts(trainLabels, corpus.classes()))
                        .put("testClassCounts", LearnStats.counts(testLabels, corpus.classes()))
                        .put("rate", rate)
                        .put("labelDelayMs", LABEL_DELAY.toMillis())
                        .put("trainerSettings", trainerSettings(trainer))
                        .put("modelSpec", String.valueOf(DefaultSpecs.byName(model)))
                        .put("testAccuracy", lastVersionAccuracy)
                        .put("testAccuracyOverAllTestEvents", lastVersionAccuracyAll)
                        .put("testAccuracyAllScores", testAccuracy)
                        .put("testScored", seen.size())
                        .put("testScoredByLastVersion", lastSeen)
                        .put("testDeadLettered", deadTest)
                        .put("testScoresByVersion", byVersion)
                        .put("testPredictedClassCounts", predicted)
                        .put("majorityClass", majority)
                        .put("majorityBaselineTestAccuracy", baseline)
                        .put("chanceAccuracy", 1.0 / corpus.classes().size())
                        .put("prequentialTailEvents", curve.isEmpty() ? 0 : tailCovered)
                        .put("prequentialTail", tail)
                        .put("prequentialEvery", every)
                        .put("prequentialCurve", curve)
                        .put(
                                "prequentialNote",
                                passes == 1
                                        ? "test-then-train on events not seen before"
                                        : "later passes repeat events already learned, so the"
                                                + " tail overstates accuracy on unseen data")
                        .put("versionsPublished", versions.size())
                        .put("versions", versions)
                        .put("lastVersion", lastVersion)
                        .put("lastVersionExamplesLearned", lastLearned)
                        .put("lastVersionLearnedAll", learnedAll)
                        .put("trainDeadLettered", deadTrain)
                        .put("updatesHeldBack", heldBack[0])
                        .put("sendSeconds", sendSeconds)
                        .put("trainSeconds", trainSeconds)
                        .put("testSeconds", testSeconds)
                        .put("wallSeconds", wallSeconds)
                        .put("plot", png.toString())
                        .put("targets", Map.of());
            }
            metrics.close();
            models.close();
            dlq.close();
        }
        return report;
    }

    /**
     * Sends unlabelled probes (the event of {@code probe} under the ids {@code probe-<n>}, never
     * learned, and skipped by the test split's count, which reads only {@code test-} ids) until one
     * is scored by {@code version} or a later one, or {@code timeout} has passed.
     *
     * @return the newest version seen scoring a probe, or -1 if no probe was scored
     */
    private static long awaitServing(
            EventSender sender,
            KafkaConsumer<byte[], byte[]> scores,
            AvroWireDeserializer<Score> reader,
            Example probe,
            long version,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProbe = System.nanoTime();
        long serving = -1;
        int probes = 0;
        while (serving < version && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProbe) {
                sender.send(probe.event().apply("probe-" + probes++, System.currentTimeMillis()));
                sender.flush();
                nextProbe = System.nanoTime() + PROBE_EVERY.toNanos();
            }
            for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                Score s = reader.deserialize(r.topic(), r.value());
                if (s.getEventId().startsWith("probe-")) {
                    serving = Math.max(serving, s.getModelVersion());
                }
            }
        }
        return serving;
    }

    /** Every {@code trainer.*} key with the value the TrainJob ran with (set here or default). */
    private static Map<String, String> trainerSettings(Map<String, String> settings) {
        Map<String, String> shown = new LinkedHashMap<>();
        for (ConfigOption<?> k : TrainJobConfig.OPTIONS) {
            shown.put(k.key(), settings.getOrDefault(k.key(), k.defaultText()));
        }
        return shown;
    }

    public static Path runAndWrite(
            Path dir,
            PrintStream out,
            Modality modality,
            Path data,
            int events,
            int passes,
            double rate)
            throws Exception {
        Path file =
                run(out, dir, modality, data, events, passes, rate)
                        .write(dir, "bench-learn-" + modality.model + ".json");
        out.println("report: " + file);
        return file;
    }
}
