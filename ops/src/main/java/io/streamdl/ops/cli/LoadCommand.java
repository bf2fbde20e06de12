package io.streamdl.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.load.LatencyStats;
import io.streamdl.ops.load.LoadGenerator;
import io.streamdl.ops.load.LoadPlan;
import io.streamdl.ops.security.Principal;
import io.streamdl.schemas.avro.RawEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./pipeline load}: an open-loop load run against the running pipeline (or the configured
 * external cluster) from this separate process, with send-to-receive latency, throughput and lost
 * and duplicate counts.
 */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description =
                "Send real Fashion-MNIST images to events.raw on a fixed schedule (open loop) at --rate for --duration, read their scores from scores.<model> in this process, and print send-to-receive p50/p95/p99/max, throughput, lost and duplicate scores.")
final class LoadCommand implements Callable<Integer> {
    @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

    @Option(names = "--rate", description = "Events per second (default 100).")
    double rate = 100;

    @Option(names = "--duration", description = "How long to send (default 30s).")
    Duration duration = Duration.ofSeconds(30);

    @Option(
            names = "--drain",
            description = "How long to wait for the last scores after the last send (default 30s).")
    Duration drain = Duration.ofSeconds(30);

    @Option(
            names = "--model",
            description = "The image model whose scores are read (default image).")
    String model = "image";

    @Option(
            names = "--no-labels",
            description = "Send no labels (by default each event's label follows it after 1 s).")
    boolean noLabels;

    @Option(
            names = "--read-uncommitted",
            description =
                    "Read scores as an at-least-once consumer would (default: read_committed).")
    boolean readUncommitted;

    @Option(names = "--report", description = "Also write the numbers to this JSON file.")
    Path report;

    @Override
    public Integer call() throws InterruptedException, IOException {
        PlatformConfig config = common.platformConfig();
        String bootstrap = PipelineCli.Common.bootstrap(config);
        String registry = PipelineCli.Common.registry(config);
        LoadPlan plan;
        try {
            plan = new LoadPlan(rate, duration, drain, model, !noLabels, !readUncommitted);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        FashionMnist images = FashionMnist.load(FashionMnist.Split.TEST);
        int pool = Math.min(images.size(), 2000);
        byte[][] pngs = new byte[pool][];
        for (int i = 0; i < pool; i++) {
            pngs[i] = ImageCodecs.png(images.image(i), FashionMnist.COLS, FashionMnist.ROWS);
        }
        System.out.printf(
                "Sending %,d Fashion-MNIST test images (%s) at %.0f/s for %s to %s (open loop),"
                        + " reading %s %s%n",
                plan.events(),
                images.origin(),
                rate,
                duration,
                bootstrap,
                "scores." + model,
                plan.readCommitted() ? "read_committed" : "read_uncommitted");
        LoadGenerator.Result r;
        try {
            r =
                    LoadGenerator.run(
                            bootstrap,
                            registry,
                            PipelineCli.Common.registrySettings(config),
                            PipelineCli.Common.kafkaSecurity(config, Principal.INGEST),
                            PipelineCli.Common.kafkaSecurity(config, Principal.DASHBOARD),
                            plan,
                            new LoadGenerator.Events() {
                                @Override
                                public RawEvent event(long i, String id, long ts) {
                                    return Events.image(
                                            id,
                                            ts,
                                            "load",
                                            "image/png",
                                            pngs[(int) (i % pool)],
                                            FashionMnist.COLS,
                                            FashionMnist.ROWS,
                                            Map.of());
                                }

                                @Override
                                public String label(long i) {
                                    return FashionMnist.CLASSES.get(images.label((int) (i % pool)));
                                }
                            },
                            System.out);
        } catch (IllegalStateException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
        LatencyStats l = r.latency();
        System.out.printf(
                "sent %,d, scored %,d, lost %,d, duplicates %,d; throughput %.1f scores/s;"
                        + " sender at most %.1f ms behind its schedule%n",
                r.sent(), r.received(), r.lost(), r.duplicates(), r.throughput(), r.behindMillis());
        System.out.printf(
                "send to receive: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; versions %s%n",
                l.percentileMillis(50),
                l.percentileMillis(95),
                l.percentileMillis(99),
                l.maxMillis(),
                r.versions());
        if (report != null) {
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("rate", rate)
                    .put("durationSeconds", duration.toMillis() / 1000.0)
                    .put("model", model)
                    .put("readCommitted", plan.readCommitted())
                    .put("labelled", plan.labelled())
                    .put("sent", r.sent())
                    .put("received", r.received())
                    .put("lost", r.lost())
                    .put("duplicates", r.duplicates())
                    .put("throughput", r.throughput())
                    .put("senderBehindMaxMs", r.behindMillis())
                    .put("p50Ms", l.percentileMillis(50))
                    .put("p95Ms", l.percentileMillis(95))
                    .put("p99Ms", l.percentileMillis(99))
                    .put("maxMs", l.maxMillis())
                    .put("cores", Runtime.getRuntime().availableProcessors())
                    .put("jvm", System.getProperty("java.version"));
            json.set("versions", new ObjectMapper().valueToTree(r.versions()));
            Files.createDirectories(report.toAbsolutePath().getParent());
            Files.writeString(report, json.toPrettyString());
            System.out.println("report: " + report);
        }
        return r.lost() == 0 && r.duplicates() == 0 ? 0 : 3;
    }
}
