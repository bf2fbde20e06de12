package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two promises of the structure at the Kafka level, in one platform run started the way {@code
 * ./pipeline up --models FILE} starts it (PipelineJobs from the settings):
 *
 * <ul>
 *   <li>A model a user adds in a catalogue file, with classes of their own ("sandal", "sneaker",
 *       "boot" over Fashion-MNIST's shoe images), is trained and scored end to end: its own topics,
 *       its own labels on every score, accuracy well above chance.
 *   <li>Every operator is total over what its topic can carry: a client that is not ours writes
 *       schema-valid but inconsistent features, a tombstone, a label of no class, a label and an
 *       event without an id. Each lands on {@code dlq} with its reason, every good event after them
 *       is scored, and no job restarted.
 * </ul>
 */
class CatalogueAndBadInputE2ECase {
    private static final Map<Integer, String> SHOES = Map.of(5, "sandal", 7, "sneaker", 9, "boot");
    private static final int PER_CLASS = 150;

    @TempDir Path dataDir;

    @Test
    void aUsersCatalogueModelLearnsItsOwnClassesAndBadRecordsAreDeadLetteredWithoutRestarts()
            throws Exception {
        try (CataloguePipeline pipeline =
                CataloguePipeline.start(
                        dataDir,
                        """
                        {"models": [{
                          "name": "shoes", "encoder": "image", "family": "cnn",
                          "labels": ["sandal", "sneaker", "boot"],
                          "params": {"conv1Channels": 8, "conv2Channels": 16, "kernelSize": 3,
                                     "denseUnits": 32, "batchNorm": true, "dropout": 0.1},
                          "trainer": {"trainer.publish.every-examples": "64",
                                      "trainer.publish.every-seconds": "600"}
                        }]}
                        """)) {
            Platform platform = pipeline.platform();
            String url = pipeline.registryUrl();
            String bootstrap = pipeline.bootstrap();
            JobRunner runner = pipeline.runner();
            List<String> names = pipeline.jobNames();
            assertThat(names).containsExactly("EncodeJob (scoring shoes)", "TrainJob-shoes");

            Map<Long, String> badFeatures = new TreeMap<>();
            Map<String, Object> badOther = new HashMap<>();
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                    KafkaProducer<byte[], byte[]> producer = TestingKafka.producer(bootstrap)) {
                AvroWireSerializer<Object> writer =
                        new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
                badFeatures.put(send(producer, writer, shortData()), "DATA_LENGTH_MISMATCH");
                badFeatures.put(send(producer, writer, withNaN()), "NON_FINITE_VALUE");
                badFeatures.put(
                        send(producer, writer, image("neg", List.of(-1, 28, 28))), "INVALID_SHAPE");
                badFeatures.put(
                        send(producer, writer, image("flat", List.of(784))), "SHAPE_MISMATCH");
                badFeatures.put(
                        send(producer, writer, image("", List.of(1, 28, 28))), "MISSING_EVENT_ID");
                badFeatures.put(
                        producer.send(new ProducerRecord<>("features.image", 0, null, null))
                                .get()
                                .offset(),
                        "EMPTY_VALUE");
                RecordMetadata unknownLabel =
                        produce(producer, writer, "events.labels", new Label("x1", "diagonal", 1L));
                RecordMetadata noIdLabel =
                        produce(producer, writer, "events.labels", new Label("", "boot", 1L));
                RecordMetadata noIdEvent =
                        produce(
                                producer,
                                writer,
                                "events.raw",
                                Events.image(
                                        "",
                                        1L,
                                        "foreign",
                                        "image/png",
                                        ImageCodecs.png(new byte[784], 28, 28),
                                        28,
                                        28,
                                        Map.of()));
                badOther.put("UNKNOWN_LABEL", unknownLabel);
                badOther.put("MISSING_EVENT_ID@events.labels", noIdLabel);
                badOther.put("MISSING_EVENT_ID@events.raw", noIdEvent);
            }

            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
            Map<String, String> truth = new HashMap<>();
            try (EventSender sender = new EventSender(bootstrap, url, Duration.ofMillis(200))) {
                Map<Integer, Integer> sent = new HashMap<>();
                for (int i = 0; i < images.size() && truth.size() < 3 * PER_CLASS; i++) {
                    String label = SHOES.get(images.label(i));
                    if (label == null || sent.merge(images.label(i), 1, Integer::sum) > PER_CLASS) {
                        continue;
                    }
                    String id = "shoe-" + i;
                    truth.put(id, label);
                    sender.send(
                            Events.image(
                                    id,
                                    System.currentTimeMillis(),
                                    "e2e",
                                    "image/png",
                                    ImageCodecs.png(images.image(i), 28, 28),
                                    28,
                                    28,
                                    Map.of()),
                            label);
                }
            }

            List<ConsumerRecord<byte[], byte[]>> scoreRecords =
                    TestingKafka.readCommitted(
                            bootstrap,
                            "scores.shoes",
                            r -> r.size() >= truth.size(),
                            Duration.ofSeconds(240),
                            Duration.ofSeconds(1));
            // 6 bad features records x (scorer + trainer), 2 bad labels, 1 event without id
            int expectedDead = badFeatures.size() * 2 + 3;
            List<ConsumerRecord<byte[], byte[]>> deadRecords =
                    TestingKafka.readCommitted(
                            bootstrap,
                            "dlq",
                            r -> r.size() >= expectedDead,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1));

            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url)) {
                AvroWireDeserializer<Score> scores =
                        AvroWireDeserializer.specific(registry, Score.class);
                AvroWireDeserializer<DeadLetter> dead =
                        AvroWireDeserializer.specific(registry, DeadLetter.class);

                Map<String, Score> byEvent = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : scoreRecords) {
                    Score s = scores.deserialize(r.topic(), r.value());
                    assertThat(byEvent.put(s.getEventId(), s)).as("scored once").isNull();
                }
                assertThat(byEvent.keySet())
                        .as("every good event scored, nothing else")
                        .isEqualTo(truth.keySet());
                int correct = 0;
                for (Score s : byEvent.values()) {
                    assertThat(s.getModel()).isEqualTo("shoes");
                    assertThat(s.getModelVersion()).isPositive();
                    assertThat(s.getLabel()).isIn("sandal", "sneaker", "boot");
                    assertThat(s.getProbabilities()).hasSize(3);
                    correct += truth.get(s.getEventId()).equals(s.getLabel()) ? 1 : 0;
                }
                double accuracy = (double) correct / byEvent.size();
                System.out.printf(
                        "CatalogueAndBadInputE2ECase: %d scores of model shoes, accuracy %.3f"
                                + " (chance 0.333)%n",
                        byEvent.size(), accuracy);
                assertThat(accuracy).as("accuracy of the served scores").isGreaterThan(0.5);

                List<DeadLetter> letters = new ArrayList<>();
                deadRecords.forEach(r -> letters.add(dead.deserialize(r.topic(), r.value())));
                System.out.println(
                        "CatalogueAndBadInputE2ECase: dead letters "
                                + letters.stream()
                                        .map(d -> d.getError() + "@" + d.getStage())
                                        .toList());
                assertThat(letters).hasSize(expectedDead);
                badFeatures.forEach(
                        (offset, reason) ->
                                assertThat(letters)
                                        .filteredOn(
                                                d ->
                                                        d.getSourceTopic().equals("features.image")
                                                                && d.getOffset() == offset)
                                        .as("features at offset %d", offset)
                                        .extracting(DeadLetter::getError, DeadLetter::getStage)
                                        .containsExactlyInAnyOrder(
                                                org.assertj.core.groups.Tuple.tuple(
                                                        reason,
                                                        reason.equals("EMPTY_VALUE")
                                                                ? "decode"
                                                                : "score"),
                                                org.assertj.core.groups.Tuple.tuple(
                                                        reason,
                                                        reason.equals("EMPTY_VALUE")
                                                                ? "decode"
                                                                : "check")));
                assertThat(letters)
                        .filteredOn(d -> d.getSourceTopic().equals("events.labels"))
                        .extracting(DeadLetter::getError, DeadLetter::getOffset)
                        .containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple(
                                        "UNKNOWN_LABEL",
                                        ((RecordMetadata) badOther.get("UNKNOWN_LABEL")).offset()),
                                org.assertj.core.groups.Tuple.tuple(
                                        "MISSING_EVENT_ID",
                                        ((RecordMetadata)
                                                        badOther.get(
                                                                "MISSING_EVENT_ID@events.labels"))
                                                .offset()));
                assertThat(letters)
                        .filteredOn(d -> d.getSourceTopic().equals("events.raw"))
                        .singleElement()
                        .satisfies(
                                d -> {
                                    assertThat(d.getError()).isEqualTo("MISSING_EVENT_ID");
                                    assertThat(d.getValue()).isNotNull();
                                });
            }

            for (JobID id : runner.submitted()) {
                assertThat(restarts(platform, id)).as("attempt number in job " + id).isZero();
            }
        }
    }

    /** The highest attempt number of any task of the job: 0 when no task ever restarted. */
    private static int restarts(Platform platform, JobID id) throws Exception {
        AccessExecutionGraph graph =
                platform.embeddedFlink().cluster().getExecutionGraph(id).get(10, TimeUnit.SECONDS);
        int highest = 0;
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            assertThat(v.getExecutionState())
                    .as("task %s of job %s", v.getTaskNameWithSubtaskIndex(), id)
                    .isEqualTo(ExecutionState.RUNNING);
            highest = Math.max(highest, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return highest;
    }

    private static long send(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> writer, Features f)
            throws Exception {
        return produce(producer, writer, "features.image", f).offset();
    }

    private static RecordMetadata produce(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> writer,
            String topic,
            Object record)
            throws Exception {
        // partition 0 of each topic, so offsets identify the records
        return producer.send(new ProducerRecord<>(topic, 0, null, writer.serialize(topic, record)))
                .get();
    }

    private static Features image(String id, List<Integer> shape) {
        ByteBuffer data = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        return new Features(id, 1L, "foreign@1", "float32", shape, data, null, null);
    }

    private static Features shortData() {
        Features f = image("short", List.of(1, 28, 28));
        f.setData(ByteBuffer.allocate(12));
        return f;
    }

    private static Features withNaN() {
        ByteBuffer data = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(100 * 4, Float.NaN);
        return new Features(
                "nan", 1L, "foreign@1", "float32", List.of(1, 28, 28), data, null, null);
    }
}
