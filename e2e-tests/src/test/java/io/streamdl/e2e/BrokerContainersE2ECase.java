package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.cluster.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero loss through a broker outage, with the brokers in containers ({@link ContainerBrokers}:
 * Testcontainers, on Podman here or on a Docker engine). A paced stream of records is sent by an
 * idempotent producer ({@code acks=all}) to a topic of replication 3 and {@code
 * min.insync.replicas} 2, and a Kafka Streams stage ({@code exactly_once_v2}) passes every record
 * on to an output topic. A fifth of the way in, the container of the broker that leads the most
 * input partitions is stopped; once its partitions have new leaders it is started again, and the
 * last fifth of the stream is sent only after it is back in every partition's in-sync replicas. A
 * {@code read_committed} consumer must then find every record once on the output, none lost and
 * none repeated. Without a container engine the case is skipped with the reason, never passed.
 */
class BrokerContainersE2ECase {
    private static final int EVENTS = 20_000;
    private static final int RATE_PER_SECOND = 1_000;
    private static final int PARTITIONS = 6;
    private static final String INPUT = "containers.in";
    private static final String OUTPUT = "containers.out";
    private static final String APP_ID = "containers-stage";
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir Path dir;

    @Test
    void brokerContainerStoppedAndRestartedMidStreamLosesAndRepeatsNothing() throws Exception {
        ContainerBrokers.Result found = ContainerBrokers.detect();
        if (found.engine().isEmpty()) {
            System.out.println("BrokerContainersE2ECase SKIPPED: " + found.reason());
        }
        Assumptions.assumeTrue(found.engine().isPresent(), found.reason());
        ContainerBrokers.Engine engine = found.engine().get();
        long started = System.nanoTime();
        try (ContainerBrokers brokers =
                        ContainerBrokers.start(
                                engine, dir, PARTITIONS, getClass().getSimpleName());
                Admin admin = Admin.create(adminConfig(brokers.bootstrapServers()))) {
            double startSeconds = seconds(System.nanoTime() - started);
            admin.createTopics(
                            List.of(
                                    new NewTopic(INPUT, PARTITIONS, (short) 3),
                                    new NewTopic(OUTPUT, PARTITIONS, (short) 3)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            awaitUntil(() -> fullyReplicated(admin), "the new topics fully replicated", brokers);

            ConcurrentLinkedQueue<Throwable> streamErrors = new ConcurrentLinkedQueue<>();
            try (KafkaStreams stage =
                    new KafkaStreams(buildTopology(), streamsConfig(brokers.bootstrapServers()))) {
                stage.setUncaughtExceptionHandler(
                        e -> {
                            streamErrors.add(e);
                            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                                    .REPLACE_THREAD;
                        });
                stage.start();
                awaitUntil(
                        () -> stage.state() == KafkaStreams.State.RUNNING,
                        "the Streams stage running",
                        brokers);

                Fault fault = new Fault();
                CountDownLatch faultStarted = new CountDownLatch(1);
                CountDownLatch recovered = new CountDownLatch(1);
                Thread injector =
                        new Thread(
                                () -> fault.inject(brokers, admin, faultStarted, recovered),
                                "fault-injector");
                injector.start();
                SendResult sent = send(brokers.bootstrapServers(), faultStarted, recovered);
                injector.join(PATIENCE.toMillis());
                if (fault.error != null) {
                    throw new AssertionError("the fault injection failed", fault.error);
                }
                assertThat(sent.failures).as("sends that failed").isEmpty();
                assertThat(sent.acknowledged.get()).isEqualTo(EVENTS);

                awaitUntil(
                        () -> stageCaughtUp(admin),
                        "the Streams stage committed the whole input",
                        brokers);
                Map<String, Integer> in = readCommitted(brokers.bootstrapServers(), INPUT);
                Map<String, Integer> out = readCommitted(brokers.bootstrapServers(), OUTPUT);
                long lost = 0;
                long duplicated = 0;
                for (int i = 0; i < EVENTS; i++) {
                    int copies = out.getOrDefault(key(i), 0);
                    lost += copies == 0 ? 1 : 0;
                    duplicated += Math.max(0, copies - 1);
                }
                long inputDuplicates =
                        in.values().stream().mapToLong(c -> Math.max(0, c - 1)).sum();
                System.out.printf(
                        "BrokerContainersE2ECase: engine %s, image %s, %d brokers up in %.1f s;"
                                + " events %d, failures injected 1 (broker %d stopped, leading %d"
                                + " of %d input partitions), lost %d, duplicated %d (input: %d"
                                + " records, %d repeated); new leaders %.1f s after the stop,"
                                + " recovery (stop to every replica in sync) %.1f s; Streams"
                                + " thread errors %d; case %.1f s%n",
                        engine.description(),
                        engine.image(),
                        3,
                        startSeconds,
                        EVENTS,
                        fault.nodeId,
                        fault.ledPartitions,
                        PARTITIONS,
                        lost,
                        duplicated,
                        in.values().stream().mapToInt(Integer::intValue).sum(),
                        inputDuplicates,
                        fault.failoverSeconds,
                        fault.recoverySeconds,
                        streamErrors.size(),
                        seconds(System.nanoTime() - started));
                assertThat(fault.ledPartitions)
                        .as("partitions the stopped broker led")
                        .isPositive();
                assertThat(in).as("input records by key").hasSize(EVENTS);
                assertThat(inputDuplicates).as("repeated input records").isZero();
                assertThat(lost).as("records lost").isZero();
                assertThat(duplicated).as("records repeated").isZero();
                assertThat(out).as("output records by key").hasSize(EVENTS);
            }
        }
    }

    /** The stage: every record passed on, tagged, from {@code INPUT} to {@code OUTPUT}. */
    static Topology buildTopology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()).withName("input"))
                .mapValues(v -> "seen:" + v, Named.as("tag"))
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()).withName("output"));
        return builder.build();
    }

    /** Stops the busiest broker's container when told, restarts it, waits for full replication. */
    private static final class Fault {
        volatile int nodeId = -1;
        volatile int ledPartitions;
        volatile double failoverSeconds;
        volatile double recoverySeconds;
        volatile Throwable error;

        void inject(
                ContainerBrokers brokers,
                Admin admin,
                CountDownLatch faultStarted,
                CountDownLatch recovered) {
            try {
                faultStarted.await();
                Map<Integer, Integer> led = new HashMap<>();
                for (TopicPartitionInfo p : describe(admin, INPUT).partitions()) {
                    led.merge(p.leader().id(), 1, Integer::sum);
                }
                int victim =
                        led.entrySet().stream()
                                .max(Map.Entry.comparingByValue())
                                .orElseThrow()
                                .getKey();
                ledPartitions = led.get(victim);
                nodeId = victim;
                int index = brokers.indexOf(victim);
                long stop = System.nanoTime();
                brokers.stop(index);
                assertThat(brokers.running(index)).as("broker " + victim + " running").isFalse();
                awaitUntil(
                        () -> noPartitionLedBy(admin, victim),
                        "new leaders for broker " + victim + "'s partitions",
                        brokers);
                failoverSeconds = seconds(System.nanoTime() - stop);
                brokers.restart(index);
                awaitUntil(
                        () -> fullyReplicated(admin),
                        "broker " + victim + " back in every partition's in-sync replicas",
                        brokers);
                recoverySeconds = seconds(System.nanoTime() - stop);
            } catch (Throwable e) {
                error = e;
            } finally {
                recovered.countDown();
            }
        }
    }

    private record SendResult(AtomicLong acknowledged, Collection<Throwable> failures) {}

    /**
     * Sends {@code EVENTS} records at {@code RATE_PER_SECOND}; opens {@code faultStarted} a fifth
     * of the way in and holds the last fifth until {@code recovered}.
     */
    private static SendResult send(
            String bootstrap, CountDownLatch faultStarted, CountDownLatch recovered)
            throws InterruptedException {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) PATIENCE.toMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        SendResult result = new SendResult(new AtomicLong(), new ConcurrentLinkedQueue<>());
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < EVENTS; i++) {
                if (i == EVENTS / 5) {
                    faultStarted.countDown();
                }
                if (i == EVENTS * 4 / 5
                        && !recovered.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the broker did not recover within " + PATIENCE);
                }
                long due = start + i * 1_000_000_000L / RATE_PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                producer.send(
                        new ProducerRecord<>(INPUT, key(i), Integer.toString(i)),
                        (meta, e) -> {
                            if (e == null) {
                                result.acknowledged.incrementAndGet();
                            } else {
                                result.failures.add(e);
                            }
                        });
            }
            producer.flush();
        }
        return result;
    }

    /** Every record of {@code topic} a read_committed consumer sees, counted by key. */
    private static Map<String, Integer> readCommitted(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // with read_committed these are the last stable offsets
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (topic.equals(OUTPUT)) {
                        assertThat(r.value()).isEqualTo("seen:" + r.key().substring(2));
                    }
                    counts.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** The stage's committed input offsets have reached the input's end. */
    private static boolean stageCaughtUp(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(APP_ID)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < PARTITIONS; i++) {
                latest.put(new TopicPartition(INPUT, i), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            return ends.entrySet().stream()
                    .allMatch(
                            e ->
                                    committed.get(e.getKey()) != null
                                            && committed.get(e.getKey()).offset()
                                                    >= e.getValue().offset());
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean fullyReplicated(Admin admin) {
        try {
            for (String topic : List.of(INPUT, OUTPUT)) {
                for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
                    if (p.leader() == null || p.isr().size() < BrokerConfig.REPLICATION) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean noPartitionLedBy(Admin admin, int nodeId) {
        try {
            for (String topic : List.of(INPUT, OUTPUT)) {
                for (TopicPartitionInfo p : describe(admin, topic).partitions()) {
                    Node leader = p.leader();
                    if (leader == null || leader.id() == nodeId) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(Set.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic);
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e, e);
        }
    }

    private static void awaitUntil(BooleanSupplier ready, String what, ContainerBrokers brokers)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "not seen within " + PATIENCE + ": " + what + "\n" + brokers.logs());
            }
            Thread.sleep(200);
        }
    }

    private static Properties adminConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return p;
    }

    private Properties streamsConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        return p;
    }

    private static String key(int i) {
        return "e-" + i;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
