package io.streamdl.schemas.testing;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.avro.TextPayload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every record the pipeline exchanges, for round-trip tests. */
public final class SampleRecords {
    private SampleRecords() {}

    public static RawEvent imageEvent(String id, int payloadBytes) {
        byte[] png = new byte[payloadBytes];
        new Random(id.hashCode()).nextBytes(png);
        return RawEvent.newBuilder()
                .setId(id)
                .setTs(1_764_000_000_000L)
                .setSource("fashion-mnist")
                .setPayload(
                        ImagePayload.newBuilder()
                                .setContentType("image/png")
                                .setWidth(28)
                                .setHeight(28)
                                .setData(ByteBuffer.wrap(png))
                                .build())
                .setAttributes(Map.of("split", "train"))
                .build();
    }

    public static List<SpecificRecord> all() {
        return List.of(
                imageEvent("img-1", 64),
                RawEvent.newBuilder()
                        .setId("aud-1")
                        .setTs(2L)
                        .setSource("keywords")
                        .setPayload(
                                new AudioPayload(
                                        "audio/wav", ByteBuffer.wrap(new byte[] {82, 73, 70, 70})))
                        .setAttributes(Map.of())
                        .build(),
                RawEvent.newBuilder()
                        .setId("txt-1")
                        .setTs(3L)
                        .setSource("debian")
                        .setPayload(new TextPayload("a text editor – with ünïcode", "en"))
                        .setAttributes(Map.of("package", "nano"))
                        .build(),
                RawEvent.newBuilder()
                        .setId("met-1")
                        .setTs(1_700_000_000_000L)
                        .setSource("nab")
                        .setPayload(
                                new io.streamdl.schemas.avro.MetricPayload(
                                        "machine_temperature", 73.97, List.of()))
                        .setAttributes(Map.of())
                        .build(),
                new Label("img-1", "7", 4L),
                Features.newBuilder()
                        .setEventId("img-1")
                        .setTs(5L)
                        .setEncodedBy("image@1")
                        .setDtype("float32")
                        .setShape(List.of(1, 28, 28))
                        .setData(ByteBuffer.wrap(new byte[] {0, 0, -128, 63}))
                        .setMask(null)
                        .build(),
                ModelUpdate.newBuilder()
                        .setModel("image")
                        .setVersion(2L)
                        .setParentVersion(1L)
                        .setArchitecture("{\"type\":\"cnn\"}")
                        .setFormat("dl4j-params+onnx")
                        .setOnnx(ByteBuffer.wrap(new byte[] {8, 7}))
                        .setParams(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                        .setSha256("ab".repeat(32))
                        .setSignature("cd".repeat(32))
                        .setMetrics(Map.of("accuracy", 0.91))
                        .setCreatedTs(6L)
                        .build(),
                Score.newBuilder()
                        .setEventId("img-1")
                        .setModel("image")
                        .setModelVersion(2L)
                        .setLabel("7")
                        .setProbabilities(List.of(0.1f, 0.9f))
                        .setScore(0.9)
                        .setEventTs(5L)
                        .setScoredTs(7L)
                        .setSeries("cpu.host-1")
                        .build(),
                new Interaction("u1", "item-9", "click", 8L),
                Recommendation.newBuilder()
                        .setUserId("u1")
                        .setItems(
                                List.of(
                                        new RecommendedItem("item-9", 0.8),
                                        new RecommendedItem("item-3", 0.5)))
                        .setModelVersion(3L)
                        .setTs(9L)
                        .build(),
                Anomaly.newBuilder()
                        .setEventId("aud-1")
                        .setModel("anomaly")
                        .setModelVersion(4L)
                        .setScore(3.5)
                        .setThreshold(2.0)
                        .setSeries("cpu.host-1")
                        .setTs(10L)
                        .build(),
                DeadLetter.newBuilder()
                        .setSourceTopic("events.raw")
                        .setPartition(0)
                        .setOffset(42L)
                        .setStage("decode")
                        .setError("NO_MAGIC_BYTE")
                        .setMessage("first byte is 0x7b")
                        .setKey(ByteBuffer.wrap("k".getBytes(StandardCharsets.UTF_8)))
                        .setValue(ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)))
                        .setTs(11L)
                        .build(),
                DashboardMetric.newBuilder()
                        .setMetric("latency")
                        .setModel("image")
                        .setWindowStart(0L)
                        .setWindowEnd(1000L)
                        .setCount(12L)
                        .setValue(3.0)
                        .setP50(2.0)
                        .setP95(5.0)
                        .setP99(9.0)
                        .setModelVersion(2L)
                        .setTs(12L)
                        .build());
    }
}
