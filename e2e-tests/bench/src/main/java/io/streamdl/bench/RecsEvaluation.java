package io.streamdl.bench;

import io.streamdl.ingest.interactions.InteractionKind;
import io.streamdl.ingest.interactions.SimulatedInteraction;
import io.streamdl.ingest.interactions.UserSimulator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Prequential HR@K and NDCG@K of a stream of interactions, for the pipeline and for baselines
 * computed here on the same stream: at each interaction, before it is learned, is its item in the
 * user's current top K? The pipeline's current top K of a user is the recommendation it wrote after
 * that user's previous interaction (none before their first: a miss). Baselines, with the same
 * exclusion of purchased items: popularity (online counts of every interaction before this one),
 * random (K distinct random items), recent (the user's K most recent distinct items: what repeat
 * interactions alone give), and the oracle (the simulator's true top K under the user's tastes at
 * that moment: the ceiling). Over the full catalogue, no sampled negatives.
 */
final class RecsEvaluation {
    static final String[] METHODS = {"pipeline", "popularity", "random", "recent", "oracle"};

    private final int k;
    private final int items;
    private final int window;
    private final long[] counts;
    private final int[] order;
    private final int[] position;
    private final Map<Integer, Set<Integer>> purchased = new java.util.HashMap<>();
    private final Map<Integer, java.util.ArrayDeque<Integer>> recent = new java.util.HashMap<>();
    private final SplittableRandom random = new SplittableRandom(11);
    private final double[] hits = new double[METHODS.length];
    private final double[] gains = new double[METHODS.length];
    private final double[] windowHits = new double[METHODS.length];
    private final List<double[]> windows = new ArrayList<>();
    private long seen;

    RecsEvaluation(int k, int items, int window) {
        this.k = k;
        this.items = items;
        this.window = window;
        this.counts = new long[items];
        this.order = new int[items];
        this.position = new int[items];
        for (int i = 0; i < items; i++) {
            order[i] = i;
            position[i] = i;
        }
    }

    /**
     * Scores one interaction.
     *
     * @param pipelineTopK the pipeline's current list for the user (item indices, best first), or
     *     null when it had none
     */
    void add(SimulatedInteraction in, int[] pipelineTopK, UserSimulator simulator) {
        int item = in.item();
        Set<Integer> excluded = purchased.getOrDefault(in.user(), Set.of());
        score(0, rank(pipelineTopK, item));
        score(1, popularityRank(item, excluded));
        score(2, randomHit(item, excluded) ? 0 : -1);
        score(3, recentRank(in.user(), item, excluded));
        score(4, rank(simulator.tastesAt(in.user(), in.index()).topK(k), item));
        // learn it: counts and exclusions move only after the interaction is scored
        increment(item);
        java.util.ArrayDeque<Integer> mine =
                recent.computeIfAbsent(in.user(), u -> new java.util.ArrayDeque<>());
        mine.remove(item);
        mine.addFirst(item);
        if (mine.size() > 4 * k) {
            mine.removeLast();
        }
        if (in.kind() == InteractionKind.PURCHASE) {
            purchased.computeIfAbsent(in.user(), u -> new HashSet<>()).add(item);
        }
        seen++;
        if (seen % window == 0) {
            double[] w = new double[METHODS.length];
            for (int m = 0; m < w.length; m++) {
                w[m] = windowHits[m] / window;
                windowHits[m] = 0;
            }
            windows.add(w);
        }
    }

    long seen() {
        return seen;
    }

    /** HR@K per method over everything seen. */
    double hitRate(int method) {
        return hits[method] / seen;
    }

    double ndcg(int method) {
        return gains[method] / seen;
    }

    /** HR@K per window of {@code window} interactions: {@code [window][method]}. */
    List<double[]> windows() {
        return windows;
    }

    int window() {
        return window;
    }

    /** Mean HR@K of {@code method} over the windows covering interactions {@code [from, to)}. */
    double hitRate(int method, long from, long to) {
        double sum = 0;
        int n = 0;
        for (int w = 0; w < windows.size(); w++) {
            long start = (long) w * window;
            if (start >= from && start + window <= to) {
                sum += windows.get(w)[method];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int m = 0; m < METHODS.length; m++) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("hr@" + k, hitRate(m));
            one.put("ndcg@" + k, ndcg(m));
            out.put(METHODS[m], one);
        }
        return out;
    }

    private void score(int method, int rank) {
        if (rank >= 0) {
            hits[method]++;
            windowHits[method]++;
            gains[method] += 1 / (Math.log(rank + 2) / Math.log(2));
        }
    }

    private static int rank(int[] list, int item) {
        if (list == null) {
            return -1;
        }
        for (int r = 0; r < list.length; r++) {
            if (list[r] == item) {
                return r;
            }
        }
        return -1;
    }

    /** The item's rank among the user's K most recent distinct items not excluded, or -1. */
    private int recentRank(int user, int item, Set<Integer> excluded) {
        java.util.ArrayDeque<Integer> mine = recent.get(user);
        if (mine == null) {
            return -1;
        }
        int r = 0;
        for (int candidate : mine) {
            if (r == k) {
                break;
            }
            if (excluded.contains(candidate)) {
                continue;
            }
            if (candidate == item) {
                return r;
            }
            r++;
        }
        return -1;
    }

    /** The item's rank among the K most counted items not excluded, or -1. */
    private int popularityRank(int item, Set<Integer> excluded) {
        int r = 0;
        for (int p = 0; p < items && r < k; p++) {
            int candidate = order[p];
            if (excluded.contains(candidate)) {
                continue;
            }
            if (candidate == item) {
                return r;
            }
            r++;
        }
        return -1;
    }

    private boolean randomHit(int item, Set<Integer> excluded) {
        if (excluded.contains(item)) {
            return false;
        }
        // K distinct items drawn uniformly from the others: the item is among them with
        // probability K / (catalogue - excluded)
        return random.nextDouble() < (double) k / (items - excluded.size());
    }

    /** Counts one more interaction with {@code item}, keeping {@code order} sorted. */
    private void increment(int item) {
        counts[item]++;
        int p = position[item];
        while (p > 0 && before(item, order[p - 1])) {
            int other = order[p - 1];
            order[p] = other;
            position[other] = p;
            p--;
        }
        order[p] = item;
        position[item] = p;
    }

    private boolean before(int a, int b) {
        return counts[a] > counts[b] || (counts[a] == counts[b] && a < b);
    }
}
