package io.streamdl.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * Events waiting to be scored together. A batch closes when it holds {@code maxSize} events or when
 * its oldest event has waited {@code maxWaitMillis}, whichever comes first.
 */
public final class MicroBatch<T> {
    private final int maxSize;
    private final long maxWaitMillis;
    private final List<T> events;
    private long openedAt = -1;

    public MicroBatch(int maxSize, long maxWaitMillis) {
        if (maxSize < 1) {
            throw new IllegalArgumentException(
                    "scoring.batch.max-size must be at least 1, not " + maxSize);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException(
                    "scoring.batch.max-wait-ms must not be negative, not " + maxWaitMillis);
        }
        this.maxSize = maxSize;
        this.maxWaitMillis = maxWaitMillis;
        this.events = new ArrayList<>(maxSize);
    }

    /** Adds an event; returns true if the batch is now full and must be flushed. */
    public boolean add(T event, long now) {
        if (events.isEmpty()) {
            openedAt = now;
        }
        events.add(event);
        return events.size() >= maxSize;
    }

    /** When the batch must close by time, or -1 while it is empty. */
    public long deadline() {
        return events.isEmpty() ? -1 : openedAt + maxWaitMillis;
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }

    public int size() {
        return events.size();
    }

    /** The events, oldest first, leaving the batch empty. */
    public List<T> drain() {
        List<T> out = new ArrayList<>(events);
        events.clear();
        openedAt = -1;
        return out;
    }

    /** The events without removing them (for a snapshot). */
    public List<T> peek() {
        return List.copyOf(events);
    }
}
