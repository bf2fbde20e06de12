package io.streamdl.bench;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code ./pipeline bench dashboard}: the DashboardAggregates app's capacity against the scores
 * rate it has to follow, on the embedded platform, in one run of one app instance.
 *
 * <ol>
 *   <li>Capacity (closed backlog): {@code --events} events of {@link DashboardTraffic} (scores on
 *       {@code scores.image}, {@code .audio} and {@code .text}, dead letters, labels) are sent over
 *       {@value #PRELOAD_SECONDS} s before the app starts (the topics stamp records on arrival, and
 *       the windows go by that stamp, so spreading the load is what makes windows close); then the
 *       time from the app running until its group's lag is 0 on every partition it reads gives the
 *       records per second it sustains.
 *   <li>Following a live rate (open loop): for each rate, {@value #LIVE_SECONDS} s of the same
 *       traffic sent on a fixed schedule by another thread; the group's lag sampled every second;
 *       each 1 s {@code throughput} window's end to the moment a committed-only consumer of {@code
 *       dashboard.metrics} reads it; and the windows' counts against the scores sent, once a flush
 *       record per partition has moved stream time past the last window.
 * </ol>
 */
final class DashboardBenchmark {
    /** Events of the backlog unless --events is given. */
    static final int DEFAULT_EVENTS = 200_000;

    /**
     * Scores per second to follow unless --rate is given: about the most one ScoreJob sustains on
     * this machine (2 cores), so the rate a single scorer can feed the dashboard.
     */
    static final double SCORE_JOB_MAX_RATE = 7400;

    /** A second, lighter rate every run also follows. */
    static final double LIGHT_RATE = 2000;

    static final int PRELOAD_SECONDS = 20;
    static final int LIVE_SECONDS = 30;
    static final String APPLICATION_ID = "bench-dashboard";
    static final long WINDOW_MILLIS = 1000;

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration WINDOWS_TIMEOUT = Duration.ofSeconds(60);

    private static final String NOTE =
            "embedded: the broker, the registry, an idle Flink MiniCluster, the app, the sending"
                    + " thread and the measuring clients share this JVM and its cores. Windows go"
                    + " by the records' Kafka timestamps, which the topics set on arrival"
                    + " (LogAppendTime), not by the scores' eventTs. A window is first written"
                    + " (revision 0) once stream time (per task, the largest record time it has"
                    + " seen) or the wall clock passes its end plus the grace, and is readable to"
                    + " read_committed clients once the transaction holding it commits (commit"
                    + " interval), so window end to readable is at least the grace; records later"
                    + " than that amend it (revision 1, 2, ...), and counts are each window's"
                    + " highest revision. The benchmark still sends one flush score (model"
                    + " bench-flush) per partition after a live run, and leaves the windows it"
                    + " closes out of the delays. Capacity counts records of every input topic"
                    + " the app's group holds (events.labels only once the app reads it); the"
                    + " capacity to rate ratio compares scores per second, the traffic's mix"
                    + " being the same in both phases. droppedRecords: records the window"
                    + " aggregates skipped as later than the grace; on a backlog with more than"
                    + " one partition per topic the first sub-topology's tasks work off their"
                    + " partitions at different paces, so a repartition partition gets records"
                    + " seconds older than its stream time (with one partition,"
                    + " -Dbench.dashboard.partitions=1, none are dropped).";

    private final PrintStream out;
    private final GroupLag lag;
    private final ScheduledSender sender;
    private final DashboardTraffic traffic;
    private final MetricsWatcher watcher;
    private final long graceMillis;
    private final List<String> summary = new ArrayList<>();

    private DashboardBenchmark(
            PrintStream out,
            GroupLag lag,
            ScheduledSender sender,
            DashboardTraffic traffic,
            MetricsWatcher watcher,
            long graceMillis) {
        this.out = out;
        this.lag = lag;
        this.sender = sender;
        this.traffic = traffic;
        this.watcher = watcher;
        this.graceMillis = graceMillis;
    }

    static Path runAndWrite(Path reports, PrintStream out, int events, double rate)
            throws Exception {
        if (events < 1000) {
            throw new IllegalArgumentException("--events must be at least 1000: " + events);
        }
        if (!(rate > 0) || rate > 1e6) {
            throw new IllegalArgumentException("--rate must be from 1 to 1,000,000: " + rate);
        }
        List<Double> rates = rate == LIGHT_RATE ? List.of(rate) : List.of(rate, LIGHT_RATE);
        Report report =
                new Report(
                        "dashboard",
                        String.format(
                                "./pipeline bench dashboard --events %d --rate %.0f",
                                events, rate));
        // -Dbench.dashboard.partitions=1 (PIPELINE_JAVA_OPTS): one partition per topic
        int partitions = Integer.getInteger("bench.dashboard.partitions", 0);
        try (BenchPlatform bench =
                        partitions > 0 ? new BenchPlatform(1, partitions) : new BenchPlatform(1);
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(bench.platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer = bench.producer();
                GroupLag lag = new GroupLag(bench.platform.bootstrapServers(), APPLICATION_ID)) {
            String url = bench.platform.registryUrl();
            AvroWireSerializer<SpecificRecord> avro =
                    new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
            DashboardTraffic traffic = new DashboardTraffic(7, System.currentTimeMillis());
            ScheduledSender sender = new ScheduledSender(producer, avro::serialize, traffic);
            Map<String, String> settings = new HashMap<>();
            settings.put(DashboardAggregatesConfig.APPLICATION.key(), APPLICATION_ID);
            settings.put(
                    DashboardAggregatesConfig.STATE_DIR.key(),
                    Files.createTempDirectory(bench.dir, "streams").toString());
            DashboardAggregatesConfig config =
                    DashboardAggregatesConfig.of(bench.platform.bootstrapServers(), url, settings);
            StreamsConfig streams =
                    new StreamsConfig(DashboardAggregatesApp.streamsProperties(config));
            report.put("backlogEvents", events)
                    .put("windowsMillis", config.windowsMillis())
                    .put("graceMillis", config.graceMillis())
                    .put(
                            "commitIntervalMillis",
                            streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
                    .put(
                            "processingGuarantee",
                            streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                    .put("partitionsPerTopic", bench.platform.config().partitions());
            try (MetricsWatcher watcher =
                    new MetricsWatcher(
                            bench.consumer(Topics.DASHBOARD_METRICS.name(), true),
                            AvroWireDeserializer.specific(registry, DashboardMetric.class))) {
                DashboardBenchmark run =
                        new DashboardBenchmark(
                                out, lag, sender, traffic, watcher, config.graceMillis());
                out.printf(
                        "backlog: %,d events over %d s on %s, %s and %s, before the app starts%n",
                        events,
                        PRELOAD_SECONDS,
                        String.join(", ", traffic.scoreTopics()),
                        Topics.DLQ.name(),
                        Topics.EVENTS_LABELS.name());
                ScheduledSender.Result backlog =
                        sender.send(events / (double) PRELOAD_SECONDS, events);
                report.put("loadAverageBeforeStart", loadAverage());
                Map<String, Object> capacity;
                Map<String, Object> live = new LinkedHashMap<>();
                Map<String, Object> ratios = new LinkedHashMap<>();
                long startNanos = System.nanoTime();
                try (DashboardAggregatesApp app = DashboardAggregatesApp.start(config, registry)) {
                    if (!app.awaitRunning(Duration.ofMinutes(2))) {
                        throw new IllegalStateException("the app did not start in 2 minutes");
                    }
                    capacity = run.capacity(backlog, startNanos, System.nanoTime());
                    double scoresPerSecond = (double) capacity.get("scoresPerSecond");
                    for (double r : rates) {
                        String key = String.format("%.0f/s", r);
                        live.put(key, run.follow(r));
                        ratios.put(key, scoresPerSecond / r);
                    }
                    // the backlog's windows, all closed by the live traffic; read long after they
                    // closed
                    Map<String, Object> windows = run.windows(backlog, Long.MIN_VALUE, false);
                    capacity.put("backlogWindows1s", windows);
                    run.summary.add(
                            String.format(
                                    "backlog: 1 s windows counted %,d of its %,d scores",
                                    windows.get("scoresCounted"), backlog.scores()));
                }
                report.put("capacity", capacity)
                        .put("live", live)
                        .put("capacityToRate", ratios)
                        .put("note", NOTE);
                run.summary.forEach(out::println);
                out.printf("capacity / rate to follow (scores/s): %s%n", ratios);
            }
        }
        Path file = report.write(reports, "bench-dashboard.json");
        out.println("report: " + file);
        return file;
    }

    /** Phase 1: the backlog worked off by the app, from running until its group's lag is 0. */
    private Map<String, Object> capacity(
            ScheduledSender.Result backlog, long startNanos, long runningNanos)
            throws InterruptedException, ExecutionException {
        List<GroupLag.Sample> samples = new ArrayList<>();
        GroupLag.Sample s = sampleWhenAssigned();
        samples.add(s);
        long inputTotal = s.endByTopic().values().stream().mapToLong(Long::longValue).sum();
        long inputDrained = s.input() == 0 ? s.atNanos() : -1;
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!s.drained()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the app did not work off the backlog in " + DRAIN_TIMEOUT + ": " + s);
            }
            Thread.sleep(100);
            s = lag.sample();
            samples.add(s);
            if (inputDrained < 0 && s.input() == 0) {
                inputDrained = s.atNanos();
            }
        }
        double drained = (s.atNanos() - runningNanos) / 1e9;
        double inputSeconds = (inputDrained - runningNanos) / 1e9;
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("backlog", sent(backlog));
        c.put("inputRecordsByTopic", s.endByTopic());
        c.put("partitionsHeld", lag.partitionsByTopic());
        c.put("inputRecords", inputTotal);
        c.put("startToRunningMillis", (runningNanos - startNanos) / 1_000_000);
        // inputs consumed: through the first sub-topology (decode, key by model version)
        c.put("inputsConsumedSeconds", inputSeconds);
        c.put("inputsConsumedRecordsPerSecond", inputTotal / inputSeconds);
        c.put("inputsConsumed10To90PercentRecordsPerSecond", middleRate(samples, inputTotal));
        // all processed: the repartition topics read too, every record aggregated
        c.put("allProcessedSeconds", drained);
        c.put("recordsPerSecond", inputTotal / drained);
        c.put("scoresPerSecond", backlog.scores() / drained);
        c.put("recordsPerSecondFromStart", inputTotal / ((s.atNanos() - startNanos) / 1e9));
        c.put("droppedRecords", droppedRecords());
        c.put("lagEverySecondFromRunning", trace(samples, runningNanos));
        c.put("loadAverageAtEnd", loadAverage());
        summary.add(
                String.format(
                        "capacity: %,d input records (%,d scores) all processed %.1f s after"
                                + " running: %,.0f records/s, %,.0f scores/s (inputs consumed"
                                + " after %.1f s: %,.0f records/s); %,d records dropped by the"
                                + " window aggregates as too late",
                        inputTotal,
                        backlog.scores(),
                        drained,
                        inputTotal / drained,
                        backlog.scores() / drained,
                        inputSeconds,
                        inputTotal / inputSeconds,
                        c.get("droppedRecords")));
        out.println(summary.get(summary.size() - 1));
        return c;
    }

    /** [seconds from running, input lag, repartition lag] of the first sample of each second. */
    private static List<List<Number>> trace(List<GroupLag.Sample> samples, long runningNanos) {
        List<List<Number>> out = new ArrayList<>();
        long second = -1;
        for (GroupLag.Sample s : samples) {
            long at = (s.atNanos() - runningNanos) / 1_000_000_000L;
            if (at > second) {
                second = at;
                out.add(
                        List.of(
                                Math.round((s.atNanos() - runningNanos) / 1e7) / 100.0,
                                s.input(),
                                s.internal()));
            }
        }
        return out;
    }

    /** The system's load average over the last minute: the machine is shared. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private GroupLag.Sample sampleWhenAssigned() throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                return lag.sample();
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Input records per second between the samples at 10 % and at 90 % of them consumed. */
    static double middleRate(List<GroupLag.Sample> samples, long total) {
        GroupLag.Sample from = null;
        GroupLag.Sample to = null;
        for (GroupLag.Sample s : samples) {
            long consumed = total - s.input();
            if (from == null && consumed >= total / 10) {
                from = s;
            }
            if (to == null && consumed >= total - total / 10) {
                to = s;
            }
        }
        if (from == null || to == null || to.atNanos() <= from.atNanos()) {
            return Double.NaN;
        }
        return (from.input() - to.input()) / ((to.atNanos() - from.atNanos()) / 1e9);
    }

    /** Phase 2 at one rate: open-loop traffic for {@value #LIVE_SECONDS} s, then its windows. */
    private Map<String, Object> follow(double rate) throws Exception {
        long events = (long) (rate * LIVE_SECONDS);
        out.printf("live: %,d events at %,.0f/s for %d s%n", events, rate, LIVE_SECONDS);
        FutureTask<ScheduledSender.Result> sending =
                new FutureTask<>(() -> sender.send(rate, events));
        Thread thread = new Thread(sending, "bench-dashboard-sender");
        thread.start();
        List<Long> inputLags = new ArrayList<>();
        List<Long> internalLags = new ArrayList<>();
        long next = System.nanoTime();
        while (!sending.isDone()) {
            GroupLag.Sample s = lag.sample();
            inputLags.add(s.input());
            internalLags.add(s.internal());
            next += 1_000_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                thread.join(Math.max(1, wait / 1_000_000));
            }
        }
        ScheduledSender.Result sent = sending.get();
        GroupLag.Sample atEnd = lag.sample();
        GroupLag.Sample s = atEnd;
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!s.drained() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = lag.sample();
        }
        // how far behind the app was when the traffic stopped, in time
        long drainMillis = System.currentTimeMillis() - sent.lastSendMillis();
        long flushedAt = flush(sent.lastSendMillis());
        Map<String, Object> windows = windows(sent, sent.lastSendMillis(), true);
        long maxInput = inputLags.stream().mapToLong(Long::longValue).max().orElse(0);
        long maxInternal = internalLags.stream().mapToLong(Long::longValue).max().orElse(0);
        boolean keptUp = s.drained() && drainMillis <= 1000;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ratePerSecond", rate);
        r.put("sent", sent(sent));
        r.put("offeredEventsPerSecond", sent.eventsPerSecond());
        r.put("maxSendBehindScheduleMillis", sent.maxBehindMillis());
        r.put("inputLagEverySecond", inputLags);
        r.put("repartitionLagEverySecond", internalLags);
        r.put("maxInputLag", maxInput);
        r.put("maxRepartitionLag", maxInternal);
        Map<String, Long> atEndLag = new LinkedHashMap<>();
        atEndLag.put("input", atEnd.input());
        atEndLag.put("repartition", atEnd.internal());
        r.put("lagAtEnd", atEndLag);
        r.put("lagZeroMillisAfterLastSend", s.drained() ? drainMillis : -1);
        r.put("keptUp", keptUp);
        r.put("keptUpMeans", "lag (inputs and repartition topics) 0 within 1 s of the last send");
        r.put("flushSentMillisAfterLastSend", flushedAt - sent.lastSendMillis());
        r.put("windows1s", windows);
        r.put("droppedRecordsSoFar", droppedRecords());
        r.put("loadAverageAtEnd", loadAverage());
        summary.add(
                String.format(
                        "live %,.0f/s: %,d scores sent (at most %d ms behind the schedule); lag"
                                + " max %,d input + %,d repartition, 0 again %,d ms after the last"
                                + " send: %s; 1 s windows counted %,d of %,d scores; window end"
                                + " to readable %s ms",
                        rate,
                        sent.scores(),
                        sent.maxBehindMillis(),
                        maxInput,
                        maxInternal,
                        drainMillis,
                        keptUp ? "kept up" : "did NOT keep up",
                        windows.get("scoresCounted"),
                        sent.scores(),
                        windows.get("endToReadableMillis")));
        out.println(summary.get(summary.size() - 1));
        return r;
    }

    /**
     * Once the last window of traffic ending at {@code lastSendMillis} is past its grace, one flush
     * score per partition of every score topic, keyed so that between them they reach every
     * partition of the app's repartition topics: the stream time of every task passes the last
     * window, which closes. Returns when they were sent.
     */
    private long flush(long lastSendMillis) throws InterruptedException {
        long lastEnd = (Math.floorDiv(lastSendMillis, WINDOW_MILLIS) + 1) * WINDOW_MILLIS;
        long wait = lastEnd + graceMillis + 100 - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        Map<String, Integer> partitions = lag.partitionsByTopic();
        List<Integer> repartitions = new ArrayList<>();
        partitions.forEach(
                (topic, n) -> {
                    if (GroupLag.isInternal(APPLICATION_ID, topic)
                            && topic.endsWith("-repartition")) {
                        repartitions.add(n);
                    }
                });
        List<Long> versions = DashboardTraffic.flushVersions(repartitions);
        long now = System.currentTimeMillis();
        for (String topic : traffic.scoreTopics()) {
            for (int p = 0; p < partitions.getOrDefault(topic, 1); p++) {
                for (long v : versions) {
                    var score = DashboardTraffic.flushScore(v, now);
                    sender.send(topic, p, score.getEventId().toString(), score);
                }
            }
        }
        return now;
    }

    /** The 1 s windows of traffic {@code sent}, once they add up or after a minute. */
    private Map<String, Object> windows(
            ScheduledSender.Result sent, long closedByMillis, boolean wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + WINDOWS_TIMEOUT.toNanos();
        ClosedWindows w =
                ClosedWindows.of(
                        watcher.seen(),
                        WINDOW_MILLIS,
                        sent.firstSendMillis(),
                        sent.lastSendMillis());
        while (wait && w.count() < sent.scores() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            w =
                    ClosedWindows.of(
                            watcher.seen(),
                            WINDOW_MILLIS,
                            sent.firstSendMillis(),
                            sent.lastSendMillis());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("windows", w.size());
        m.put("scoresSent", sent.scores());
        m.put("scoresCounted", w.count());
        m.put("equal", w.count() == sent.scores());
        m.put("countedByModel", w.countByModel());
        m.put("sentByTopic", sent.scoresByTopic());
        m.put("modelVersions", w.versions());
        m.put("duplicateWindows", w.duplicates());
        m.put("amendedWindows", w.amended());
        m.put(
                "endToReadableMillis",
                ClosedWindows.percentiles(w.delays(closedByMillis, graceMillis)));
        return m;
    }

    private static Map<String, Object> sent(ScheduledSender.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", r.events());
        m.put("scores", r.scores());
        m.put("records", r.records());
        m.put("seconds", r.seconds());
        return m;
    }

    /**
     * Records the app's tasks dropped (late, past the grace, or without a usable timestamp), from
     * the Kafka Streams task metrics in this JVM's MBean server.
     */
    static long droppedRecords() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long dropped = 0;
        try {
            for (ObjectName name :
                    server.queryNames(
                            new ObjectName("kafka.streams:type=stream-task-metrics,*"), null)) {
                String thread = name.getKeyProperty("thread-id");
                if (thread == null || !thread.startsWith(APPLICATION_ID + "-")) {
                    continue;
                }
                Object v = server.getAttribute(name, "dropped-records-total");
                if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
                    dropped += n.longValue();
                }
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the Kafka Streams task metrics", e);
        }
        return dropped;
    }
}
