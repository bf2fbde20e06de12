package io.streamdl.scoring.dashboard;

import io.streamdl.schemas.avro.DashboardMetric;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * When the windows of a windowed aggregate are written: each once it closes, as revision 0, and
 * again (revision 1, 2, ...) each time records arriving later amend it, so that the highest
 * revision of every window holds all of its records, however late a partition's records come (after
 * a broker's or a scorer's outage, one partition's scores can reach the aggregates a minute after
 * another's).
 *
 * <p>A window closes when the newest update's time is {@code closeAfter} past its end, or, where
 * {@code wallClock} is set (windows of the time records were made or appended, which follows the
 * clock), when the wall clock is: a window then closes on time even when its partition has gone
 * quiet. The aggregate upstream keeps each window for {@code closeAfter} plus the amendment horizon
 * ({@code dashboard.amend-ms}), and what it updates within that reaches this processor (once per
 * commit, through its cache). Both stores are logged, so revisions continue where they were after a
 * restart, exactly once with the app's transactions.
 */
final class ClosedWindows<V> implements Processor<Windowed<String>, V, String, DashboardMetric> {
    /** The dashboard records of one window's value at one revision. */
    interface Render<V> {
        List<KeyValue<String, DashboardMetric>> apply(
                String key, long start, long end, V value, int revision);
    }

    private static final Duration TICK = Duration.ofSeconds(1);

    private final String openStore;
    private final String closedStore;
    private final long closeAfter;
    private final long amendFor;
    private final boolean wallClock;
    private final Render<V> render;
    private ProcessorContext<String, DashboardMetric> context;
    private KeyValueStore<Bytes, V> open;
    private KeyValueStore<Bytes, Integer> closed;

    /** The newest update's time: the aggregate's stream time as far as it has reached here. */
    private long observed = -1;

    /**
     * The earliest end of an open window, {@link Long#MIN_VALUE} while unknown (after a restore),
     * so that an update which closes nothing needs no scan of the store.
     */
    private long earliestOpen = Long.MIN_VALUE;

    /** The same for the closed store: the earliest end whose revision is kept. */
    private long earliestClosed = Long.MIN_VALUE;

    private ClosedWindows(
            String name, long closeAfter, long amendFor, boolean wallClock, Render<V> render) {
        this.openStore = name + "-open";
        this.closedStore = name + "-closed";
        this.closeAfter = closeAfter;
        this.amendFor = amendFor;
        this.wallClock = wallClock;
        this.render = render;
    }

    /**
     * The dashboard records of {@code table}'s windows as they close and are amended ({@code name}
     * names the processor and prefixes its stores).
     */
    static <V> KStream<String, DashboardMetric> of(
            KTable<Windowed<String>, V> table,
            String name,
            Serde<V> values,
            long closeAfter,
            long amendFor,
            boolean wallClock,
            Render<V> render) {
        ProcessorSupplier<Windowed<String>, V, String, DashboardMetric> supplier =
                new ProcessorSupplier<>() {
                    @Override
                    public Processor<Windowed<String>, V, String, DashboardMetric> get() {
                        return new ClosedWindows<>(name, closeAfter, amendFor, wallClock, render);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        return Set.of(
                                Stores.keyValueStoreBuilder(
                                        Stores.persistentKeyValueStore(name + "-open"),
                                        Serdes.Bytes(),
                                        values),
                                Stores.keyValueStoreBuilder(
                                        Stores.persistentKeyValueStore(name + "-closed"),
                                        Serdes.Bytes(),
                                        Serdes.Integer()));
                    }
                };
        return table.toStream(Named.as(name + "-updates")).process(supplier, Named.as(name));
    }

    @Override
    public void init(ProcessorContext<String, DashboardMetric> context) {
        this.context = context;
        this.open = context.getStateStore(openStore);
        this.closed = context.getStateStore(closedStore);
        earliestOpen = Long.MIN_VALUE;
        earliestClosed = Long.MIN_VALUE;
        context.schedule(
                TICK,
                PunctuationType.WALL_CLOCK_TIME,
                now -> {
                    closeUpTo(wallClock ? Math.max(observed, now) : observed);
                    forget(Math.max(observed, now));
                });
    }

    @Override
    public void process(Record<Windowed<String>, V> record) {
        if (record.value() == null) {
            return;
        }
        observed = Math.max(observed, record.timestamp());
        Windowed<String> w = record.key();
        Bytes key = encode(w.key(), w.window().start(), w.window().end());
        Integer revision = closed.get(key);
        if (revision != null) {
            closed.put(key, revision + 1);
            emit(key, record.value(), revision + 1);
        } else {
            open.put(key, record.value());
            earliestOpen = Math.min(earliestOpen, w.window().end());
            closeUpTo(observed);
        }
    }

    /** Writes and moves to the closed store every open window that ends {@code closeAfter} ago. */
    private void closeUpTo(long now) {
        if (earliestOpen != Long.MIN_VALUE && earliestOpen > now - closeAfter) {
            return; // nothing open is due
        }
        List<KeyValue<Bytes, V>> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        try (KeyValueIterator<Bytes, V> it = open.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, V> w = it.next();
                if (end(w.key) + closeAfter > now) {
                    next = end(w.key); // the store is ordered by window end
                    break;
                }
                due.add(w);
            }
        }
        earliestOpen = next;
        for (KeyValue<Bytes, V> w : due) {
            open.delete(w.key);
            closed.put(w.key, 0);
            earliestClosed = Math.min(earliestClosed, end(w.key));
            emit(w.key, w.value, 0);
        }
    }

    /** Drops the revisions of windows past amending: their records no longer reach here. */
    private void forget(long now) {
        if (earliestClosed != Long.MIN_VALUE && earliestClosed >= now - closeAfter - amendFor) {
            return; // nothing closed is past amending
        }
        List<Bytes> old = new ArrayList<>();
        long next = Long.MAX_VALUE;
        try (KeyValueIterator<Bytes, Integer> it = closed.all()) {
            while (it.hasNext()) {
                Bytes key = it.next().key;
                if (end(key) + closeAfter + amendFor >= now) {
                    next = end(key);
                    break;
                }
                old.add(key);
            }
        }
        earliestClosed = next;
        old.forEach(closed::delete);
    }

    private void emit(Bytes key, V value, int revision) {
        ByteBuffer b = ByteBuffer.wrap(key.get());
        long end = b.getLong();
        long start = b.getLong();
        String name = StandardCharsets.UTF_8.decode(b).toString();
        for (KeyValue<String, DashboardMetric> out :
                render.apply(name, start, end, value, revision)) {
            context.forward(new Record<>(out.key, out.value, end));
        }
    }

    /** Window end, start (both non-negative, so bytes order as numbers), then the key. */
    static Bytes encode(String key, long start, long end) {
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(
                ByteBuffer.allocate(16 + name.length)
                        .putLong(end)
                        .putLong(start)
                        .put(name)
                        .array());
    }

    private static long end(Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong();
    }
}
