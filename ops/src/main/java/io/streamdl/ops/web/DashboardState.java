package io.streamdl.ops.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live page and {@code /metrics} show, folded from {@code dashboard.metrics}, {@code dlq}
 * and {@code anomalies}: per model the serving and published versions, hold-backs, drift alarms,
 * served and prequential accuracy, score counts and the latest latency percentiles; dead letters
 * per stage and reason with the latest examples; the latest anomalies; and the recent metrics for
 * the charts. Thread-safe (every method synchronized); the feed's thread writes, HTTP threads read.
 */
public final class DashboardState {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXAMPLES_PER_REASON = 3;
    private static final int RECENT_LETTERS = 20;
    private static final int RECENT_ANOMALIES = 50;
    private static final int MAX_HISTORY = 50_000;

    /** Anyone can write to the topics: at most this many models and dead-letter reasons kept. */
    private static final int MAX_KEYS = 200;

    private static final int MAX_TEXT = 300;
    private static final long FUTURE_MILLIS = 60_000;

    /** The windows whose revisions are remembered, to fold an amendment in as its difference. */
    private static final int MAX_WINDOWS = 20_000;

    /** One model's row of the versions table. */
    static final class ModelRow {
        long serving = -1;
        long servingWindowEnd = -1;
        long published = -1;
        long publishedAt = -1;
        long heldBackRegression;
        long heldBackNonFinite;
        long drifts;
        double servedAccuracy = Double.NaN;
        long accuracyWindowEnd = -1;
        double accuracyRight;
        long accuracyCount;
        double prequential = Double.NaN;
        String prequentialMetric = "";
        long scores;
        double p50 = Double.NaN;
        double p95 = Double.NaN;
        double p99 = Double.NaN;
        double max = Double.NaN;
        long latencyWindowEnd = -1;
        long anomalies;
    }

    /** Windows written, newest kept: (revision, count, value bits) of each. */
    private final Map<String, long[]> written =
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                    return size() > MAX_WINDOWS;
                }
            };

    private final long historyMillis;
    private final Map<String, ModelRow> models = new TreeMap<>();
    private final Map<List<String>, Long> deadLetters = new TreeMap<>(DashboardState::compare);
    private final Map<List<String>, Deque<ObjectNode>> examples =
            new TreeMap<>(DashboardState::compare);
    private final Deque<ObjectNode> recentLetters = new ArrayDeque<>();
    private final Deque<ObjectNode> recentAnomalies = new ArrayDeque<>();
    private final Map<String, Long> recommendations = new TreeMap<>();
    private final Deque<ObjectNode> history = new ArrayDeque<>();
    private final LifecycleState lifecycle = new LifecycleState();
    private final long smallestWindow;
    private final long largestWindow;
    private long records;
    private long changes;
    private volatile java.util.function.LongSupplier droppedLate = () -> 0;
    private volatile java.util.function.LongSupplier skipped = () -> 0;
    private volatile boolean feedUp = true;
    private long ignored;

    /**
     * @param windows the aggregates' window sizes ({@code dashboard.windows-ms}): counts are summed
     *     over the smallest, the latest percentiles and accuracy read from the largest
     */
    public DashboardState(long historyMillis, java.util.List<Long> windows) {
        this.historyMillis = historyMillis;
        this.smallestWindow = java.util.Collections.min(windows);
        this.largestWindow = java.util.Collections.max(windows);
    }

    /** Folds one dashboard metric in; returns its JSON if the page charts it, else null. */
    public synchronized ObjectNode metric(DashboardMetric m) {
        records++;
        changes++;
        ObjectNode json = toJson(m);
        long size = m.getWindowEnd() - m.getWindowStart();
        String name = m.getMetric();
        String model = m.getModel() == null ? null : cut(m.getModel());
        ModelRow row = model == null ? null : models.get(model);
        if (row == null && model != null) {
            if (models.size() >= MAX_KEYS) {
                ignored++;
                return null;
            }
            row = new ModelRow();
            models.put(model, row);
        }
        long count = Math.max(0, m.getCount());
        long version = m.getModelVersion() == null ? -1 : m.getModelVersion();
        if (row == null && !name.equals("recommendations")) {
            return null;
        }
        // what the sums gain: a window's first revision all of it, a later one what it adds
        long added = count;
        double addedRight = m.getValue() * count;
        if (isWindowed(name)) {
            String id =
                    String.join(
                            "|",
                            name,
                            String.valueOf(model),
                            Long.toString(version),
                            String.valueOf(m.getLabel()),
                            Long.toString(m.getWindowStart()),
                            Long.toString(m.getWindowEnd()));
            long[] before = written.get(id);
            if (before != null ? before[0] >= m.getRevision() : m.getRevision() > 0) {
                // written again at a revision already folded in, or an amendment of a window
                // written before this page started reading
                return null;
            }
            if (before != null) {
                added = Math.max(0, count - before[1]);
                addedRight = m.getValue() * count - Double.longBitsToDouble(before[2]) * before[1];
            }
            written.put(
                    id, new long[] {m.getRevision(), count, Double.doubleToLongBits(m.getValue())});
        }
        switch (name) {
            case "throughput" -> {
                if (size == smallestWindow) {
                    row.scores += added;
                }
                if (size == smallestWindow
                        && (m.getWindowEnd() > row.servingWindowEnd
                                || (m.getWindowEnd() == row.servingWindowEnd
                                        && version > row.serving))) {
                    row.servingWindowEnd = m.getWindowEnd();
                    row.serving = version;
                }
            }
            case "latency_ms" -> {
                if (size == largestWindow && m.getWindowEnd() >= row.latencyWindowEnd) {
                    row.latencyWindowEnd = m.getWindowEnd();
                    row.p50 = orNaN(m.getP50());
                    row.p95 = orNaN(m.getP95());
                    row.p99 = orNaN(m.getP99());
                    row.max = m.getValue();
                }
            }
            case "accuracy" -> {
                // every version's joined scores of the newest window, weighted by their counts
                if (size == largestWindow
                        && Double.isFinite(m.getValue())
                        && m.getWindowEnd() >= row.accuracyWindowEnd) {
                    if (m.getWindowEnd() > row.accuracyWindowEnd) {
                        row.accuracyWindowEnd = m.getWindowEnd();
                        row.accuracyRight = 0;
                        row.accuracyCount = 0;
                    }
                    row.accuracyRight += addedRight;
                    row.accuracyCount += added;
                    row.servedAccuracy =
                            row.accuracyCount == 0
                                    ? Double.NaN
                                    : row.accuracyRight / row.accuracyCount;
                }
            }
            case "anomalies" -> {
                if (size == smallestWindow) {
                    row.anomalies += added;
                }
            }
            case "recommendations" -> {
                String basis = m.getLabel() == null ? "unknown" : cut(m.getLabel());
                if (size == smallestWindow
                        && (recommendations.containsKey(basis)
                                || recommendations.size() < MAX_KEYS)) {
                    recommendations.merge(basis, added, Long::sum);
                }
            }
            case "prequential_accuracy", "prequential_mean_error" -> {
                row.prequential = m.getValue();
                row.prequentialMetric = name;
            }
            case "model_version" -> {
                if (Double.isFinite(m.getValue())) {
                    row.published = Math.max(row.published, (long) m.getValue());
                }
                row.publishedAt = m.getTs();
            }
            case "update_held_back_regression" -> row.heldBackRegression = count;
            case "update_held_back_non_finite" -> row.heldBackNonFinite = count;
            case "drift" -> row.drifts = count;
            default -> {}
        }
        // the charts: every trainer record, accuracy over the largest window, the rest the smallest
        long charted = name.equals("accuracy") ? largestWindow : smallestWindow;
        long now = System.currentTimeMillis();
        boolean recent = m.getTs() >= now - historyMillis && m.getTs() <= now + FUTURE_MILLIS;
        if ((!isWindowed(name) || size == charted) && recent) {
            history.addLast(json);
            trimHistory(now);
            return json;
        }
        return null;
    }

    private static boolean isWindowed(String metric) {
        return switch (metric) {
            case "throughput",
                    "latency_ms",
                    "accuracy",
                    "dead_letters",
                    "anomalies",
                    "recommendations" ->
                    true;
            default -> false;
        };
    }

    /** Drops what is older than the history by the wall clock (records arrive in any order). */
    private void trimHistory(long now) {
        while (history.size() > MAX_HISTORY) {
            history.removeFirst();
        }
        while (!history.isEmpty()
                && history.peekFirst().path("ts").asLong() < now - historyMillis) {
            history.removeFirst();
        }
    }

    /** Counts one dead letter and keeps it among the latest examples of its reason. */
    public synchronized ObjectNode deadLetter(DeadLetter d) {
        records++;
        changes++;
        List<String> key = List.of(cut(d.getStage()), cut(d.getError()));
        if (deadLetters.containsKey(key) || deadLetters.size() < MAX_KEYS) {
            deadLetters.merge(key, 1L, Long::sum);
        } else {
            ignored++;
        }
        ObjectNode json =
                JSON.createObjectNode()
                        .put("stage", key.get(0))
                        .put("reason", key.get(1))
                        .put("message", cut(d.getMessage()))
                        .put("source", cut(d.getSourceTopic()))
                        .put("partition", d.getPartition())
                        .put("offset", d.getOffset())
                        .put("ts", d.getTs());
        if (deadLetters.containsKey(key)) {
            Deque<ObjectNode> kept = examples.computeIfAbsent(key, k -> new ArrayDeque<>());
            kept.addFirst(json);
            while (kept.size() > EXAMPLES_PER_REASON) {
                kept.removeLast();
            }
        }
        recentLetters.addFirst(json);
        while (recentLetters.size() > RECENT_LETTERS) {
            recentLetters.removeLast();
        }
        return json;
    }

    /** Folds in a {@code models.events} record; returns its JSON for the page. */
    public synchronized ObjectNode lifecycle(io.streamdl.schemas.avro.ModelEvent e) {
        records++;
        changes++;
        return lifecycle.accept(e);
    }

    /** Each model's pin, candidate and lifecycle event counts, for {@code /metrics}. */
    synchronized Map<String, LifecycleState.Row> lifecycleRows() {
        return lifecycle.rows();
    }

    public synchronized ObjectNode anomaly(Anomaly a) {
        records++;
        changes++;
        ObjectNode json =
                JSON.createObjectNode()
                        .put("eventId", cut(a.getEventId()))
                        .put("model", cut(a.getModel()))
                        .put("version", a.getModelVersion())
                        .put("series", a.getSeries() == null ? null : cut(a.getSeries()))
                        .put("ts", a.getTs());
        putNumber(json, "score", a.getScore());
        putNumber(json, "threshold", a.getThreshold());
        recentAnomalies.addFirst(json);
        while (recentAnomalies.size() > RECENT_ANOMALIES) {
            recentAnomalies.removeLast();
        }
        return json;
    }

    /**
     * Where the page reads how many records the aggregates left out as later than their grace (the
     * aggregates app's own {@code dropped-records-total}).
     */
    public void droppedLate(java.util.function.LongSupplier dropped) {
        this.droppedLate = dropped;
    }

    /**
     * Where the page reads how many records the aggregates left out because they did not decode
     * (counted and logged there: the apps that own those topics dead-letter them).
     */
    public void skipped(java.util.function.LongSupplier undecodable) {
        this.skipped = undecodable;
    }

    /** Records the aggregates could not decode, or -1 when that cannot be read. */
    long skippedRecords() {
        try {
            return skipped.getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A number that grows whenever anything changes (the feed pushes the state when it has). */
    public synchronized long changes() {
        return changes;
    }

    /** Records folded in since the start. */
    public synchronized long records() {
        return records;
    }

    /** The tables of the page: models, dead letters, anomalies and recommendation counts. */
    public ObjectNode tables() {
        long dropped;
        try {
            dropped = droppedLate.getAsLong(); // another app's metrics: read outside the lock
        } catch (RuntimeException e) {
            dropped = -1;
        }
        return tables(dropped);
    }

    private synchronized ObjectNode tables(long dropped) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode rows = out.putArray("models");
        models.forEach(
                (name, r) -> {
                    ObjectNode row = rows.addObject().put("model", name);
                    putVersion(row, "serving", r.serving);
                    putVersion(row, "published", r.published);
                    row.put("publishedAt", r.publishedAt)
                            .put("heldBack", r.heldBackRegression + r.heldBackNonFinite)
                            .put("drifts", r.drifts)
                            .put("scores", r.scores)
                            .put("anomalies", r.anomalies);
                    putNumber(row, "servedAccuracy", r.servedAccuracy);
                    putNumber(row, "prequential", r.prequential);
                    row.put("prequentialMetric", r.prequentialMetric);
                    putNumber(row, "p50", r.p50);
                    putNumber(row, "p95", r.p95);
                    putNumber(row, "p99", r.p99);
                    putNumber(row, "max", r.max);
                    lifecycle.putRow(name, row);
                });
        ArrayNode letters = out.putArray("deadLetters");
        deadLetters.forEach(
                (key, n) -> {
                    ObjectNode row =
                            letters.addObject()
                                    .put("stage", key.get(0))
                                    .put("reason", key.get(1))
                                    .put("count", n);
                    row.set("examples", JSON.valueToTree(examples.get(key)));
                });
        out.set("recentDeadLetters", JSON.valueToTree(recentLetters));
        out.set("anomalies", JSON.valueToTree(recentAnomalies));
        out.set("lifecycle", lifecycle.recent());
        out.set("recommendations", JSON.valueToTree(recommendations));
        out.put("droppedLate", dropped);
        out.put("undecodable", skippedRecords());
        out.put("historyMinutes", historyMillis / 60_000);
        out.put("ignoredRecords", ignored);
        return out;
    }

    /** The recent metrics, oldest first, for a page that has just opened. */
    public synchronized ArrayNode history() {
        ArrayNode out = JSON.createArrayNode();
        history.forEach(out::add);
        return out;
    }

    /** A copy of each model's row, for {@code /metrics}. */
    synchronized Map<String, ModelRow> models() {
        Map<String, ModelRow> copy = new TreeMap<>();
        models.forEach(
                (k, v) -> {
                    ModelRow r = new ModelRow();
                    r.serving = v.serving;
                    r.published = v.published;
                    r.heldBackRegression = v.heldBackRegression;
                    r.heldBackNonFinite = v.heldBackNonFinite;
                    r.drifts = v.drifts;
                    r.servedAccuracy = v.servedAccuracy;
                    r.prequential = v.prequential;
                    r.prequentialMetric = v.prequentialMetric;
                    r.scores = v.scores;
                    r.p50 = v.p50;
                    r.p95 = v.p95;
                    r.p99 = v.p99;
                    r.max = v.max;
                    r.anomalies = v.anomalies;
                    copy.put(k, r);
                });
        return copy;
    }

    /** Dead letters so far, keyed by stage and reason. */
    synchronized Map<List<String>, Long> deadLetterCounts() {
        Map<List<String>, Long> copy = new TreeMap<>(DashboardState::compare);
        copy.putAll(deadLetters);
        return copy;
    }

    /** Whether the feed is reading (false while it retries after an error). */
    public boolean feedUp() {
        return feedUp;
    }

    void feedUp(boolean up) {
        feedUp = up;
    }

    private static int compare(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    /** A string anyone wrote, cut to a length a page can show. */
    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }

    synchronized Map<String, Long> recommendationCounts() {
        return new TreeMap<>(recommendations);
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static void putVersion(ObjectNode row, String field, long v) {
        if (v >= 0) {
            row.put(field, v);
        } else {
            row.putNull(field);
        }
    }

    private static void putNumber(ObjectNode row, String field, double v) {
        if (Double.isFinite(v)) {
            row.put(field, v);
        } else {
            row.putNull(field);
        }
    }

    static ObjectNode toJson(DashboardMetric m) {
        ObjectNode json =
                JSON.createObjectNode()
                        .put("metric", m.getMetric())
                        .put("model", m.getModel() == null ? null : cut(m.getModel()))
                        .put("start", m.getWindowStart())
                        .put("end", m.getWindowEnd())
                        .put("count", m.getCount())
                        .put("ts", m.getTs())
                        .put("label", m.getLabel() == null ? null : cut(m.getLabel()))
                        .put("revision", m.getRevision());
        putNumber(json, "value", m.getValue());
        if (m.getModelVersion() != null) {
            json.put("version", m.getModelVersion());
        }
        if (m.getP50() != null) {
            putNumber(json, "p50", orNaN(m.getP50()));
            putNumber(json, "p95", orNaN(m.getP95()));
            putNumber(json, "p99", orNaN(m.getP99()));
        }
        return json;
    }
}
