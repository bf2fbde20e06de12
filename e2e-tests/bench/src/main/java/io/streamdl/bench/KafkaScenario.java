package io.streamdl.bench;

import io.streamdl.encoders.Tensors;
import io.streamdl.ingest.Events;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The embedded broker's own ceiling: records/s and MB/s a plain KafkaProducer writes (acks=all,
 * idempotent, as the pipeline's clients) and a plain KafkaConsumer then reads back, for the three
 * record sizes the pipeline carries, each serialised as the pipeline serialises it (Confluent wire
 * format through the registry): a RawEvent with a 3 KB image, a Features record of a 28 x 28
 * float32 tensor (3,136 data bytes) and a Score of 10 classes.
 */
final class KafkaScenario implements Scenario {
    static final String PRODUCE = "produce records/s";
    static final String PRODUCE_MB = "produce MB/s";
    static final String CONSUME = "consume records/s";
    static final String CONSUME_MB = "consume MB/s";
    static final String BYTES = "record bytes";

    /** The row names, also read by the latency scenario. */
    static final String RAW = "raw event (RawEvent, 3 KB image)";

    static final String FEATURES = "features (784 float32)";
    static final String SCORE = "score (Score, 10 classes)";

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String title() {
        return "embedded broker produce/consume ceiling";
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int n = c.size(20_000, 100_000);
        c.setting(name(), "recordsPerSize", n);
        RunTable t = new RunTable();
        try (BenchPlatform bench = new BenchPlatform(1);
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(bench.platform.registryUrl());
                Admin admin = admin(bench)) {
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(bench.platform.registryUrl()));
            Map<String, byte[]> records = records(avro);
            int partitions = bench.platform.config().partitions();
            c.setting(name(), "partitions", partitions);
            for (var e : records.entrySet()) {
                String topic = "bench.kafka." + t.cells().size() + "." + run;
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                byte[] value = e.getValue();
                double produce = produce(bench, topic, value, n);
                double consume = consume(bench, topic, n);
                double mb = value.length / 1e6;
                t.put(e.getKey(), BYTES, value.length)
                        .put(e.getKey(), PRODUCE, produce)
                        .put(e.getKey(), PRODUCE_MB, produce * mb)
                        .put(e.getKey(), CONSUME, consume)
                        .put(e.getKey(), CONSUME_MB, consume * mb);
                c.out.printf(
                        "kafka %s (%d B): produce %,.0f/s, consume %,.0f/s%n",
                        e.getKey(), value.length, produce, consume);
            }
        }
        return t;
    }

    /** The three records, serialised by the registry serde as the pipeline's clients do. */
    static Map<String, byte[]> records(AvroWireSerializer<Object> avro) {
        Random random = new Random(3);
        byte[] image = new byte[3072];
        random.nextBytes(image);
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(
                RAW,
                avro.serialize(
                        "events.raw",
                        Events.image(
                                "evt-000001",
                                System.currentTimeMillis(),
                                "bench",
                                "image/png",
                                image,
                                28,
                                28,
                                Map.of())));
        float[] tensor = new float[784];
        for (int i = 0; i < tensor.length; i++) {
            tensor[i] = random.nextFloat();
        }
        records.put(
                FEATURES,
                avro.serialize(
                        "features.image",
                        Tensors.floatFeatures(
                                "evt-000001",
                                System.currentTimeMillis(),
                                "image@1",
                                new int[] {1, 28, 28},
                                tensor)));
        List<Float> probabilities = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            probabilities.add(0.1f);
        }
        records.put(
                SCORE,
                avro.serialize(
                        "scores.image",
                        Score.newBuilder()
                                .setEventId("evt-000001")
                                .setModel("image")
                                .setModelVersion(3)
                                .setLabel("Sneaker")
                                .setProbabilities(probabilities)
                                .setScore(0.1f)
                                .setEventTs(System.currentTimeMillis())
                                .setScoredTs(System.currentTimeMillis())
                                .build()));
        return records;
    }

    private static Admin admin(BenchPlatform bench) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bench.platform.bootstrapServers());
        return Admin.create(p);
    }

    /** Records per second from the first send to the acknowledgement of the last. */
    private static double produce(BenchPlatform bench, String topic, byte[] value, int n) {
        try (KafkaProducer<byte[], byte[]> producer = bench.producer()) {
            // warm-up: metadata and the first batches
            for (int i = 0; i < 1000; i++) {
                producer.send(new ProducerRecord<>(topic, key(i), value));
            }
            producer.flush();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, key(i), value));
            }
            producer.flush();
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Records per second a fresh consumer reads the topic (warm-up and run) back at. */
    private static double consume(BenchPlatform bench, String topic, int n) {
        int total = n + 1000;
        try (KafkaConsumer<byte[], byte[]> consumer = bench.consumer(topic, true)) {
            int seen = 0;
            long start = 0;
            int atStart = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (seen < total && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (start == 0 && !records.isEmpty()) {
                    // the clock starts at the first batch: group join and assignment excluded
                    start = System.nanoTime();
                    atStart = records.count();
                }
                seen += records.count();
            }
            if (seen < total) {
                throw new IllegalStateException(
                        "read " + seen + " of " + total + " records of " + topic);
            }
            return (seen - atStart) / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static byte[] key(int i) {
        return ("evt-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void finish(ScenarioResult r, Context c) {
        r.method.add(
                "plain KafkaProducer (acks=all, idempotent, linger 5 ms, 512 KiB batches) and"
                        + " KafkaConsumer (read_committed, 5,000 records per poll) of byte arrays"
                        + " against the embedded KRaft broker, in the same JVM; each record is a"
                        + " real record serialised by the registry serde");
        r.method.add(
                "produce: from the first send to the last acknowledgement (after 1,000 warm-up"
                        + " records); consume: a fresh consumer reads the topic back, timed from"
                        + " its first batch");
        r.notes.add(
                "this is the ceiling the pipeline lives under: every event crosses the broker"
                        + " three times (raw event, features, score), and on 2 cores the broker"
                        + " shares the CPU with the clients measuring it");
    }
}
