package io.streamdl.trainer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The most recent learned examples, for rehearsal: a ring of {@code capacity} that, once full,
 * overwrites its oldest entry in place. Draws are uniform with replacement and seeded from the
 * model's seed and the step count, so a restored trainer repeats them exactly. Not thread-safe.
 */
final class ReplayRing {
    private final int capacity;
    private final List<AcceptedExample> entries = new ArrayList<>();

    /** Where the next example goes once the ring is full: its oldest entry. */
    private int next;

    ReplayRing(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative replay capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds {@code learned} in order, each overwriting the oldest entry once the ring is full. */
    void addAll(List<AcceptedExample> learned) {
        for (AcceptedExample e : learned) {
            if (entries.size() < capacity) {
                entries.add(e);
            } else {
                entries.set(next, e);
                next = (next + 1) % capacity;
            }
        }
    }

    /**
     * {@code batches} mini-batches of {@code batchSize} examples drawn for step {@code step} of a
     * model seeded with {@code modelSeed}; none while the ring holds fewer than {@code batchSize}.
     */
    List<List<AcceptedExample>> draw(long modelSeed, long step, int batches, int batchSize) {
        if (entries.size() < batchSize) {
            return List.of();
        }
        SplittableRandom random = new SplittableRandom(modelSeed ^ (step * 0x632BE59BD9B4E019L));
        List<List<AcceptedExample>> drawn = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            List<AcceptedExample> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                batch.add(entries.get(random.nextInt(entries.size())));
            }
            drawn.add(batch);
        }
        return drawn;
    }

    void clear() {
        entries.clear();
        next = 0;
    }

    int size() {
        return entries.size();
    }

    /** The entries in ring order (slot 0 first), as a snapshot holds them. */
    List<AcceptedExample> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** The slot the next example overwrites once the ring is full; 0 before. */
    int next() {
        return next;
    }

    /**
     * Replaces the contents with a snapshot's ring, {@code saved} in ring order with its {@link
     * #next} position {@code savedNext} (0, or a slot of {@code saved}). A ring larger than this
     * one's capacity, configured smaller since, keeps its newest examples.
     */
    void restore(List<AcceptedExample> saved, int savedNext) {
        clear();
        if (saved.size() <= capacity) {
            entries.addAll(saved);
            next = saved.size() < capacity ? 0 : savedNext;
        } else {
            List<AcceptedExample> oldestFirst =
                    new ArrayList<>(saved.subList(savedNext, saved.size()));
            oldestFirst.addAll(saved.subList(0, savedNext));
            entries.addAll(oldestFirst.subList(oldestFirst.size() - capacity, oldestFirst.size()));
        }
    }
}
