package io.streamdl.scoring.recs;

import java.util.Arrays;

/**
 * One user's state in the recommender: their recent interactions (item index, kind weight, event
 * time; oldest first), the items excluded from their recommendations (oldest first), how many
 * interactions they made, and the last recommendation written for them. Mutable, owned by one task;
 * {@link UserProfileSerde} writes it to the store.
 */
final class UserProfile {
    static final byte MODEL = 0;
    static final byte POPULAR = 1;
    static final byte CONTENT = 2;

    int[] items;
    float[] weights;
    long[] times;
    int recent;
    int[] excluded;
    int excludedCount;
    long interactions;

    /** The last recommendation: item indices best first, their scores, and what made it. */
    int[] lastItems = new int[0];

    float[] lastScores = new float[0];
    long lastModelVersion;
    long lastEmbeddingVersion;

    /**
     * What ranked the last recommendation: {@link #MODEL}, {@link #CONTENT} or {@link #POPULAR}.
     */
    byte lastBasis;

    long lastTs;

    UserProfile(int capacity) {
        items = new int[capacity];
        weights = new float[capacity];
        times = new long[capacity];
        excluded = new int[0];
    }

    /** Adds an interaction, dropping the oldest when {@code capacity} are kept. */
    void add(int item, float weight, long ts, int capacity) {
        if (items.length != capacity) {
            resize(capacity);
        }
        if (recent == capacity) {
            System.arraycopy(items, 1, items, 0, recent - 1);
            System.arraycopy(weights, 1, weights, 0, recent - 1);
            System.arraycopy(times, 1, times, 0, recent - 1);
            recent--;
        }
        items[recent] = item;
        weights[recent] = weight;
        times[recent] = ts;
        recent++;
        interactions++;
    }

    /** Excludes {@code item} from now on, forgetting the oldest exclusion past {@code max}. */
    void exclude(int item, int max) {
        if (max == 0 || isExcluded(item)) {
            return;
        }
        if (excludedCount == max) {
            System.arraycopy(excluded, 1, excluded, 0, excludedCount - 1);
            excludedCount--;
        }
        if (excludedCount == excluded.length) {
            excluded = Arrays.copyOf(excluded, Math.min(max, Math.max(8, excluded.length * 2)));
        }
        excluded[excludedCount++] = item;
    }

    /** The excluded items as a set, for a ranking that tests every item of the catalogue. */
    java.util.BitSet excludedSet() {
        java.util.BitSet set = new java.util.BitSet();
        for (int k = 0; k < excludedCount; k++) {
            set.set(excluded[k]);
        }
        return set;
    }

    boolean isExcluded(int item) {
        for (int k = 0; k < excludedCount; k++) {
            if (excluded[k] == item) {
                return true;
            }
        }
        return false;
    }

    /** The newest interaction's event time, or {@link Long#MIN_VALUE} for none. */
    long newestTs() {
        long max = Long.MIN_VALUE;
        for (int k = 0; k < recent; k++) {
            max = Math.max(max, times[k]);
        }
        return max;
    }

    private void resize(int capacity) {
        int keep = Math.min(recent, capacity);
        int from = recent - keep;
        items = Arrays.copyOfRange(items, from, from + capacity);
        weights = Arrays.copyOfRange(weights, from, from + capacity);
        times = Arrays.copyOfRange(times, from, from + capacity);
        recent = keep;
    }
}
