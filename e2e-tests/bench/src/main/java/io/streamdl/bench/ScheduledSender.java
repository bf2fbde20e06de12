package io.streamdl.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends a {@link DashboardTraffic}'s events on an {@link OpenLoopSchedule}: each event when it is
 * due, stamped with the wall-clock time it is sent, without waiting for any acknowledgement (a
 * failed send is counted, and fails the run at the end). When the schedule is done, the labels not
 * yet due are sent too and the producer is flushed.
 */
final class ScheduledSender {
    /** What one {@link #send} sent; times are {@link System#currentTimeMillis()}. */
    record Result(
            long events,
            long scores,
            long records,
            long firstSendMillis,
            long lastSendMillis,
            long maxBehindMillis,
            double seconds,
            Map<String, Long> scoresByTopic) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    /** Encodes a record's value for its topic. */
    interface Encoder {
        byte[] encode(String topic, SpecificRecord value);
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final Encoder encoder;
    private final DashboardTraffic traffic;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    ScheduledSender(
            KafkaProducer<byte[], byte[]> producer, Encoder encoder, DashboardTraffic traffic) {
        this.producer = producer;
        this.encoder = encoder;
        this.traffic = traffic;
    }

    /**
     * Sends {@code events} events at {@code rate} per second; returns once all are acknowledged.
     */
    Result send(double rate, long events) {
        long scoresBefore = traffic.scores();
        Map<String, Long> before = traffic.scoresByTopic();
        long records = 0;
        long first = -1;
        long last = -1;
        long t0 = System.nanoTime();
        OpenLoopSchedule schedule = new OpenLoopSchedule(t0, rate, events);
        while (!schedule.done()) {
            long now = System.nanoTime();
            long due = schedule.due(now);
            if (due == 0) {
                LockSupport.parkNanos(schedule.nanosUntilNext(now));
                continue;
            }
            for (long i = 0; i < due; i++) {
                long wall = System.currentTimeMillis();
                records += send(traffic.next(wall));
                schedule.sent(System.nanoTime());
                first = first < 0 ? wall : first;
                last = wall;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        records += send(traffic.pendingLabels(System.currentTimeMillis()));
        producer.flush();
        if (failed.get() > 0) {
            throw new IllegalStateException(
                    failed.get() + " sends failed; the first: " + firstFailure.get(),
                    firstFailure.get());
        }
        Map<String, Long> byTopic = new TreeMap<>();
        traffic.scoresByTopic().forEach((t, n) -> byTopic.put(t, n - before.getOrDefault(t, 0L)));
        return new Result(
                events,
                traffic.scores() - scoresBefore,
                records,
                first,
                last,
                schedule.maxBehindNanos() / 1_000_000,
                seconds,
                byTopic);
    }

    /** Sends one record, without a key when {@code key} is null, to a partition of its choosing. */
    void send(String topic, Integer partition, String key, SpecificRecord value) {
        producer.send(
                new ProducerRecord<>(
                        topic,
                        partition,
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        encoder.encode(topic, value)),
                this::acknowledged);
    }

    private long send(List<DashboardTraffic.Out> out) {
        for (DashboardTraffic.Out o : out) {
            send(o.topic(), null, o.key(), o.value());
        }
        return out.size();
    }

    private void acknowledged(RecordMetadata metadata, Exception e) {
        if (e != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e);
        }
    }
}
