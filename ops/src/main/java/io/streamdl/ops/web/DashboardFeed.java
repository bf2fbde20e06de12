package io.streamdl.ops.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code dashboard.metrics}, {@code dlq} and {@code anomalies} (read_committed, no consumer
 * group: every page server reads everything) into a {@link DashboardState} and pushes each change
 * to the open pages as Server-Sent Events: {@code metric}, {@code deadLetter} and {@code anomaly}
 * as they arrive, and the tables ({@code tables}) at most every 250 ms when they changed. {@code
 * dlq} is read from its start (its counts are totals); the others from {@code web.history-minutes}
 * ago. A record that does not decode is counted and logged, never fatal.
 */
public final class DashboardFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);
    private static final long TABLES_EVERY_MS = 250;
    private static final int QUEUE = 10_000;

    /** One open page: its events, in order; closed by the feed if it falls too far behind. */
    public static final class Subscriber {
        private final BlockingQueue<String> events = new ArrayBlockingQueue<>(QUEUE);
        private volatile boolean overflowed;

        /** The next event (an SSE frame), or null after {@code timeout}. */
        public String next(long timeout, TimeUnit unit) throws InterruptedException {
            return events.poll(timeout, unit);
        }

        public boolean overflowed() {
            return overflowed;
        }

        void offer(String frame) {
            if (!events.offer(frame)) {
                overflowed = true;
            }
        }
    }

    private final DashboardState state;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireDeserializer<DashboardMetric> metrics;
    private final AvroWireDeserializer<DeadLetter> letters;
    private final AvroWireDeserializer<Anomaly> anomalies;
    private final AvroWireDeserializer<ModelEvent> lifecycle;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final long historyMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private long undecodable;
    private long failures;

    /** Held while a record is folded in and pushed, and while a new page is given its start. */
    private final Object order = new Object();

    private DashboardFeed(
            String bootstrap,
            SchemaRegistryClient registry,
            DashboardState state,
            long historyMillis,
            KafkaClientSecurity security) {
        this.state = state;
        this.historyMillis = historyMillis;
        Properties p = security.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamdl-web-feed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        metrics = AvroWireDeserializer.specific(registry, DashboardMetric.class);
        letters = AvroWireDeserializer.specific(registry, DeadLetter.class);
        anomalies = AvroWireDeserializer.specific(registry, Anomaly.class);
        lifecycle = AvroWireDeserializer.specific(registry, ModelEvent.class);
        thread = new Thread(this::run, "web-dashboard-feed");
        thread.setDaemon(true);
    }

    /** Starts reading on a thread of its own. */
    public static DashboardFeed start(
            String bootstrap,
            SchemaRegistryClient registry,
            DashboardState state,
            long historyMillis) {
        return start(bootstrap, registry, state, historyMillis, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #start(String, SchemaRegistryClient, DashboardState, long)}, as a principal. */
    public static DashboardFeed start(
            String bootstrap,
            SchemaRegistryClient registry,
            DashboardState state,
            long historyMillis,
            KafkaClientSecurity security) {
        DashboardFeed feed = new DashboardFeed(bootstrap, registry, state, historyMillis, security);
        feed.thread.start();
        return feed;
    }

    public DashboardState state() {
        return state;
    }

    /** A new page: it gets the history and the tables first, then every change. */
    public Subscriber subscribe() {
        Subscriber s = new Subscriber();
        String tables = state.tables().toString();
        synchronized (order) {
            // nothing folded in between the history and the first live event: none lost or twice
            s.offer(frame("history", state.history().toString()));
            s.offer(frame("tables", tables));
            subscribers.add(s);
        }
        return s;
    }

    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    public int pages() {
        return subscribers.size();
    }

    private void run() {
        try {
            assign();
            long lastTables = 0;
            long pushed = state.changes();
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        accept(r);
                    }
                    long now = System.currentTimeMillis();
                    if (state.changes() != pushed && now - lastTables >= TABLES_EVERY_MS) {
                        pushed = state.changes();
                        lastTables = now;
                        String tables = state.tables().toString();
                        synchronized (order) {
                            broadcast(frame("tables", tables));
                        }
                    }
                    state.feedUp(true);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // a broker away, a record the consumer cannot read: wait, and go on reading
                    state.feedUp(false);
                    failures++;
                    if (failures == 1 || failures % 100 == 0) {
                        LOG.warn(
                                "live page: reading failed ({} so far): {}",
                                failures,
                                e.toString());
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Every partition of the three topics, waiting for them to exist. */
    private void assign() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic :
                List.of(
                        Topics.DASHBOARD_METRICS.name(),
                        Topics.DLQ.name(),
                        Topics.MODEL_EVENTS.name(),
                        Topics.ANOMALIES.name())) {
            partitionsOf(topic).forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(all);
        long since = System.currentTimeMillis() - historyMillis;
        Map<TopicPartition, Long> times = new HashMap<>();
        List<TopicPartition> dlq = new ArrayList<>();
        for (TopicPartition tp : all) {
            // dead letters and lifecycle events from their start: counts are totals, pins current
            if (tp.topic().equals(Topics.DLQ.name())
                    || tp.topic().equals(Topics.MODEL_EVENTS.name())) {
                dlq.add(tp);
            } else {
                times.put(tp, since);
            }
        }
        consumer.seekToBeginning(dlq);
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
        List<TopicPartition> toEnd = new ArrayList<>();
        found.forEach(
                (tp, at) -> {
                    if (at == null) {
                        toEnd.add(tp);
                    } else {
                        consumer.seek(tp, at.offset());
                    }
                });
        consumer.seekToEnd(toEnd);
    }

    private List<PartitionInfo> partitionsOf(String topic) {
        while (running) {
            try {
                List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (parts != null && !parts.isEmpty()) {
                    return parts;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // asked again below
            }
            LOG.info("live page: waiting for topic {}", topic);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            synchronized (order) {
                fold(r);
            }
        } catch (RuntimeException e) {
            undecodable++;
            if (undecodable == 1 || undecodable % 1000 == 0) {
                LOG.warn(
                        "live page: a record of {} left out ({} so far): {}",
                        r.topic(),
                        undecodable,
                        e.getMessage());
            }
        }
    }

    private void fold(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(Topics.DASHBOARD_METRICS.name())) {
            ObjectNode json = state.metric(metrics.deserialize(r.topic(), r.value()));
            if (json != null) {
                broadcast(frame("metric", json.toString()));
            }
        } else if (r.topic().equals(Topics.DLQ.name())) {
            ObjectNode json = state.deadLetter(letters.deserialize(r.topic(), r.value()));
            broadcast(frame("deadLetter", json.toString()));
        } else if (r.topic().equals(Topics.MODEL_EVENTS.name())) {
            ObjectNode json = state.lifecycle(lifecycle.deserialize(r.topic(), r.value()));
            broadcast(frame("lifecycle", json.toString()));
        } else {
            ObjectNode json = state.anomaly(anomalies.deserialize(r.topic(), r.value()));
            broadcast(frame("anomaly", json.toString()));
        }
    }

    private void broadcast(String frame) {
        for (Subscriber s : subscribers) {
            s.offer(frame);
            if (s.overflowed()) {
                subscribers.remove(s);
            }
        }
    }

    /** One Server-Sent Event: its type and one line of JSON. */
    static String frame(String event, String json) {
        return "event: " + event + "\ndata: " + json + "\n\n";
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
