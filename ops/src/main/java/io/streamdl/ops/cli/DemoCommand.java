package io.streamdl.ops.cli;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ingest.MetricCsv;
import io.streamdl.ingest.datasets.KeywordClips;
import io.streamdl.ingest.datasets.Split;
import io.streamdl.ingest.datasets.TextCorpus;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.web.LivePage;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.RecommenderApp;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./pipeline demo}: the platform and every job, then a replay of real labelled data
 * (Fashion-MNIST images, spoken keywords, Debian package descriptions) with labels arriving after a
 * delay, and of a real metric series of the Numenta Anomaly Benchmark in time order, showing
 * progress, model versions, live accuracy and the anomalies the detector raises as they fire.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Start everything as 'up' does, then replay real labelled data (Fashion-MNIST, spoken keywords, Debian descriptions) and a metric series of the Numenta Anomaly Benchmark, showing events, scores, dead letters, model versions, live accuracy and anomalies as they fire; --events N stops after N events with a summary.")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

    @Option(
            names = "--events",
            description =
                    "Stop after this many events and print a summary (default: run until Ctrl-C).")
    long events = Long.MAX_VALUE;

    @Option(names = "--rate", description = "Events per second sent (default 200).")
    double rate = 200;

    @Option(
            names = "--label-delay",
            description = "Delay before an event's label arrives (default 1s).")
    Duration labelDelay = Duration.ofSeconds(1);

    @Option(
            names = "--keywords",
            description =
                    "A directory made by ops/scripts/make-keywords.sh (default: the bundled sample).")
    Path keywords;

    @Option(
            names = "--texts",
            description =
                    "A JSONL file made by ops/scripts/make-debian-text.sh (default: the bundled sample).")
    Path texts;

    @Option(
            names = "--metrics",
            description =
                    "A timestamp,value CSV replayed as metric series 'demo' in time order, every 5th event (default: NAB's realKnownCause/rogue_agent_key_hold.csv, shipped in ingest/data/nab).")
    Path metrics;

    /** How many alerts the demo prints as they fire; the rest are counted. */
    private static final int ALERTS_PRINTED = 25;

    static final String DEMO_SERIES = "demo";

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        // the demo's own defaults: first versions sooner, results readable sooner; any key the
        // user sets wins
        PlatformConfig config =
                common.platformConfig(
                        Map.of(
                                "trainer.publish.every-examples",
                                "300",
                                "trainer.publish.every-seconds",
                                "10",
                                PlatformConfig.CHECKPOINT_INTERVAL.key(),
                                "1000"));
        PipelineJobs.plan(config, "http://registry.invalid");
        if (!PipelineJobs.hasSigningKey(config)) {
            out.println(
                    "Demo: "
                            + PipelineJobs.HMAC_KEY
                            + " is not set, so the demo runs as 'up --dev-insecure-key': model"
                            + " updates are signed with the built-in development key, fine for"
                            + " a try-out, never for real use.");
        }

        FashionMnist images = FashionMnist.load(FashionMnist.Split.TRAIN);
        KeywordClips clips = keywords == null ? KeywordClips.sample() : KeywordClips.load(keywords);
        TextCorpus corpus = texts == null ? TextCorpus.sample() : TextCorpus.load(texts);
        List<KeywordClips.Clip> clipList = clips.clips(Split.TRAIN);
        List<TextCorpus.Doc> docs = corpus.docs(Split.TRAIN);
        Path metricFile = metrics == null ? Home.path(DEFAULT_METRICS) : metrics;
        MetricCsv.Series series = MetricCsv.read(metricFile);
        ModelCatalogue catalogue = PipelineJobs.catalogue(config);
        boolean metricModel =
                catalogue.enabled().stream().anyMatch(e -> e.encoder().equals("metric"));

        out.println(
                "Starting the platform and the jobs (data in "
                        + config.dataDir().toAbsolutePath().normalize()
                        + ") ...");
        long started = System.nanoTime();
        Platform platform = Platform.start(config);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            stop.set(true);
                            try {
                                finished.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        AnomalyDetectorApp detector = null;
        ItemEmbedderApp embedder = null;
        DashboardAggregatesApp dashboard = null;
        RecommenderApp recommender = null;
        LivePage page = null;
        io.streamdl.scoring.lifecycle.LifecycleController lifecycle = null;
        try {
            JobRunner runner = new JobRunner(platform);
            PipelineJobs jobs = new PipelineJobs(platform);
            List<String> names = new ArrayList<>(jobs.submitEncodeAndScore(runner));
            names.addAll(jobs.submitTrainers(runner));
            detector = jobs.startAnomalyDetector();
            dashboard = jobs.startDashboardAggregates();
            lifecycle = io.streamdl.ops.jobs.LifecycleJobs.start(platform, jobs);
            embedder = jobs.startItemEmbedder().orElse(null);
            recommender = jobs.startRecommender().orElse(null);
            page = LivePage.startFor(platform, dashboard, detector, recommender, embedder);
            platform.addresses()
                    .forEach((name, address) -> out.printf("  %-16s %s%n", name, address));
            out.printf(
                    "  %-16s %s (open it in a browser; Prometheus: %smetrics)%n",
                    "Live page", page.url(), page.url());
            out.printf("  %-16s %s%n", "Flink jobs", String.join(", ", names));
            out.printf(
                    "  %-16s AnomalyDetector (%s -> anomalies)%n",
                    "Streams apps", String.join(", ", detector.config().scoreTopics()));
            if (recommender != null) {
                out.printf(
                        "  %-16s Recommender (interactions -> recommendations, GET %s/recommendations/{userId}), ItemEmbedder (models.image -> items.embeddings)%n",
                        "", platform.ingestUrl());
            }
            out.printf(
                    "Replaying %s images from %s, %d keyword clips and %d texts (every 10th event is a clip, every 10th a text), labels after %d ms%n",
                    images.size(),
                    images.origin(),
                    clipList.size(),
                    docs.size(),
                    labelDelay.toMillis());
            out.println(
                    "Scores wait until each trainer publishes its first version (after "
                            + config.jobSettings().get("trainer.publish.every-examples")
                            + " labelled examples or "
                            + config.jobSettings().get("trainer.publish.every-seconds")
                            + " s).");

            long sent = 0;
            out.printf(
                    "Every 5th event is a point of %s (%,d points) as series '%s'%s%n",
                    metricFile,
                    series.points().size(),
                    DEMO_SERIES,
                    metricModel
                            ? "; anomalies are printed as the detector raises them"
                            : " (not sent: the catalogue enables no model of the metric encoder)");
            DemoInteractions interactions =
                    recommender == null
                            ? null
                            : new DemoInteractions(
                                    platform.bootstrapServers(),
                                    platform.registryUrl(),
                                    platform.registrySettings(),
                                    events == Long.MAX_VALUE ? 20_000 : Math.max(2, events / 2),
                                    rate / 2,
                                    platform.kafkaSecurity(Principal.INGEST),
                                    platform.kafkaSecurity(Principal.DASHBOARD));
            if (interactions != null) {
                out.println("Every 2nd event an interaction is sent too: " + interactions.about());
            }
            try (interactions;
                    DemoMonitor monitor = monitor(platform, catalogue);
                    EventSender sender =
                            new EventSender(
                                    platform.bootstrapServers(),
                                    platform.registryUrl(),
                                    platform.registrySettings(),
                                    labelDelay,
                                    platform.kafkaSecurity(Principal.INGEST))) {
                long t0 = System.nanoTime();
                long lastPrint = 0;
                int imageIndex = 0;
                int clipIndex = 0;
                int docIndex = 0;
                int pointIndex = 0;
                int alertsPrinted = 0;
                while (!stop.get() && sent < events) {
                    long now = System.currentTimeMillis();
                    String id = "demo-" + sent;
                    if (metricModel && sent % 5 == 2 && pointIndex < series.points().size()) {
                        MetricCsv.Point point = series.points().get(pointIndex++);
                        sender.send(
                                Events.metric(
                                        id,
                                        point.ts(),
                                        "nab",
                                        DEMO_SERIES,
                                        point.value(),
                                        Map.of("point", Integer.toString(pointIndex))),
                                null);
                    } else if (sent % 10 == 4 && !clipList.isEmpty()) {
                        KeywordClips.Clip clip = clipList.get(clipIndex++ % clipList.size());
                        sender.send(
                                Events.audio(id, now, "keywords", clips.wav(clip), Map.of()),
                                clip.label());
                    } else if (sent % 10 == 9 && !docs.isEmpty()) {
                        TextCorpus.Doc doc = docs.get(docIndex++ % docs.size());
                        sender.send(
                                Events.text(
                                        id, now, "debian", doc.text(), Map.of("package", doc.id())),
                                doc.label());
                    } else {
                        int i = imageIndex++ % images.size();
                        byte[] png = ImageCodecs.png(images.image(i), 28, 28);
                        sender.send(
                                Events.image(
                                        id,
                                        now,
                                        "fashion-mnist",
                                        "image/png",
                                        png,
                                        28,
                                        28,
                                        Map.of()),
                                images.className(i));
                    }
                    if (interactions != null && sent % 2 == 0) {
                        interactions.sendOne();
                        interactions.print(out);
                    }
                    sent++;
                    long due = t0 + (long) (sent / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    alertsPrinted = printAlerts(out, monitor, alertsPrinted);
                    if (System.nanoTime() - lastPrint > 3_000_000_000L) {
                        lastPrint = System.nanoTime();
                        out.printf(
                                "events %,d%s | %s%n",
                                sent,
                                events == Long.MAX_VALUE ? "" : String.format("/%,d", events),
                                monitor.status());
                    }
                }
                sender.flush();
                if (interactions != null) {
                    interactions.flush();
                }
                // Let the last events be scored: everything sent ends as a score or a dead letter.
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                // Interactions go on meanwhile until the watched user has been ranked by
                // content or model once: the first image version (hence the item embeddings)
                // often comes late in a short demo.
                while (!stop.get()
                        && (monitor.scoredTotal() + monitor.deadTotal() < sent
                                || (interactions != null
                                        && (interactions.accounted() < interactions.sent()
                                                || !interactions.ranked())))
                        && System.nanoTime() < deadline) {
                    for (int tick = 0; tick < 10; tick++) {
                        if (interactions != null && !interactions.ranked()) {
                            for (int k = 0; k < rate / 20; k++) {
                                interactions.sendOne();
                            }
                            interactions.flush();
                        }
                        Thread.sleep(100);
                    }
                    alertsPrinted = printAlerts(out, monitor, alertsPrinted);
                    if (interactions != null) {
                        interactions.print(out);
                    }
                    out.printf("events %,d (all sent) | %s%n", sent, monitor.status());
                }
                printAlerts(out, monitor, alertsPrinted);
                out.println();
                out.print(monitor.summary(sent, (System.nanoTime() - started) / 1e9));
                if (interactions != null) {
                    out.print(interactions.summary());
                }
                long unaccounted = sent - monitor.scoredTotal() - monitor.deadTotal();
                if (unaccounted != 0) {
                    out.printf(
                            "  %,d events not yet scored when the demo stopped (still held or in flight)%n",
                            unaccounted);
                }
            }
        } finally {
            if (page != null) {
                try {
                    page.close();
                } catch (Exception e) {
                    out.println("live page: " + e);
                }
            }
            out.println("Stopping ...");
            if (lifecycle != null) {
                lifecycle.close();
            }
            if (recommender != null) {
                recommender.close();
            }
            if (embedder != null) {
                embedder.close();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            if (detector != null) {
                detector.close();
            }
            platform.close();
            finished.countDown();
            if (!stop.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        return 0;
    }

    static final String DEFAULT_METRICS =
            "ingest/data/nab/data/realKnownCause/rogue_agent_key_hold.csv";

    /** A monitor of every enabled model; the first model of each encoder accounts for events. */
    private static DemoMonitor monitor(Platform platform, ModelCatalogue catalogue) {
        List<String> models = new ArrayList<>();
        List<String> classifiers = new ArrayList<>();
        Map<String, String> firstOfEncoder = new LinkedHashMap<>();
        for (ModelCatalogue.Entry e : catalogue.enabled()) {
            models.add(e.name());
            if (PipelineJobs.servedByRecommender(e)) {
                continue; // no scores: its recommendations are DemoInteractions' to watch
            }
            if (e.spec().isClassifier()) {
                classifiers.add(e.name());
            }
            firstOfEncoder.putIfAbsent(e.encoder(), e.name());
        }
        return new DemoMonitor(
                platform.bootstrapServers(),
                platform.registryUrl(),
                platform.registrySettings(),
                models,
                classifiers,
                Set.copyOf(firstOfEncoder.values()),
                platform.kafkaSecurity(Principal.DASHBOARD));
    }

    /** Prints the alerts that arrived, up to {@link #ALERTS_PRINTED} in all; returns the count. */
    private static int printAlerts(PrintStream out, DemoMonitor monitor, int printed) {
        for (Anomaly a : monitor.takeNewAlerts()) {
            if (printed < ALERTS_PRINTED) {
                out.printf(
                        "  ANOMALY %s%s v%d: event %s at %s, score %.4g above threshold %.4g%n",
                        a.getModel(),
                        a.getSeries() == null ? "" : "/" + a.getSeries(),
                        a.getModelVersion(),
                        a.getEventId(),
                        Instant.ofEpochMilli(a.getTs()),
                        a.getScore(),
                        a.getThreshold());
            } else if (printed == ALERTS_PRINTED) {
                out.println("  (further anomalies are counted, not printed)");
            }
            printed++;
        }
        return printed;
    }
}
