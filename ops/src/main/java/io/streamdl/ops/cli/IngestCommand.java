package io.streamdl.ops.cli;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.FileEvents;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ingest.InteractionSender;
import io.streamdl.ingest.MetricCsv;
import io.streamdl.ingest.interactions.ItemCatalogue;
import io.streamdl.ingest.interactions.SimulatedInteraction;
import io.streamdl.ingest.interactions.SimulatorConfig;
import io.streamdl.ingest.interactions.UserSimulator;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.security.Principal;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.security.KafkaClientSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./pipeline ingest ...}: files or a real data set onto {@code events.raw}, or simulated
 * users' interactions onto {@code interactions}.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description =
                "Send files (images, audio, text, a timestamp,value CSV of metrics) or a data set (fashion-mnist) to events.raw of the running platform, with a progress bar and a summary; or simulated users' interactions with the Fashion-MNIST test items (interactions) to interactions.")
final class IngestCommand implements Callable<Integer> {
    @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

    @Parameters(
            index = "0",
            description =
                    "What to send: images, audio, text (files), metrics (one CSV, with --series), fashion-mnist (with labels) or interactions (simulated users).")
    String what;

    @Parameters(
            index = "1..*",
            arity = "0..*",
            description = "Files or directories (for images, audio, text).")
    List<Path> paths = List.of();

    @Option(names = "--split", description = "fashion-mnist split: train or test (default train).")
    String split = "train";

    @Option(names = "--limit", description = "Send at most this many events.")
    long limit = Long.MAX_VALUE;

    @Option(
            names = "--rate",
            description =
                    "Events per second (0 = as fast as possible); interactions: per second, above 0 (default 100).")
    Double rate;

    @Option(
            names = "--series",
            description =
                    "metrics: the series key of the CSV's observations (default: the file name).")
    String series;

    @Option(
            names = "--label-delay",
            description = "Delay before an event's label is sent (default 2s).")
    Duration labelDelay = Duration.ofSeconds(2);

    @Option(
            names = "--users",
            description = "interactions: how many simulated users (default 1000).")
    int users = SimulatorConfig.USERS.defaultValue();

    @Option(
            names = "--count",
            description = "interactions: stop after this many (default: run until Ctrl-C).")
    Long count;

    @Option(
            names = "--drift-at",
            description =
                    "interactions: redraw every user's tastes from this interaction on (0 = never).")
    long driftAt = SimulatorConfig.DRIFT_AT.defaultValue();

    @Option(
            names = "--seed",
            description =
                    "interactions: the seed; the same seed sends the same stream (default 1).")
    long seed = SimulatorConfig.SEED.defaultValue();

    /** How often a run of interactions prints where it is. */
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    @Override
    public Integer call() throws IOException {
        PlatformConfig config = common.platformConfig();
        String bootstrap = PipelineCli.Common.bootstrap(config);
        String registry = PipelineCli.Common.registry(config);
        RegistryClientSettings registrySettings = PipelineCli.Common.registrySettings(config);
        KafkaClientSecurity security = PipelineCli.Common.kafkaSecurity(config, Principal.INGEST);
        if (what.equalsIgnoreCase("interactions")) {
            return sendInteractions(bootstrap, registry, registrySettings, security);
        }
        long sent;
        Progress progress;
        try (EventSender sender =
                new EventSender(bootstrap, registry, registrySettings, labelDelay, security)) {
            switch (what.toLowerCase(Locale.ROOT)) {
                case "fashion-mnist" -> {
                    FashionMnist data =
                            FashionMnist.load(
                                    split.equals("test")
                                            ? FashionMnist.Split.TEST
                                            : FashionMnist.Split.TRAIN);
                    long n = Math.min(limit, data.size());
                    System.out.println(
                            "Sending "
                                    + n
                                    + " Fashion-MNIST "
                                    + split
                                    + " images from "
                                    + data.origin());
                    progress = new Progress(System.out, "events", n);
                    for (int i = 0; i < n; i++) {
                        String id = "fmnist-" + split + "-" + i;
                        byte[] png =
                                ImageCodecs.png(
                                        data.image(i), FashionMnist.COLS, FashionMnist.ROWS);
                        sender.send(
                                Events.image(
                                        id,
                                        System.currentTimeMillis(),
                                        "fashion-mnist",
                                        "image/png",
                                        png,
                                        28,
                                        28,
                                        Map.of("split", split, "index", Integer.toString(i))),
                                data.className(i));
                        pace(i + 1, progress);
                        progress.update(i + 1, null);
                    }
                    sender.flush();
                    sent = n;
                }
                case "images", "audio", "text" -> {
                    if (paths.isEmpty()) {
                        throw new IllegalArgumentException(
                                "give at least one file or directory after '" + what + "'");
                    }
                    FileEvents.Kind kind =
                            switch (what) {
                                case "images" -> FileEvents.Kind.IMAGES;
                                case "audio" -> FileEvents.Kind.AUDIO;
                                default -> FileEvents.Kind.TEXT;
                            };
                    List<Path> files = FileEvents.files(kind, paths);
                    System.out.println("Sending " + what + " from " + files.size() + " file(s)");
                    progress = new Progress(System.out, "files", files.size());
                    long[] count = {0};
                    int done = 0;
                    for (Path file : files) {
                        if (count[0] >= limit) {
                            break;
                        }
                        FileEvents.read(
                                kind,
                                file,
                                System.currentTimeMillis(),
                                e -> {
                                    if (count[0]++ < limit) {
                                        sender.send(e.event(), e.label());
                                    }
                                });
                        progress.update(++done, null);
                        pace(count[0], progress);
                    }
                    sender.flush();
                    sent = Math.min(count[0], limit);
                }
                case "metrics" -> {
                    if (paths.size() != 1) {
                        throw new IllegalArgumentException(
                                "give one timestamp,value CSV file after 'metrics'");
                    }
                    sent = sendMetrics(sender, paths.get(0));
                    progress = lastProgress;
                }
                default ->
                        throw new IllegalArgumentException(
                                "unknown data '"
                                        + what
                                        + "': use images, audio, text, metrics, fashion-mnist or"
                                        + " interactions");
            }
            progress.finish(sent);
        } catch (IllegalStateException e) {
            throw new PlatformException(
                    "sending to Kafka at "
                            + bootstrap
                            + " failed (is ./pipeline up running?): "
                            + e.getMessage(),
                    e);
        }
        System.out.printf(
                "Sent %,d events to events.raw in %.1f s%s.%n",
                sent,
                progress.elapsedSeconds(),
                what.equals("fashion-mnist")
                        ? " (labels follow after " + labelDelay.toMillis() + " ms)"
                        : "");
        return 0;
    }

    private Progress lastProgress;

    /** Sends a CSV's observations in file order, each stamped with its own timestamp. */
    private long sendMetrics(EventSender sender, Path csv) throws IOException {
        MetricCsv.Series data = MetricCsv.read(csv);
        String key =
                series != null ? series : csv.getFileName().toString().replaceAll("\\.csv$", "");
        data.skipped().forEach(s -> System.out.println("skipped " + s));
        long n = Math.min(limit, data.points().size());
        System.out.println("Sending " + n + " observations of series " + key + " from " + csv);
        lastProgress = new Progress(System.out, "events", n);
        for (int i = 0; i < n; i++) {
            MetricCsv.Point p = data.points().get(i);
            sender.send(Events.metric(key + "-" + i, p.ts(), "csv", key, p.value(), Map.of()));
            pace(i + 1, lastProgress);
            lastProgress.update(i + 1, null);
        }
        sender.flush();
        return n;
    }

    /**
     * Simulated interactions, open loop: interaction {@code i} is sent when {@code i / rate}
     * seconds have passed since the start, acknowledged or not, and stamped with that time; a run
     * that falls behind (a slow broker) sends at once until it is back on schedule.
     */
    private int sendInteractions(
            String bootstrap,
            String registry,
            RegistryClientSettings registrySettings,
            KafkaClientSecurity security) {
        if (!paths.isEmpty()) {
            throw new IllegalArgumentException("'interactions' takes no files");
        }
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        SimulatorConfig checked =
                new SimulatorConfig(
                        users,
                        rate == null ? SimulatorConfig.RATE.defaultValue() : rate,
                        seed,
                        driftAt,
                        0);
        ItemCatalogue items = ItemCatalogue.fashionMnistTest();
        // event time and schedule start together: interaction i is due, and stamped, at i / rate
        SimulatorConfig simulation = checked.withStartTs(System.currentTimeMillis());
        long start = System.nanoTime();
        UserSimulator simulator = new UserSimulator(items, simulation);
        long limit = count == null ? Long.MAX_VALUE : count;
        System.out.printf(
                "Simulating %,d users over %,d items (%s) at %,.1f interactions/s, seed %d, %s;"
                        + " %s%n",
                simulation.users(),
                items.size(),
                items.origin(),
                simulation.rate(),
                simulation.seed(),
                simulation.drifts()
                        ? "tastes drift at interaction " + simulation.driftAt()
                        : "no drift",
                count == null ? "until Ctrl-C" : String.format("%,d interactions", count));
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> stopAndWait(stop, finished), "interactions-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long sent = 0;
        try (InteractionSender sender =
                new InteractionSender(bootstrap, registry, registrySettings, security)) {
            long nextReport = start + REPORT_EVERY.toNanos();
            while (!stop.get() && sent < limit) {
                SimulatedInteraction next = simulator.next();
                long due = start + (long) (next.index() * 1e9 / simulation.rate());
                if (!sleepUntil(due)) {
                    break;
                }
                sender.send(next.toAvro());
                sent++;
                long now = System.nanoTime();
                if (now >= nextReport) {
                    System.out.printf(
                            "  %,d interactions sent (%,.0f/s), %,d acknowledged, %,d ms behind"
                                    + " schedule%n",
                            sent,
                            sent / ((now - start) / 1e9),
                            sender.acknowledged(),
                            Math.max(0, (now - due) / 1_000_000));
                    nextReport += REPORT_EVERY.toNanos();
                }
            }
            sender.flush();
            System.out.printf(
                    "Sent %,d interactions of %,d users to interactions in %.1f s.%n",
                    sent, simulation.users(), (System.nanoTime() - start) / 1e9);
        } catch (IllegalStateException e) {
            throw new PlatformException(
                    "sending to Kafka at "
                            + bootstrap
                            + " failed (is ./pipeline up running?): "
                            + e.getMessage(),
                    e);
        } finally {
            finished.countDown();
            if (!stop.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        return 0;
    }

    /** Ctrl-C: stops the interactions and waits until the sent ones are flushed. */
    private static void stopAndWait(AtomicBoolean stop, CountDownLatch finished) {
        stop.set(true);
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps until {@code dueNanos}; false when interrupted. */
    private static boolean sleepUntil(long dueNanos) {
        long ahead = dueNanos - System.nanoTime();
        if (ahead > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(ahead);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void pace(long done, Progress progress) {
        if (rate == null || rate <= 0) {
            return;
        }
        long due = (long) (done / rate * 1e9);
        long ahead = due - (long) (progress.elapsedSeconds() * 1e9);
        if (ahead > 0) {
            try {
                Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
