package io.streamdl.e2e;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.trainer.TrainerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a user of the cluster reads, at {@code read_committed}, from the beginning of each topic:
 * every score (per event id, with its model version and record time), every dead letter, every
 * model version, and the dashboard's throughput windows. One consumer, polled from the test's
 * thread.
 */
final class ClusterOutputs implements AutoCloseable {
    /** One version as published on its model topic, in offset order. */
    record Version(String model, long version, String sha256, long examples) {}

    /** A dead letter, by where it was refused and why. */
    record Refused(String stage, String error, String message) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireDeserializer<Score> scores;
    private final AvroWireDeserializer<ModelUpdate> updates;
    private final AvroWireDeserializer<DeadLetter> deadLetters;
    private final AvroWireDeserializer<DashboardMetric> metrics;
    private final List<String> models;

    /** Scores per model and event id: how many times each event was scored. */
    final Map<String, Map<String, Integer>> scored = new HashMap<>();

    /** Scores per model, version and window of scoring time ({@code <version>@<window start>}). */
    final Map<String, Map<String, Long>> scoresPerWindow = new HashMap<>();

    /** Newest event time scored per model. */
    final Map<String, Long> newestEventTs = new HashMap<>();

    /** Scores whose model version is lower than the one before it on the same partition. */
    final List<String> versionRegressions = new ArrayList<>();

    /**
     * Per score partition, the longest a score took from its append to the broker to this reader
     * (at read_committed, a transaction left open holds back every record behind it).
     */
    final Map<String, Long> slowestVisible = new TreeMap<>();

    /** Every model version that some score names. */
    final Map<String, java.util.Set<Long>> servedVersions = new HashMap<>();

    final List<Version> versions = new ArrayList<>();
    final List<Refused> refused = new ArrayList<>();

    /**
     * Throughput windows of {@code windowMillis} per model: (version, start) to the count of its
     * highest revision.
     */
    final Map<String, Map<String, Long>> windows = new HashMap<>();

    /** The highest revision written of each window, per model. */
    private final Map<String, Map<String, Integer>> revisions = new HashMap<>();

    /** Windows the dashboard wrote twice at one revision, or at a lower one after a higher. */
    final List<String> rewrittenWindows = new ArrayList<>();

    private final Map<String, Long> lastVersionPerPartition = new HashMap<>();
    private final long windowMillis;
    private long dashboardRecords;

    ClusterOutputs(
            String bootstrap,
            RestSchemaRegistryClient registry,
            List<String> models,
            long windowMillis) {
        this.models = List.copyOf(models);
        this.windowMillis = windowMillis;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-faults-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 34 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 34 << 20);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<String> topics = new ArrayList<>();
        for (String model : models) {
            topics.add(Topics.scores(model).name());
            topics.add(Topics.models(model).name());
            scored.put(model, new HashMap<>());
            scoresPerWindow.put(model, new HashMap<>());
            servedVersions.put(model, new java.util.TreeSet<>());
            windows.put(model, new TreeMap<>());
            revisions.put(model, new HashMap<>());
        }
        topics.add(Topics.DLQ.name());
        topics.add(Topics.DASHBOARD_METRICS.name());
        consumer.subscribe(topics);
        scores = AvroWireDeserializer.specific(registry, Score.class);
        updates = AvroWireDeserializer.specific(registry, ModelUpdate.class);
        deadLetters = AvroWireDeserializer.specific(registry, DeadLetter.class);
        metrics = AvroWireDeserializer.specific(registry, DashboardMetric.class);
    }

    /** Reads what has been committed since the last call. */
    void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            String topic = r.topic();
            if (topic.equals(Topics.DLQ.name())) {
                DeadLetter d = deadLetters.deserialize(topic, r.value());
                refused.add(new Refused(d.getStage(), d.getError(), d.getMessage()));
            } else if (topic.equals(Topics.DASHBOARD_METRICS.name())) {
                dashboard(metrics.deserialize(topic, r.value()));
            } else if (topic.startsWith("models.")) {
                ModelUpdate u = updates.deserialize(topic, r.value());
                Double examples = u.getMetrics().get(TrainerMetrics.UPDATE_EXAMPLES);
                versions.add(
                        new Version(
                                u.getModel(),
                                u.getVersion(),
                                u.getSha256(),
                                examples == null ? -1 : Math.round(examples)));
            } else {
                score(r, scores.deserialize(topic, r.value()));
            }
        }
    }

    private void score(ConsumerRecord<byte[], byte[]> r, Score s) {
        String model = s.getModel();
        scored.get(model).merge(s.getEventId(), 1, Integer::sum);
        long t = s.getScoredTs();
        scoresPerWindow
                .get(model)
                .merge(
                        s.getModelVersion() + "@" + (t - Math.floorMod(t, windowMillis)),
                        1L,
                        Long::sum);
        newestEventTs.merge(model, s.getEventTs(), Math::max);
        servedVersions.get(model).add(s.getModelVersion());
        String partition = r.topic() + "/" + r.partition();
        // the topics stamp records when appended: how long a committed score took to be readable
        slowestVisible.merge(partition, System.currentTimeMillis() - r.timestamp(), Math::max);
        Long before = lastVersionPerPartition.put(partition, s.getModelVersion());
        if (before != null && s.getModelVersion() < before) {
            versionRegressions.add(
                    partition
                            + " offset "
                            + r.offset()
                            + ": version "
                            + s.getModelVersion()
                            + " after "
                            + before);
        }
    }

    private void dashboard(DashboardMetric m) {
        if (!"throughput".equals(m.getMetric())
                || m.getModel() == null
                || !models.contains(m.getModel())
                || m.getWindowEnd() - m.getWindowStart() != windowMillis) {
            return; // the trainers' metrics, and the aggregates' other windows
        }
        dashboardRecords++;
        String window = m.getModelVersion() + "@" + m.getWindowStart();
        Integer before = revisions.get(m.getModel()).put(window, m.getRevision());
        if (before != null && before >= m.getRevision()) {
            rewrittenWindows.add(m.getModel() + " " + window + " revision " + m.getRevision());
        }
        windows.get(m.getModel()).put(window, m.getCount());
    }

    /** The Streams app's throughput windows read so far (every revision). */
    long dashboardRecords() {
        return dashboardRecords;
    }

    /** Events scored at least once by {@code model}. */
    int scoredEvents(String model) {
        return scored.get(model).size();
    }

    /** Scores beyond the first of each event. */
    long duplicates(String model) {
        return scored.get(model).values().stream().mapToLong(n -> n - 1).sum();
    }

    /**
     * Compares the dashboard's closed windows with the scores themselves: for each window of a
     * model version it wrote, how many scores of that version were made in it. Returns {windows
     * compared, scores in them, their counts' sum}; the two sums agree when the Streams app counted
     * every score exactly once.
     */
    long[] windowCheck(String model) {
        Map<String, Long> actual = scoresPerWindow.get(model);
        long counted = 0;
        long scores = 0;
        for (Map.Entry<String, Long> w : windows.get(model).entrySet()) {
            counted += w.getValue();
            scores += actual.getOrDefault(w.getKey(), 0L);
        }
        return new long[] {windows.get(model).size(), scores, counted};
    }

    /**
     * Per window of scoring time, over all versions of {@code model}: the scores made in it and,
     * where the dashboard closed some window of it, the count written; one {@code <start
     * s>:<counted>/<made>} each ({@code -} for none written), {@code start s} after {@code origin}.
     */
    String timeline(String model, long origin) {
        TreeMap<Long, long[]> byStart = new TreeMap<>();
        scoresPerWindow
                .get(model)
                .forEach(
                        (key, made) ->
                                byStart.computeIfAbsent(start(key), k -> new long[] {0, -1})[0] +=
                                        made);
        windows.get(model)
                .forEach(
                        (key, count) -> {
                            long[] w = byStart.computeIfAbsent(start(key), k -> new long[] {0, -1});
                            w[1] = Math.max(w[1], 0) + count;
                        });
        StringBuilder out = new StringBuilder();
        byStart.forEach(
                (start, w) ->
                        out.append(' ')
                                .append((start - origin) / 1000)
                                .append(':')
                                .append(w[1] < 0 ? "-" : Long.toString(w[1]))
                                .append('/')
                                .append(w[0]));
        return out.toString().trim();
    }

    private static long start(String versionAtStart) {
        return Long.parseLong(versionAtStart.substring(versionAtStart.indexOf('@') + 1));
    }

    /**
     * The windows of scoring time where the dashboard's count (of the highest revision written) is
     * not the scores made: {@code <version>@<start> counted/made}, {@code -} for none written.
     */
    List<String> incompleteWindows(String model) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(scoresPerWindow.get(model))
                .forEach(
                        (key, made) -> {
                            Long counted = windows.get(model).get(key);
                            if (!made.equals(counted)) {
                                out.add(key + " " + (counted == null ? "-" : counted) + "/" + made);
                            }
                        });
        return out;
    }

    /** The highest revision the dashboard wrote of any window of {@code model}. */
    int highestRevision(String model) {
        return revisions.get(model).values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }

    /** The windows that count more scores than were made in them. */
    List<String> windowOvercounts(String model) {
        return windows(model, (counted, made) -> counted > made);
    }

    /**
     * The closed windows where {@code test(counted, made)}: {@code <version>@<start> counted/made}.
     */
    private List<String> windows(String model, java.util.function.BiPredicate<Long, Long> test) {
        Map<String, Long> actual = scoresPerWindow.get(model);
        List<String> out = new ArrayList<>();
        windows.get(model)
                .forEach(
                        (key, count) -> {
                            long made = actual.getOrDefault(key, 0L);
                            if (test.test(count, made)) {
                                out.add(key + " " + count + "/" + made);
                            }
                        });
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
