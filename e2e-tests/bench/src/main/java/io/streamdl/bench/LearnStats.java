package io.streamdl.bench;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The bookkeeping of the learning benchmarks that needs no pipeline: class counts, the
 * majority-class baseline, whether a stream is sorted by class, a reproducible shuffle and the mean
 * of the tail of a prequential curve.
 */
final class LearnStats {
    private LearnStats() {}

    /**
     * How often each label occurs: the labels of {@code order} first, in that order (zero counts
     * included), then any other label in order of first appearance.
     */
    static Map<String, Integer> counts(List<String> labels, List<String> order) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String label : order) {
            counts.put(label, 0);
        }
        for (String label : labels) {
            counts.merge(label, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The most frequent of {@code labels}; a tie goes to the label that comes first in {@code
     * order} (labels not in {@code order} after those, by first appearance), so the result is
     * deterministic.
     *
     * @throws IllegalArgumentException if {@code labels} is empty
     */
    static String majorityLabel(List<String> labels, List<String> order) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no labels to take the majority of");
        }
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> e : counts(labels, order).entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    /** The accuracy of always answering {@code label} on {@code truth}; NaN when it is empty. */
    static double constantAccuracy(String label, List<String> truth) {
        if (truth.isEmpty()) {
            return Double.NaN;
        }
        long right = truth.stream().filter(label::equals).count();
        return (double) right / truth.size();
    }

    /** Maximal runs of equal consecutive labels ({@code a a b a} has 3); 0 for an empty list. */
    static int runs(List<String> labels) {
        int runs = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (i == 0 || !labels.get(i).equals(labels.get(i - 1))) {
                runs++;
            }
        }
        return runs;
    }

    /**
     * Whether the stream is (nearly) sorted by class: at most two runs per distinct label. A
     * class-sorted stream is no test of online learning (the learner only ever sees one class at a
     * time), so such a stream is shuffled before it is sent.
     */
    static boolean groupedByClass(List<String> labels) {
        if (labels.size() < 2) {
            return false;
        }
        int distinct = new HashSet<>(labels).size();
        return distinct > 1 && runs(labels) <= 2 * distinct;
    }

    /** A permutation of {@code 0..n-1}: Fisher-Yates with {@code java.util.Random(seed)}. */
    static int[] shuffledOrder(int n, long seed) {
        int[] order = identity(n);
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** {@code value} rounded up to a multiple of {@code multiple} (both positive). */
    static int roundUp(int value, int multiple) {
        if (value < 1 || multiple < 1) {
            throw new IllegalArgumentException("roundUp needs positive numbers");
        }
        return (value + multiple - 1) / multiple * multiple;
    }

    /** How many of {@code size} samples of {@code every} examples cover the last {@code tail}. */
    static int tailSamples(int size, int every, int tailExamples) {
        return Math.min(size, Math.max(1, (tailExamples + every - 1) / every));
    }

    /**
     * The mean of the samples of a prequential curve that cover the last {@code tailExamples}
     * examples, where each sample covers {@code every} examples: the last {@code ceil(tail /
     * every)} samples (all of them if there are fewer). NaN for an empty curve.
     */
    static double tailMean(List<Double> curve, int every, int tailExamples) {
        if (curve.isEmpty()) {
            return Double.NaN;
        }
        int samples = tailSamples(curve.size(), every, tailExamples);
        return curve.subList(curve.size() - samples, curve.size()).stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
    }
}
