package io.streamdl.ops.cli;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.FileEvents;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ingest.MetricCsv;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.PlatformException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./pipeline ingest ...}: files or a real data set onto {@code events.raw}. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description =
                "Send files (images, audio, text, a timestamp,value CSV of metrics) or a data set (fashion-mnist) to events.raw of the running platform, with a progress bar and a summary.")
final class IngestCommand implements Callable<Integer> {
    @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

    @Parameters(
            index = "0",
            description =
                    "What to send: images, audio, text (files), metrics (one CSV, with --series) or fashion-mnist (with labels).")
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

    @Option(names = "--rate", description = "Events per second (0 = as fast as possible).")
    double rate = 0;

    @Option(
            names = "--series",
            description =
                    "metrics: the series key of the CSV's observations (default: the file name).")
    String series;

    @Option(
            names = "--label-delay",
            description = "Delay before an event's label is sent (default 2s).")
    Duration labelDelay = Duration.ofSeconds(2);

    @Override
    public Integer call() throws IOException {
        PlatformConfig config = common.platformConfig();
        String bootstrap =
                config.embeddedKafka()
                        ? config.kafkaHost() + ":" + config.kafkaPort()
                        : config.bootstrapServers();
        String registry =
                config.embeddedRegistry()
                        ? "http://" + config.registryHost() + ":" + config.registryPort()
                        : config.registryUrl();
        long sent;
        Progress progress;
        try (EventSender sender = new EventSender(bootstrap, registry, labelDelay)) {
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
                                        + "': use images, audio, text, metrics or fashion-mnist");
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

    private void pace(long done, Progress progress) {
        if (rate <= 0) {
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
