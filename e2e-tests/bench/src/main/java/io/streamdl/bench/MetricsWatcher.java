package io.streamdl.bench;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads {@code dashboard.metrics} on its own thread, as the dashboard page would (committed records
 * only), and keeps every metric with the wall-clock time it became readable here. Started before
 * the app, so it sees every window the app writes.
 */
final class MetricsWatcher implements AutoCloseable {
    /** One metric as read, with when ({@link System#currentTimeMillis()}) it was. */
    record Seen(
            String metric,
            String model,
            Long version,
            String label,
            long windowStart,
            long windowEnd,
            long count,
            int revision,
            long readAtMillis) {
        long size() {
            return windowEnd - windowStart;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireDeserializer<DashboardMetric> reader;
    private final List<Seen> seen = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Exception failure;

    /** Takes {@code consumer} over: only the watcher's thread uses it from now on. */
    MetricsWatcher(
            KafkaConsumer<byte[], byte[]> consumer, AvroWireDeserializer<DashboardMetric> reader) {
        this.consumer = consumer;
        this.reader = reader;
        this.thread = new Thread(this::poll, "bench-dashboard-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long at = System.currentTimeMillis();
                    DashboardMetric m = reader.deserialize(r.topic(), r.value());
                    Seen s =
                            new Seen(
                                    m.getMetric().toString(),
                                    m.getModel() == null ? null : m.getModel().toString(),
                                    m.getModelVersion(),
                                    m.getLabel() == null ? null : m.getLabel().toString(),
                                    m.getWindowStart(),
                                    m.getWindowEnd(),
                                    m.getCount(),
                                    m.getRevision(),
                                    at);
                    synchronized (seen) {
                        seen.add(s);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() stops the poll
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Every metric read so far, in the order read. */
    List<Seen> seen() {
        if (failure != null) {
            throw new IllegalStateException("reading dashboard.metrics failed", failure);
        }
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
