package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.cluster.ChildJvm;
import io.streamdl.ops.cluster.ClusterLayout;
import io.streamdl.ops.cluster.LocalCluster;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the local multi-process cluster ({@code ./pipeline cluster up}: three KRaft
 * brokers, the schema registry, a Flink JobManager and two TaskManagers, each its own JVM) with
 * {@code ./pipeline up} as one more process submitting the jobs at parallelism 2 and hosting the
 * Streams apps. While at least 20,000 events stream in open loop (Fashion-MNIST images with their
 * labels, and points of four metric series), four processes die in turn: a TaskManager ({@code kill
 * -9}, and a new one started), the broker leading the most partitions of the busiest topics ({@code
 * kill -9}, restarted), the schema registry (killed, restarted) and the process hosting the Streams
 * apps ({@code kill -9}, restarted). A client reading at {@code read_committed} must then find
 * every event scored exactly once by a version on its model topic, versions never going back on a
 * partition, the trainer's count of examples learned rising through the failures, and the
 * dashboard's closed windows counting every score once.
 */
class ClusterFaultsE2ECase {
    /** At least this many events, and more while the failures take longer than they. */
    private static final int MIN_EVENTS = 20_000;

    private static final int RATE = 80;

    /** Events sent between one failure's recovery and the next failure: 10 s of steady state. */
    private static final int STEADY = 10 * RATE;

    private static final long WINDOW_MS = 10_000;

    /**
     * The dashboard's grace: a window is first written this long after its end (by the wall clock
     * or the stream's time). The scores that come later (a checkpoint's scores committed when the
     * jobs are back, one partition's scores reaching the Streams app a minute after another's, the
     * backlog the restarted Streams apps work off) amend it: the window is written again with the
     * next revision.
     */
    private static final long GRACE_MS = 10_000;

    /** How long the dashboard may take, once every event is scored, to count every score. */
    private static final Duration DASHBOARD_CATCH_UP = Duration.ofMinutes(3);

    private static final List<String> MODELS = List.of("image", "metric");

    /** Longer than any checkpoint (1 s here) takes: open this long, a transaction holds readers. */
    private static final Duration LINGERING = Duration.ofSeconds(30);

    private static final String KEY = "cluster-faults-signing-key-0123456789";

    @TempDir Path dir;

    /** One failure and how long the pipeline took to serve again after it. */
    private record Failure(
            String what, int sentBefore, long killedAt, double recoverySeconds, String detail) {}

    @Test
    void wholePipelineOnProcessClusterScoresEveryEventOnceThroughFourProcessFailures()
            throws Exception {
        long started = System.nanoTime();
        LocalCluster cluster =
                LocalCluster.create(
                        ClusterLayout.allocate(dir.resolve("cluster"), "127.0.0.1", 0, 8, 2));
        ChildJvm up = null;
        try {
            cluster.start();
            up = pipelineUp(cluster);
            awaitReady(up, 1);
            ClusterLayout layout = cluster.layout();
            awaitJobsRunning(cluster, 4);
            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
            try (RestSchemaRegistryClient registry =
                            new RestSchemaRegistryClient(layout.registryUrl());
                    ClusterOutputs outputs =
                            new ClusterOutputs(
                                    layout.bootstrapServers(), registry, MODELS, WINDOW_MS);
                    EventSender sender =
                            new EventSender(
                                    layout.bootstrapServers(),
                                    layout.registryUrl(),
                                    Duration.ofMillis(500));
                    LingeringTransactions lingering =
                            new LingeringTransactions(layout.bootstrapServers())) {
                AtomicInteger sent = new AtomicInteger();
                AtomicBoolean enough = new AtomicBoolean();
                long loadStart = System.currentTimeMillis();
                Thread load = openLoop(sender, images, sent, enough);
                List<Failure> failures = new ArrayList<>();
                awaitSent(outputs, sent, 3_000);
                failures.add(killTaskManager(cluster, outputs, sent));
                awaitSent(outputs, sent, sent.get() + STEADY);
                failures.add(killLeadingBroker(cluster, outputs, sent));
                awaitSent(outputs, sent, sent.get() + STEADY);
                failures.add(restartRegistry(cluster, outputs, sent));
                awaitSent(outputs, sent, sent.get() + STEADY);
                failures.add(killStreamsHost(up, outputs, sent));
                awaitSent(outputs, sent, sent.get() + STEADY);
                enough.set(true);
                load.join(TimeUnit.MINUTES.toMillis(6));
                assertThat(load.isAlive()).as("the sender still sending").isFalse();
                sender.flush();
                int events = sent.get();
                await(
                        outputs,
                        () ->
                                outputs.scoredEvents("image")
                                                + outputs.scoredEvents("metric")
                                                + outputs.refused.size()
                                        >= events,
                        Duration.ofMinutes(8),
                        "every event scored or dead-lettered");
                // late duplicates, if any, would arrive now; and the dashboard's last windows
                // close (by the wall clock) and its amendments catch up
                long settle = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                long catchUp = System.nanoTime() + DASHBOARD_CATCH_UP.toNanos();
                while (System.nanoTime() < settle
                        || (System.nanoTime() < catchUp
                                && MODELS.stream()
                                        .anyMatch(m -> !outputs.incompleteWindows(m).isEmpty()))) {
                    outputs.poll(Duration.ofMillis(200));
                }
                String summary = report(outputs, failures, started, loadStart, events);
                String unreadable =
                        unreadable(layout.bootstrapServers())
                                + "\n  transactions seen open over "
                                + LINGERING
                                + ": "
                                + lingering.longerThan(LINGERING);
                System.out.println(unreadable);
                assertExactlyOnce(outputs, events);
                assertVersions(outputs, failures);
                assertDashboard(outputs, summary + unreadable + "\n" + streamsLog(up));
            }
        } finally {
            if (up != null) {
                up.kill();
            }
            cluster.stop();
        }
    }

    private ChildJvm pipelineUp(LocalCluster cluster) throws Exception {
        Path settings = dir.resolve("pipeline.properties");
        Properties p = new Properties();
        cluster.layout().pipelineSettings().forEach(p::setProperty);
        try (var out = Files.newOutputStream(settings)) {
            p.store(out, "the local cluster");
        }
        Path catalogue = dir.resolve("catalogue.json");
        Files.writeString(catalogue, CATALOGUE);
        ChildJvm up =
                new ChildJvm(
                        "pipeline-up",
                        cluster.layout().dir(),
                        "2g",
                        "io.streamdl.ops.cli.PipelineCli",
                        List.of(
                                "up",
                                "--config",
                                settings.toString(),
                                "--data-dir",
                                dir.resolve("up").toString(),
                                "--models",
                                catalogue.toString(),
                                "-c",
                                "ingest.port=0",
                                "-c",
                                "web.port=0",
                                "-c",
                                "models.hmac.key=" + KEY,
                                "-c",
                                "flink.checkpoint.interval-ms=1000",
                                "-c",
                                "dashboard.windows-ms=" + WINDOW_MS,
                                "-c",
                                "dashboard.grace-ms=" + GRACE_MS,
                                "-c",
                                "trainer.publish.every-examples=400",
                                "-c",
                                "trainer.publish.every-seconds=15",
                                "-c",
                                "trainer.guard.margin=1"));
        up.start();
        return up;
    }

    /** The image classifier and the metric forecaster of the bundled catalogue. */
    private static final String CATALOGUE =
            """
            {"models": [
              {"name": "image", "encoder": "image", "family": "cnn", "labels": "fashion-mnist",
               "params": {"conv1Channels": 8, "conv2Channels": 16, "kernelSize": 3, "denseUnits": 64,
                          "batchNorm": true, "dropout": 0.25}},
              {"name": "metric", "encoder": "metric", "family": "forecaster",
               "params": {"hiddenUnits": [32, 16]}}
            ]}
            """;

    /**
     * Sends the events at {@link #RATE} a second whatever the pipeline does (open loop): every
     * fifth an image with its label, the others points of four series; at least {@link
     * #MIN_EVENTS}, and on until {@code enough}, so that every failure meets a stream.
     */
    private static Thread openLoop(
            EventSender sender, FashionMnist images, AtomicInteger sent, AtomicBoolean enough) {
        Thread t =
                new Thread(
                        () -> {
                            long start = System.nanoTime();
                            int image = 0;
                            // until told it is enough, and at least MIN_EVENTS, ending on a
                            // whole group of five
                            for (int i = 0; i < MIN_EVENTS || !enough.get() || i % 5 != 0; i++) {
                                long due = start + i * 1_000_000_000L / RATE;
                                long wait = due - System.nanoTime();
                                if (wait > 0) {
                                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                                }
                                long now = System.currentTimeMillis();
                                if (i % 5 == 0) {
                                    int k = image++ % images.size();
                                    sender.send(
                                            Events.image(
                                                    "img-" + i,
                                                    now,
                                                    "faults",
                                                    "image/png",
                                                    ImageCodecs.png(images.image(k), 28, 28),
                                                    28,
                                                    28,
                                                    Map.of()),
                                            images.className(k));
                                } else {
                                    String series = "host-" + (i % 4);
                                    double value = 50 + 10 * Math.sin(i / 40.0) + (i % 7) * 0.3;
                                    sender.send(
                                            Events.metric(
                                                    "pt-" + i, now, "faults", series, value,
                                                    Map.of()));
                                }
                                sent.incrementAndGet();
                            }
                        },
                        "open-loop-sender");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Kills the TaskManager with the most busy slots and starts a new one. */
    private static Failure killTaskManager(
            LocalCluster cluster, ClusterOutputs outputs, AtomicInteger sent) throws Exception {
        Map<String, Integer> slots = cluster.rest().slotsInUse();
        String busiest =
                slots.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        ChildJvm victim =
                cluster.taskManagers().stream()
                        .filter(tm -> tm.name().equals(busiest))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no process for " + busiest));
        int before = sent.get();
        long killedAt = System.currentTimeMillis();
        victim.kill();
        ChildJvm replacement = cluster.addTaskManager();
        double seconds = awaitServing(outputs, killedAt, "after the TaskManager's loss");
        return new Failure(
                "kill -9 " + busiest + " (" + slots.get(busiest) + " slots busy)",
                before,
                killedAt,
                seconds,
                "new TaskManager " + replacement.name());
    }

    /** Kills the broker that leads the most partitions of the topics the events cross. */
    private static Failure killLeadingBroker(
            LocalCluster cluster, ClusterOutputs outputs, AtomicInteger sent) throws Exception {
        List<String> busy =
                List.of(
                        Topics.EVENTS_RAW.name(),
                        Topics.features("image").name(),
                        Topics.features("metric").name(),
                        Topics.scores("image").name(),
                        Topics.scores("metric").name());
        Map<Integer, Integer> leads = new HashMap<>();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            for (TopicDescription d :
                    admin.describeTopics(busy).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(tp -> leads.merge(tp.leader().id(), 1, Integer::sum));
            }
        }
        int node =
                leads.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        ChildJvm broker = cluster.broker(node - 1);
        int before = sent.get();
        long killedAt = System.currentTimeMillis();
        broker.kill();
        double seconds = awaitServing(outputs, killedAt, "with broker " + node + " down");
        broker.start();
        cluster.awaitBrokers(ClusterLayout.BROKERS, Duration.ofMinutes(2));
        double back = (System.currentTimeMillis() - killedAt) / 1000.0;
        return new Failure(
                "kill -9 broker " + node + " (leader of " + leads.get(node) + " partitions)",
                before,
                killedAt,
                seconds,
                String.format("restarted and registered again %.1f s after the kill", back));
    }

    private static Failure restartRegistry(
            LocalCluster cluster, ClusterOutputs outputs, AtomicInteger sent) throws Exception {
        int before = sent.get();
        long killedAt = System.currentTimeMillis();
        cluster.registry().kill();
        cluster.registry().start();
        double seconds = awaitServing(outputs, killedAt, "after the registry's restart");
        return new Failure(
                "kill -9 and restart of the schema registry", before, killedAt, seconds, "");
    }

    private static Failure killStreamsHost(ChildJvm up, ClusterOutputs outputs, AtomicInteger sent)
            throws Exception {
        int before = sent.get();
        long dashboardBefore = outputs.dashboardRecords();
        long killedAt = System.currentTimeMillis();
        up.kill();
        up.start();
        awaitReady(up, 2);
        await(
                outputs,
                () -> outputs.dashboardRecords() > dashboardBefore,
                Duration.ofMinutes(3),
                "a throughput window of the aggregates app written after the restart");
        double seconds = (System.currentTimeMillis() - killedAt) / 1000.0;
        return new Failure(
                "kill -9 of the Streams apps' process (./pipeline up), restarted",
                before,
                killedAt,
                seconds,
                "jobs left running on Flink, not submitted again");
    }

    /** Seconds from {@code since} until every model has scored an event sent after it. */
    private static double awaitServing(ClusterOutputs outputs, long since, String what)
            throws InterruptedException {
        await(
                outputs,
                () ->
                        MODELS.stream()
                                .allMatch(m -> outputs.newestEventTs.getOrDefault(m, 0L) > since),
                Duration.ofMinutes(4),
                "a score of an event sent " + what);
        return (System.currentTimeMillis() - since) / 1000.0;
    }

    private static void awaitReady(ChildJvm up, int times) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (readyLines(up) < times) {
            if (System.nanoTime() > deadline || !up.alive()) {
                throw new AssertionError("./pipeline up did not get ready:\n" + up.tail(40));
            }
            Thread.sleep(250);
        }
    }

    private static long readyLines(ChildJvm up) throws java.io.IOException {
        if (!Files.exists(up.logFile())) {
            return 0;
        }
        try (var lines = Files.lines(up.logFile())) {
            return lines.filter(l -> l.startsWith("Ready.")).count();
        }
    }

    private static void awaitJobsRunning(LocalCluster cluster, int jobs)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (cluster.rest().jobStates().values().stream().filter("RUNNING"::equals).count()
                < jobs) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("jobs not running: " + cluster.rest().jobStates());
            }
            Thread.sleep(250);
        }
    }

    private static void await(
            ClusterOutputs outputs, BooleanSupplier done, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + "; scored "
                                + outputs.scoredEvents("image")
                                + " images, "
                                + outputs.scoredEvents("metric")
                                + " points, dead letters "
                                + outputs.refused);
            }
            outputs.poll(Duration.ofMillis(200));
        }
    }

    private static int images(int events) {
        return (events + 4) / 5;
    }

    private static void awaitSent(ClusterOutputs outputs, AtomicInteger sent, int count)
            throws InterruptedException {
        await(
                outputs,
                () -> sent.get() >= count,
                Duration.ofMinutes(4),
                String.format("%,d events sent", count));
    }

    private static String report(
            ClusterOutputs outputs,
            List<Failure> failures,
            long started,
            long loadStart,
            int events) {
        StringBuilder out = new StringBuilder("\n=== cluster fault injection ===\n");
        out.append(
                String.format(
                        "events %,d (%,d images, %,d metric points) at %d/s open loop%n",
                        events, images(events), events - images(events), RATE));
        for (Failure f : failures) {
            out.append(
                    String.format(
                            "  after %,6d sent (t+%d s): %-62s recovered in %5.1f s %s%n",
                            f.sentBefore(),
                            (f.killedAt() - loadStart) / 1000,
                            f.what(),
                            f.recoverySeconds(),
                            f.detail()));
        }
        Map<String, String> perModel = new LinkedHashMap<>();
        for (String m : MODELS) {
            perModel.put(
                    m,
                    String.format(
                            "scored %,d, duplicated %d, versions served %s",
                            outputs.scoredEvents(m),
                            outputs.duplicates(m),
                            outputs.servedVersions.get(m)));
        }
        perModel.forEach(
                (m, line) -> out.append("  ").append(m).append(": ").append(line).append('\n'));
        long lost =
                events
                        - outputs.scoredEvents("image")
                        - outputs.scoredEvents("metric")
                        - outputs.refused.size();
        out.append(
                String.format(
                        "lost %d, duplicated %d, dead letters %d %s%n",
                        lost,
                        outputs.duplicates("image") + outputs.duplicates("metric"),
                        outputs.refused.size(),
                        outputs.refused.isEmpty()
                                ? ""
                                : outputs.refused.subList(0, Math.min(5, outputs.refused.size()))));
        for (String m : MODELS) {
            long[] w = outputs.windowCheck(m);
            List<String> incomplete = outputs.incompleteWindows(m);
            out.append(
                    String.format(
                            "  dashboard %s: %d windows (model version x 10 s) written, up to"
                                    + " revision %d; they count %,d scores of the %,d made in"
                                    + " them (%.1f %% of all %,d); windows short: %d %s%n",
                            m,
                            w[0],
                            outputs.highestRevision(m),
                            w[2],
                            w[1],
                            100.0 * w[2] / Math.max(1, outputs.scoredEvents(m)),
                            outputs.scoredEvents(m),
                            incomplete.size(),
                            incomplete.subList(0, Math.min(8, incomplete.size()))));
        }
        out.append("  slowest score from append to read_committed reader, per partition (s):");
        outputs.slowestVisible.forEach(
                (p, ms) -> out.append(String.format(" %s %.1f", p, ms / 1000.0)));
        out.append('\n');
        for (String m : MODELS) {
            out.append("  dashboard ")
                    .append(m)
                    .append(" per 10 s of scoring (t+s:counted/made): ")
                    .append(outputs.timeline(m, loadStart))
                    .append('\n');
        }
        out.append("  model versions: ");
        outputs.versions.forEach(
                v ->
                        out.append(v.model())
                                .append(" v")
                                .append(v.version())
                                .append(" (")
                                .append(v.examples())
                                .append(" ex) "));
        out.append(String.format("%ntotal %.0f s%n", (System.nanoTime() - started) / 1e9));
        System.out.println(out);
        return out.toString();
    }

    /**
     * What the Streams apps' host logged about them (state changes, errors, records left out), its
     * last 30 such lines: a dashboard failure's message carries them, since CI keeps only the
     * failure of a long run's output.
     */
    private static String streamsLog(ChildJvm up) throws java.io.IOException {
        if (!Files.exists(up.logFile())) {
            return "(no log of ./pipeline up)";
        }
        List<String> lines;
        try (var all = Files.lines(up.logFile())) {
            lines =
                    all.filter(
                                    l ->
                                            l.contains("StreamsLifecycle")
                                                    || l.contains("ERROR")
                                                    || l.contains("left out")
                                                    || l.contains("Exception"))
                            .map(l -> l.length() > 300 ? l.substring(0, 300) : l)
                            .toList();
        }
        return "./pipeline up about its Streams apps:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /**
     * Per partition of the dashboard's topic, the records a read_committed reader cannot reach yet:
     * the end offset minus the last stable offset (an open transaction holds the rest back).
     */
    private static String unreadable(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.DASHBOARD_METRICS.name()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .values()
                    .forEach(
                            d ->
                                    d.partitions()
                                            .forEach(
                                                    tp ->
                                                            latest.put(
                                                                    new TopicPartition(
                                                                            d.name(),
                                                                            tp.partition()),
                                                                    OffsetSpec.latest())));
            var committed =
                    admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .all()
                            .get(30, TimeUnit.SECONDS);
            var all = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder("  dashboard.metrics end - stable offset:");
            all.forEach(
                    (tp, end) ->
                            out.append(' ')
                                    .append(tp.partition())
                                    .append('=')
                                    .append(end.offset() - committed.get(tp).offset()));
            out.append("; open transactions: ")
                    .append(
                            admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                                    .filter(t -> t.state().toString().startsWith("ONGOING"))
                                    .map(t -> t.transactionalId())
                                    .toList());
            return out.toString();
        }
    }

    private static void assertExactlyOnce(ClusterOutputs outputs, int events) {
        assertThat(events).as("events sent").isGreaterThanOrEqualTo(MIN_EVENTS);
        assertThat(outputs.refused).as("dead letters: every event here is valid").isEmpty();
        assertThat(outputs.scoredEvents("image")).as("images scored").isEqualTo(images(events));
        assertThat(outputs.scoredEvents("metric"))
                .as("metric points scored")
                .isEqualTo(events - images(events));
        assertThat(outputs.duplicates("image")).as("images scored twice").isZero();
        assertThat(outputs.duplicates("metric")).as("points scored twice").isZero();
        assertThat(outputs.versionRegressions).as("a partition's versions going back").isEmpty();
    }

    private static void assertVersions(ClusterOutputs outputs, List<Failure> failures) {
        for (String m : MODELS) {
            List<ClusterOutputs.Version> published =
                    outputs.versions.stream().filter(v -> v.model().equals(m)).toList();
            assertThat(published).as("versions of " + m).isNotEmpty();
            Map<Long, String> weights = new HashMap<>();
            long last = 0;
            long lastExamples = -1;
            for (ClusterOutputs.Version v : published) {
                String before = weights.putIfAbsent(v.version(), v.sha256());
                assertThat(before == null || before.equals(v.sha256()))
                        .as(m + " v" + v.version() + " published twice with different weights")
                        .isTrue();
                if (before == null) {
                    assertThat(v.version()).as(m + " versions in order").isGreaterThan(last);
                    assertThat(v.examples())
                            .as(m + " v" + v.version() + " examples learned keep rising")
                            .isGreaterThan(lastExamples);
                    last = v.version();
                    lastExamples = v.examples();
                }
            }
            assertThat(weights.keySet())
                    .as("every version a " + m + " score names is on models." + m)
                    .containsAll(outputs.servedVersions.get(m));
        }
        assertThat(failures).hasSize(4);
    }

    /**
     * The Streams apps' output complete: every window of scoring time of every model version is on
     * {@code dashboard.metrics}, and the highest revision of each counts exactly the scores made in
     * it (none missed, none counted twice through the Streams host's kill -9), each revision
     * written once and in order.
     */
    private static void assertDashboard(ClusterOutputs outputs, String diagnosis) {
        assertThat(outputs.rewrittenWindows)
                .as("dashboard windows written twice at one revision, or out of order")
                .isEmpty();
        for (String m : MODELS) {
            assertThat(outputs.windowCheck(m)[0])
                    .as("dashboard windows of " + m)
                    .isGreaterThanOrEqualTo(5);
            assertThat(outputs.windowOvercounts(m))
                    .as("dashboard windows of " + m + " counting more scores than were made")
                    .isEmpty();
            assertThat(outputs.incompleteWindows(m))
                    .as(
                            "dashboard windows of "
                                    + m
                                    + " whose last revision does not count every score made in"
                                    + " them, "
                                    + DASHBOARD_CATCH_UP
                                    + " after the last score\n"
                                    + diagnosis
                                    + "\n")
                    .isEmpty();
        }
    }
}
