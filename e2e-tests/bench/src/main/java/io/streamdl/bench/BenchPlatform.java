package io.streamdl.bench;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A throwaway embedded platform on free ports for a benchmark, and byte-level clients. */
final class BenchPlatform implements AutoCloseable {
    final Platform platform;
    final Path dir;

    BenchPlatform(int slots) throws IOException {
        dir = Files.createTempDirectory("streamdl-bench");
        platform = Platform.start(PlatformConfig.ephemeral(dir, slots));
    }

    /** With {@code partitions} per pipeline topic. */
    BenchPlatform(int slots, int partitions) throws IOException {
        dir = Files.createTempDirectory("streamdl-bench");
        platform = Platform.start(PlatformConfig.ephemeral(dir, slots, partitions));
    }

    /** With {@code extra} platform and job settings (e.g. {@code flink.buffer-timeout-ms}). */
    BenchPlatform(int slots, java.util.Map<String, String> extra) throws IOException {
        dir = Files.createTempDirectory("streamdl-bench");
        platform = Platform.start(PlatformConfig.ephemeral(dir, slots, extra));
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 34 << 20);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    KafkaConsumer<byte[], byte[]> consumer(String topic, boolean committedOnly) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Arrival time (ms) of each of the first {@code n} records, or fewer after {@code timeout}. */
    static List<Long> arrivals(
            KafkaConsumer<byte[], byte[]> consumer,
            int n,
            Duration timeout,
            List<ConsumerRecord<byte[], byte[]>> keep) {
        List<Long> times = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (times.size() < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                times.add(System.currentTimeMillis());
                if (keep != null) {
                    keep.add(r);
                }
            }
        }
        return times;
    }

    @Override
    public void close() {
        platform.close();
    }
}
