package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real exactly-once Streams app on the embedded broker whose processor throws: a failure that
 * does not come back costs one replaced stream thread and nothing else (every record out exactly
 * once, the app running), and one that comes back with every replay (a poison record) shuts the
 * client down after {@link StreamsLifecycle#MAX_REPLACEMENTS} replacements instead of looping.
 */
class StreamsLifecycleITCase {
    /** The values that have already failed once ({@code once-*} fail only the first time). */
    private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    @TempDir Path dir;

    @Test
    void aTransientErrorReplacesTheThreadAndAPoisonRecordStopsTheClient() throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dir.resolve("p"), 1));
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            try (StreamsLifecycle app = start(platform, "transient")) {
                assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
                send(producer, "transient-in", "a", "once-1", "b");
                List<String> out = read(platform, "transient-out", 3);
                assertThat(out)
                        .as("every record once, in order")
                        .containsExactly("a", "once-1", "b");
                assertThat(app.threadReplacements()).isEqualTo(1);
                assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
            try (StreamsLifecycle app = start(platform, "poison")) {
                assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
                send(producer, "poison-in", "poison");
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (app.state() != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(app.state())
                        .as("the client after a poison record")
                        .isEqualTo(KafkaStreams.State.ERROR);
                assertThat(app.threadReplacements()).isEqualTo(StreamsLifecycle.MAX_REPLACEMENTS);
            }
        }
    }

    /**
     * A crashed instance (one that never left its group) restarted on its state folder takes its
     * tasks back at once through its static membership: its first new record comes out well within
     * the 60 s session a dynamic member would have waited out first.
     */
    @Test
    void aRestartedInstanceTakesItsTasksBackWithoutWaitingOutTheDeadMembersSession()
            throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dir.resolve("p"), 1));
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            createTopics(platform, "restart");
            StreamsLifecycle first = start(platform, "restart", 60_000);
            assertThat(first.awaitRunning(Duration.ofSeconds(90))).isTrue();
            send(producer, "restart-in", "a");
            assertThat(read(platform, "restart-out", 1)).containsExactly("a");
            // as a crash looks to the group: the member does not leave
            first.streams()
                    .close(
                            CloseOptions.timeout(Duration.ofSeconds(30))
                                    .withGroupMembershipOperation(
                                            CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            long restarted = System.nanoTime();
            try (StreamsLifecycle second = start(platform, "restart", 60_000)) {
                send(producer, "restart-in", "b");
                assertThat(read(platform, "restart-out", 2)).containsExactly("a", "b");
                double seconds = (System.nanoTime() - restarted) / 1e9;
                System.out.printf(
                        "StreamsLifecycleITCase: restarted instance's first record out after %.1f"
                                + " s (session 60 s)%n",
                        seconds);
                assertThat(seconds)
                        .as("seconds to the first record after the restart")
                        .isLessThan(30);
                assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    private static void createTopics(Platform platform, String name) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                platform.bootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(name + "-in", 1, (short) 1),
                                    new NewTopic(name + "-out", 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    private StreamsLifecycle start(Platform platform, String name) throws Exception {
        createTopics(platform, name);
        return start(platform, name, 6000);
    }

    private StreamsLifecycle start(Platform platform, String name, int sessionMs) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(name + "-in", Consumed.with(Serdes.String(), Serdes.String()))
                .mapValues(StreamsLifecycleITCase::check, Named.as("check"))
                .to(name + "-out", Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lifecycle-" + name);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsLifecycle.guarantee(true));
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // a replaced thread's member is dropped from the group when its session ends (the
        // broker's default group.max.session.timeout.ms allows up to 30 min)
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), sessionMs);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        return StreamsLifecycle.start("test app " + name, "lifecycle-" + name, builder.build(), p);
    }

    private static String check(String value) {
        if (value.equals("poison") || (value.startsWith("once-") && FAILED.add(value))) {
            throw new IllegalStateException("cannot process " + value);
        }
        return value;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String... values)
            throws Exception {
        for (String v : values) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    v.getBytes(StandardCharsets.UTF_8),
                                    v.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    private static List<String> read(Platform platform, String topic, int atLeast) {
        return TestingKafka.readCommitted(
                        platform.bootstrapServers(),
                        topic,
                        l -> l.size() >= atLeast,
                        Duration.ofSeconds(90),
                        Duration.ofSeconds(2))
                .stream()
                .map(ConsumerRecord::value)
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .toList();
    }
}
