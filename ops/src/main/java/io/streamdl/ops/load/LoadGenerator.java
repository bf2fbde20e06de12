package io.streamdl.ops.load;

import io.streamdl.ingest.EventSender;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * An open-loop load run against a running pipeline, from its own process: real events sent to
 * {@code events.raw} on a fixed schedule ({@link LoadPlan}), their scores read from {@code
 * scores.<model>} by a consumer that started at the topic's end, each matched to its event by id.
 *
 * <p>A latency is measured from the moment the event was due (not the moment the sender got to it,
 * so a sender held up by a slow client still charges the delay to the pipeline) to the moment the
 * score was read here. An event whose score never came within the drain time is lost; a second
 * score of an event is a duplicate.
 */
public final class LoadGenerator {
    /** The events of a run: event {@code i} with id {@code id}, and its label (or null). */
    public interface Events {
        RawEvent event(long i, String id, long ts);

        String label(long i);
    }

    /**
     * What a run measured.
     *
     * @param behindMillis how far the sender fell behind its schedule, at most
     * @param versions how many scores each model version made
     */
    public record Result(
            long sent,
            long received,
            long duplicates,
            long lost,
            LatencyStats latency,
            double sendSeconds,
            double behindMillis,
            Map<Long, Long> versions) {
        /** Scores received per second of sending. */
        public double throughput() {
            return received / sendSeconds;
        }
    }

    private LoadGenerator() {}

    public static Result run(
            String bootstrap, String registryUrl, LoadPlan plan, Events events, PrintStream out)
            throws InterruptedException {
        return run(
                bootstrap,
                registryUrl,
                RegistryClientSettings.NONE,
                KafkaClientSecurity.PLAINTEXT,
                KafkaClientSecurity.PLAINTEXT,
                plan,
                events,
                out);
    }

    /**
     * As {@link #run(String, String, LoadPlan, Events, PrintStream)} on a secured platform: the
     * registry reached with {@code registrySettings}, the events sent as {@code sendAs} and the
     * scores read as {@code readAs}.
     */
    public static Result run(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            KafkaClientSecurity sendAs,
            KafkaClientSecurity readAs,
            LoadPlan plan,
            Events events,
            PrintStream out)
            throws InterruptedException {
        String topic = Topics.scores(plan.model()).name();
        String runId = Long.toString(System.currentTimeMillis(), 36);
        long total = plan.events();
        long[] due = new long[Math.toIntExact(total)];
        Map<String, Integer> index = new ConcurrentHashMap<>();
        long[] latencyMicros = new long[due.length];
        boolean[] seen = new boolean[due.length];
        AtomicLong received = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean(true);
        Map<Long, Long> versions = new TreeMap<>();
        try (RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(registryUrl, registrySettings);
                KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, readAs, plan)) {
            AvroWireDeserializer<Score> scores =
                    AvroWireDeserializer.specific(registry, Score.class);
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " does not exist: is model '"
                                + plan.model()
                                + "' running?");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before anything is sent
            long start = System.nanoTime();
            for (int i = 0; i < due.length; i++) {
                due[i] = start + plan.dueNanos(i);
                index.put(runId + "-" + i, i);
            }
            AtomicLong behind = new AtomicLong();
            AtomicLong sent = new AtomicLong();
            Thread sender =
                    new Thread(
                            () ->
                                    send(
                                            bootstrap,
                                            registryUrl,
                                            registrySettings,
                                            sendAs,
                                            plan,
                                            events,
                                            runId,
                                            due,
                                            behind,
                                            sent,
                                            sending),
                            "load-sender");
            sender.start();
            long lastSendDue = due[due.length - 1];
            long drainUntil = lastSendDue + plan.drain().toNanos();
            long nextReport = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < drainUntil && received.get() < due.length) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    long now = System.nanoTime();
                    Score s;
                    try {
                        s = scores.deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) {
                        continue; // not one of ours to judge
                    }
                    Integer i = index.get(s.getEventId());
                    if (i == null) {
                        continue; // another client's event
                    }
                    synchronized (seen) {
                        if (seen[i]) {
                            duplicates.incrementAndGet();
                            continue;
                        }
                        seen[i] = true;
                    }
                    latencyMicros[i] = Math.max(0, (now - due[i]) / 1000);
                    received.incrementAndGet();
                    versions.merge(s.getModelVersion(), 1L, Long::sum);
                }
                if (System.nanoTime() >= nextReport) {
                    nextReport += 5_000_000_000L;
                    out.printf("  %,d sent, %,d scores received%n", sent.get(), received.get());
                }
            }
            sending.set(false);
            sender.join();
            long[] measured = new long[(int) received.get()];
            int k = 0;
            for (int i = 0; i < due.length; i++) {
                if (seen[i]) {
                    measured[k++] = latencyMicros[i];
                }
            }
            return new Result(
                    sent.get(),
                    received.get(),
                    duplicates.get(),
                    sent.get() - received.get(),
                    new LatencyStats(measured),
                    (lastSendDue - start) / 1e9 + 1 / plan.rate(),
                    behind.get() / 1e6,
                    versions);
        }
    }

    private static void send(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            KafkaClientSecurity security,
            LoadPlan plan,
            Events events,
            String runId,
            long[] due,
            AtomicLong behind,
            AtomicLong sent,
            AtomicBoolean sending) {
        try (EventSender sender =
                new EventSender(
                        bootstrap,
                        registryUrl,
                        registrySettings,
                        Duration.ofSeconds(1),
                        security)) {
            for (int i = 0; i < due.length && sending.get(); i++) {
                long wait = due[i] - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    behind.accumulateAndGet(-wait, Math::max);
                }
                RawEvent event = events.event(i, runId + "-" + i, System.currentTimeMillis());
                sender.send(event, plan.labelled() ? events.label(i) : null);
                sent.incrementAndGet();
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(
            String bootstrap, KafkaClientSecurity security, LoadPlan plan) {
        Properties p = security.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                plan.readCommitted() ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamdl-load-" + ProcessHandle.current().pid());
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
