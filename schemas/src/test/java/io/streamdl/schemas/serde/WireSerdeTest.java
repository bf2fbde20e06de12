package io.streamdl.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.serde.SerdeException.Reason;
import io.streamdl.schemas.testing.SampleRecords;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class WireSerdeTest {
    private final TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
    private final SerdeConfig config = SerdeConfig.forValues("http://unused");
    private final AvroWireSerializer<Object> serializer =
            new AvroWireSerializer<>(registry, config);

    @Test
    void everyRecordRoundTripsAsSpecificAndGeneric() {
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = "t." + record.getSchema().getName();
            byte[] bytes = serializer.serialize(topic, record);
            @SuppressWarnings("unchecked")
            Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();

            SpecificRecord specific =
                    AvroWireDeserializer.specific(registry, type).deserialize(topic, bytes);
            assertThat(specific).as(topic).isEqualTo(record);

            GenericRecord generic =
                    AvroWireDeserializer.<GenericRecord>generic(registry, null)
                            .deserialize(topic, bytes);
            assertThat(generic.getSchema()).isEqualTo(record.getSchema());
            assertThat(generic.toString()).isEqualTo(record.toString());

            // A generic record written by us reads back as the specific class, byte for byte.
            GenericRecord copy = GenericData.get().deepCopy(record.getSchema(), generic);
            assertThat(copy).isNotInstanceOf(SpecificRecord.class);
            byte[] fromGeneric = serializer.serialize(topic, copy);
            assertThat(fromGeneric).isEqualTo(bytes);
            assertThat(
                            AvroWireDeserializer.specific(registry, type)
                                    .deserialize(topic, fromGeneric))
                    .isEqualTo(record);
        }
    }

    @Test
    void writesTheExactConfluentWireBytes() {
        byte[] bytes = serializer.serialize("events.labels", new Label("e1", "7", 4L));
        int id = registry.latest("events.labels-value").id();
        assertThat(bytes)
                .containsExactly(
                        0,
                        (byte) (id >>> 24),
                        (byte) (id >>> 16),
                        (byte) (id >>> 8),
                        (byte) id,
                        0x04,
                        'e',
                        '1', // "e1": zig-zag length 2, then UTF-8
                        0x02,
                        '7', // "7"
                        0x08); // 4L zig-zag encoded
        assertThat(registry.subjects()).containsExactly("events.labels-value");
    }

    @Test
    void readsOlderAndNewerWritersWithTheReaderSchema() {
        Schema newer =
                SchemaBuilder.record("Label")
                        .namespace("io.streamdl.schemas.avro")
                        .fields()
                        .requiredString("eventId")
                        .requiredString("label")
                        .requiredLong("ts")
                        .name("confidence")
                        .type()
                        .doubleType()
                        .doubleDefault(1.0)
                        .endRecord();
        GenericRecord written = new GenericData.Record(newer);
        written.put("eventId", "e2");
        written.put("label", "3");
        written.put("ts", 9L);
        written.put("confidence", 0.25);
        byte[] bytes = serializer.serialize("labels", written);
        // A newer writer: the extra field is skipped by the current reader.
        assertThat(
                        AvroWireDeserializer.specific(registry, Label.class)
                                .deserialize("labels", bytes))
                .isEqualTo(new Label("e2", "3", 9L));

        // An older writer: the newer reader fills the default.
        byte[] old = serializer.serialize("labels", new Label("e3", "4", 1L));
        GenericRecord read =
                AvroWireDeserializer.<GenericRecord>generic(registry, newer)
                        .deserialize("labels", old);
        assertThat(read.get("confidence")).isEqualTo(1.0);
        assertThat(read.get("eventId").toString()).isEqualTo("e3");
    }

    /** Score and Anomaly as they were before they gained the optional {@code series}. */
    private static final String SCORE_BEFORE_SERIES =
            "{\"type\":\"record\",\"name\":\"Score\",\"namespace\":\"io.streamdl.schemas.avro\","
                    + "\"fields\":[{\"name\":\"eventId\",\"type\":\"string\"},"
                    + "{\"name\":\"model\",\"type\":\"string\"},"
                    + "{\"name\":\"modelVersion\",\"type\":\"long\"},"
                    + "{\"name\":\"label\",\"type\":[\"null\",\"string\"],\"default\":null},"
                    + "{\"name\":\"probabilities\",\"type\":{\"type\":\"array\",\"items\":\"float\"},"
                    + "\"default\":[]},"
                    + "{\"name\":\"score\",\"type\":\"double\"},"
                    + "{\"name\":\"eventTs\",\"type\":\"long\"},"
                    + "{\"name\":\"scoredTs\",\"type\":\"long\"}]}";

    private static final String ANOMALY_BEFORE_SERIES =
            "{\"type\":\"record\",\"name\":\"Anomaly\",\"namespace\":\"io.streamdl.schemas.avro\","
                    + "\"fields\":[{\"name\":\"eventId\",\"type\":\"string\"},"
                    + "{\"name\":\"model\",\"type\":\"string\"},"
                    + "{\"name\":\"modelVersion\",\"type\":\"long\",\"default\":0},"
                    + "{\"name\":\"score\",\"type\":\"double\"},"
                    + "{\"name\":\"threshold\",\"type\":\"double\"},"
                    + "{\"name\":\"ts\",\"type\":\"long\"}]}";

    @Test
    void scoresAndAnomaliesWrittenBeforeTheSeriesFieldStillRead() {
        GenericRecord oldScore =
                new GenericData.Record(new Schema.Parser().parse(SCORE_BEFORE_SERIES));
        oldScore.put("eventId", "e1");
        oldScore.put("model", "anomaly");
        oldScore.put("modelVersion", 3L);
        oldScore.put("label", null);
        oldScore.put("probabilities", java.util.List.of());
        oldScore.put("score", 0.5);
        oldScore.put("eventTs", 1L);
        oldScore.put("scoredTs", 2L);
        Score score =
                AvroWireDeserializer.specific(registry, Score.class)
                        .deserialize(
                                "scores.anomaly", serializer.serialize("scores.anomaly", oldScore));
        assertThat(score.getSeries()).isNull();
        assertThat(score.getEventId()).isEqualTo("e1");
        assertThat(score.getScore()).isEqualTo(0.5);

        GenericRecord oldAnomaly =
                new GenericData.Record(new Schema.Parser().parse(ANOMALY_BEFORE_SERIES));
        oldAnomaly.put("eventId", "e1");
        oldAnomaly.put("model", "anomaly");
        oldAnomaly.put("modelVersion", 3L);
        oldAnomaly.put("score", 9.0);
        oldAnomaly.put("threshold", 2.0);
        oldAnomaly.put("ts", 1L);
        Anomaly anomaly =
                AvroWireDeserializer.specific(registry, Anomaly.class)
                        .deserialize("anomalies", serializer.serialize("anomalies", oldAnomaly));
        assertThat(anomaly)
                .isEqualTo(
                        Anomaly.newBuilder()
                                .setEventId("e1")
                                .setModel("anomaly")
                                .setModelVersion(3L)
                                .setScore(9.0)
                                .setThreshold(2.0)
                                .setSeries(null)
                                .setTs(1L)
                                .build());
    }

    @Test
    void rawEventsWrittenBeforeMetricPayloadsExistedStillRead() {
        // RawEvent as it was before the MetricPayload branch was added to its payload union
        Schema payloads =
                Schema.createUnion(
                        io.streamdl.schemas.avro.ImagePayload.getClassSchema(),
                        io.streamdl.schemas.avro.AudioPayload.getClassSchema(),
                        io.streamdl.schemas.avro.TextPayload.getClassSchema());
        Schema before =
                SchemaBuilder.record("RawEvent")
                        .namespace("io.streamdl.schemas.avro")
                        .fields()
                        .requiredString("id")
                        .requiredLong("ts")
                        .requiredString("source")
                        .name("payload")
                        .type(payloads)
                        .noDefault()
                        .name("attributes")
                        .type()
                        .map()
                        .values()
                        .stringType()
                        .mapDefault(Map.of())
                        .endRecord();
        GenericRecord text =
                new GenericData.Record(io.streamdl.schemas.avro.TextPayload.getClassSchema());
        text.put("text", "an old event");
        text.put("language", null);
        GenericRecord old = new GenericData.Record(before);
        old.put("id", "old-1");
        old.put("ts", 7L);
        old.put("source", "before");
        old.put("payload", text);
        old.put("attributes", Map.of());
        RawEvent read =
                AvroWireDeserializer.specific(registry, RawEvent.class)
                        .deserialize("events.raw", serializer.serialize("events.raw", old));
        assertThat(read.getId()).isEqualTo("old-1");
        assertThat(read.getPayload())
                .isEqualTo(new io.streamdl.schemas.avro.TextPayload("an old event", null));
        // the registry's BACKWARD rule accepts the new schema after the old one
        assertThat(
                        org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(
                                        RawEvent.getClassSchema(), before)
                                .getType())
                .isEqualTo(org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void badInputRaisesTypedErrorsNamingWhereAndWhy() {
        AvroWireDeserializer<RawEvent> reader =
                AvroWireDeserializer.specific(registry, RawEvent.class);
        byte[] good = serializer.serialize("events.raw", SampleRecords.imageEvent("x", 100));

        assertRefused(
                () -> reader.deserialize("events.raw", 3, 77L, "{\"id\":1}".getBytes()),
                Reason.NO_MAGIC_BYTE,
                3,
                77L);
        assertRefused(
                () -> reader.deserialize("events.raw", 0, 1L, new byte[0]),
                Reason.NO_MAGIC_BYTE,
                0,
                1L);
        assertRefused(
                () -> reader.deserialize("events.raw", 0, 2L, new byte[] {0, 0, 1}),
                Reason.TRUNCATED,
                0,
                2L);
        assertRefused(
                () ->
                        reader.deserialize(
                                "events.raw", 1, 3L, Arrays.copyOf(good, good.length - 10)),
                Reason.TRUNCATED,
                1,
                3L);

        byte[] unknownId = good.clone();
        unknownId[4] = 99;
        assertRefused(
                () -> reader.deserialize("events.raw", 2, 4L, unknownId),
                Reason.UNKNOWN_SCHEMA_ID,
                2,
                4L);

        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertRefused(
                () -> reader.deserialize("events.raw", 0, 5L, trailing),
                Reason.TRAILING_BYTES,
                0,
                5L);

        byte[] negativeLength = good.clone();
        negativeLength[5] = 0x01; // zig-zag -1 as the length of the id string
        assertRefused(
                () -> reader.deserialize("events.raw", 0, 6L, negativeLength),
                Reason.MALFORMED_AVRO,
                0,
                6L);

        byte[] label = serializer.serialize("events.raw", new Label("e", "l", 1L));
        assertRefused(
                () -> reader.deserialize("events.raw", 0, 7L, label),
                Reason.INCOMPATIBLE_SCHEMA,
                0,
                7L);

        GenericRecord incomplete = new GenericData.Record(Label.getClassSchema());
        incomplete.put("eventId", "e");
        assertThatThrownBy(() -> serializer.serialize("events.labels", incomplete))
                .isInstanceOfSatisfying(
                        SerdeException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(Reason.RECORD_SCHEMA_MISMATCH);
                            assertThat(e.getMessage()).contains("events.labels").contains("Label");
                        });
        assertThatThrownBy(() -> serializer.serialize("events.labels", "plain string"))
                .isInstanceOfSatisfying(
                        SerdeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_AVRO));
    }

    @Test
    void afterWarmUpNoRegistryCallIsMade() {
        AvroWireDeserializer<RawEvent> reader =
                AvroWireDeserializer.specific(registry, RawEvent.class);
        RawEvent event = SampleRecords.imageEvent("warm", 3000);
        reader.deserialize("events.raw", serializer.serialize("events.raw", event));
        int warm = registry.calls();
        for (int i = 0; i < 1000; i++) {
            assertThat(reader.deserialize("events.raw", serializer.serialize("events.raw", event)))
                    .isEqualTo(event);
        }
        assertThat(registry.calls()).isEqualTo(warm);
    }

    @Test
    void kafkaStreamsSerdeRoundTrips() {
        Serde<Label> serde = WireSerde.specific(registry, config, Label.class);
        Label label = new Label("e9", "2", 3L);
        assertThat(
                        serde.deserializer()
                                .deserialize("lbl", serde.serializer().serialize("lbl", label)))
                .isEqualTo(label);
    }

    private static void assertRefused(Runnable call, Reason reason, int partition, long offset) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        SerdeException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.topic()).isEqualTo("events.raw");
                            assertThat(e.partition()).isEqualTo(partition);
                            assertThat(e.offset()).isEqualTo(offset);
                            assertThat(e.getMessage())
                                    .contains(reason.name())
                                    .contains("events.raw")
                                    .contains("partition " + partition)
                                    .contains("offset " + offset);
                        });
    }
}
