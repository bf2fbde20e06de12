package io.streamdl.bench;

import io.streamdl.bench.MetricsWatcher.Seen;
import io.streamdl.scoring.dashboard.DashboardAggregates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code throughput} windows a phase of the dashboard benchmark produced, read back: which
 * windows are the phase's, whether their counts (each window's highest revision) add up to the
 * scores sent, and how long after its end each window was first readable. Pure.
 */
final class ClosedWindows {
    /** Every record read, each revision of a window. */
    private final List<Seen> records;

    /** Each window's highest revision. */
    private final List<Seen> windows;

    private ClosedWindows(List<Seen> records) {
        this.records = List.copyOf(records);
        Map<String, Seen> last = new java.util.LinkedHashMap<>();
        for (Seen s : records) {
            last.merge(key(s), s, (a, b) -> b.revision() >= a.revision() ? b : a);
        }
        this.windows = List.copyOf(last.values());
    }

    private static String key(Seen s) {
        return s.model() + "@" + s.version() + "/" + s.windowStart();
    }

    /**
     * The {@code throughput} metrics of windows of {@code sizeMillis} that start from the window
     * holding {@code firstMillis} to {@code lastMillis}, the flush model's left out.
     */
    static ClosedWindows of(List<Seen> seen, long sizeMillis, long firstMillis, long lastMillis) {
        long from = Math.floorDiv(firstMillis, sizeMillis) * sizeMillis;
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.metric().equals(DashboardAggregates.THROUGHPUT)
                    && s.size() == sizeMillis
                    && !DashboardTraffic.FLUSH_MODEL.equals(s.model())
                    && s.windowStart() >= from
                    && s.windowStart() <= lastMillis) {
                out.add(s);
            }
        }
        return new ClosedWindows(out);
    }

    int size() {
        return windows.size();
    }

    /** The scores the windows counted. */
    long count() {
        return windows.stream().mapToLong(Seen::count).sum();
    }

    /** The scores the windows counted, by model. */
    Map<String, Long> countByModel() {
        Map<String, Long> out = new TreeMap<>();
        windows.forEach(s -> out.merge(s.model(), s.count(), Long::sum));
        return out;
    }

    /** The model versions seen, as {@code model@version}. */
    Set<String> versions() {
        Set<String> out = new java.util.TreeSet<>();
        windows.forEach(s -> out.add(s.model() + "@" + s.version()));
        return out;
    }

    /** Windows (one model version's) read more than once at one revision: 0 when none was. */
    int duplicates() {
        Set<String> keys = new HashSet<>();
        int repeated = 0;
        for (Seen s : records) {
            if (!keys.add(key(s) + "#" + s.revision())) {
                repeated++;
            }
        }
        return repeated;
    }

    /** Windows written again after they closed, amended by records later than the grace. */
    long amended() {
        return windows.stream().filter(s -> s.revision() > 0).count();
    }

    /**
     * Milliseconds from each window's end to when it was readable, for the windows that {@code
     * closedByMillis} closes: stream time reaching a window's end plus {@code graceMillis} is what
     * closes it, so a window after that waited for a later record (the flush), not for the app.
     */
    List<Long> delays(long closedByMillis, long graceMillis) {
        List<Long> out = new ArrayList<>();
        for (Seen s : records) {
            if (s.revision() == 0 && s.windowEnd() + graceMillis <= closedByMillis) {
                out.add(s.readAtMillis() - s.windowEnd());
            }
        }
        return out;
    }

    /** Count, p50, p95 and max (nearest rank) of {@code values}. */
    static Map<String, Object> percentiles(List<Long> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", values.size());
        if (values.isEmpty()) {
            return out;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        out.put("p50", rank(sorted, 0.50));
        out.put("p95", rank(sorted, 0.95));
        out.put("max", sorted[sorted.length - 1]);
        return out;
    }

    private static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
