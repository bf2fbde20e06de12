package io.streamdl.scoring.recs;

import java.util.Arrays;

/**
 * The {@code k} best (item, score) pairs offered, best first; ties go to the lower item index, so
 * the order is deterministic. A bounded insertion into a sorted array: {@code k} is small.
 */
final class TopK {
    private final int[] items;
    private final float[] scores;
    private int size;

    TopK(int k) {
        items = new int[k];
        scores = new float[k];
    }

    void offer(int item, float score) {
        if (Float.isNaN(score)) {
            return;
        }
        int k = items.length;
        if (size == k && !better(item, score, items[k - 1], scores[k - 1])) {
            return;
        }
        int at = size == k ? k - 1 : size++;
        while (at > 0 && better(item, score, items[at - 1], scores[at - 1])) {
            items[at] = items[at - 1];
            scores[at] = scores[at - 1];
            at--;
        }
        items[at] = item;
        scores[at] = score;
    }

    int[] items() {
        return Arrays.copyOf(items, size);
    }

    float[] scores() {
        return Arrays.copyOf(scores, size);
    }

    /** Stores this list as the profile's last recommendation. */
    void into(UserProfile p) {
        p.lastItems = items();
        p.lastScores = scores();
    }

    private static boolean better(int item, float score, int otherItem, float otherScore) {
        return score > otherScore || (score == otherScore && item < otherItem);
    }
}
