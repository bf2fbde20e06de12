package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.testing.TestingGraphs;
import io.streamdl.schemas.flink.testing.TestingRecords;
import io.streamdl.schemas.flink.testing.TestingSink;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ScoreJob on a local MiniCluster (two scorer instances): bounded sources of wire-format
 * features and of one signed update made by {@link ModelUpdateCodec}, verified by {@link
 * CodecVerifier}, served by ONNX Runtime. Features that arrive before the model is built are held
 * and released by the swap; the job can end only after the update has reached every scorer (both
 * inputs ended), and each scorer's {@code finish()} waits for its build, so nothing stays held.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ScoreJobTest {
    private static final byte[] KEY =
            "a-test-hmac-key-of-32-bytes-long".getBytes(StandardCharsets.US_ASCII);

    /** Never contacted: every operator gets {@link #REGISTRY} from {@link #IN_MEMORY}. */
    private static final String REGISTRY_URL = "http://registry.invalid";

    /** A small image CNN: its session builds in well under a second. */
    private static final ModelSpec SPEC =
            new ModelSpec(
                    ModelSpec.CURRENT_SPEC_VERSION,
                    "tiny",
                    ArchitectureKind.IMAGE_CNN,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 1, 12, 12)),
                    3,
                    List.of("circle", "square", "line"),
                    new ImageCnnParams(4, 8, 3, 16, false, 0.0),
                    7L,
                    1e-3);

    private static final long VERSION = 7L;
    private static final String FEATURES_TOPIC = Topics.features("image").name();
    private static final String MODELS_TOPIC = Topics.models(SPEC.name()).name();

    /** Shared by the test, which writes with it, and by the tasks, which run in this JVM. */
    private static final TestingSchemaRegistryClient REGISTRY = new TestingSchemaRegistryClient();

    private static final RegistryClientFactory IN_MEMORY = config -> REGISTRY;

    private static final AvroWireSerializer<Object> WRITER =
            new AvroWireSerializer<>(REGISTRY, SerdeConfig.forValues(REGISTRY_URL));

    private final String run = UUID.randomUUID().toString();
    private final Random random = new Random(5);
    private final List<RawRecord> inputs = new ArrayList<>();

    /** The dead-letter reason of each bad input, by offset. */
    private final Map<Long, String> refusedAt = new LinkedHashMap<>();

    private final List<String> goodIds = new ArrayList<>();

    @AfterEach
    void dropCollected() {
        TestingSink.drop(run);
    }

    private static ScoreJobConfig config() {
        return ScoreJobConfig.of(SPEC.name(), "image", REGISTRY_URL, Map.of());
    }

    /** Features that fit {@link #SPEC}: shape [1, 12, 12], 144 finite float32 values. */
    private Features fitting(String id) {
        ByteBuffer data = ByteBuffer.allocate(144 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 144; i++) {
            data.putFloat(random.nextFloat());
        }
        return Features.newBuilder()
                .setEventId(id)
                .setTs(100L + inputs.size())
                .setEncodedBy("image@test")
                .setDtype("float32")
                .setShape(List.of(1, 12, 12))
                .setData(ByteBuffer.wrap(data.array()))
                .build();
    }

    private long add(byte[] value) {
        long offset = inputs.size();
        inputs.add(new RawRecord(FEATURES_TOPIC, 0, offset, 0L, null, value));
        return offset;
    }

    private void good(String id) {
        add(WRITER.serialize(FEATURES_TOPIC, fitting(id)));
        goodIds.add(id);
    }

    private void bad(Features features, String reason) {
        refusedAt.put(add(WRITER.serialize(FEATURES_TOPIC, features)), reason);
    }

    private static ModelUpdate signedUpdate() {
        return new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY))
                .encode(SPEC, Architectures.build(SPEC), VERSION, null, Map.of());
    }

    @Test
    void everyGoodEventIsScoredOnceByTheUpdateAndEveryBadOneIsDeadLettered() throws Exception {
        for (int i = 0; i < 30; i++) {
            good("e" + i);
        }
        Features shortData = fitting("short-data");
        shortData.setData(ByteBuffer.allocate(12));
        bad(shortData, "DATA_LENGTH_MISMATCH");
        Features nan = fitting("nan");
        ByteBuffer nanData = ByteBuffer.allocate(144 * 4).order(ByteOrder.LITTLE_ENDIAN);
        nanData.putFloat(17 * 4, Float.NaN);
        nan.setData(nanData);
        bad(nan, "NON_FINITE_VALUE");
        Features negative = fitting("negative-shape");
        negative.setShape(List.of(-1, 12, 12));
        bad(negative, "INVALID_SHAPE");
        bad(fitting(""), "MISSING_EVENT_ID");
        for (int i = 30; i < 40; i++) {
            good("e" + i);
        }
        refusedAt.put(add(null), "EMPTY_VALUE");
        refusedAt.put(add("not wire format".getBytes(StandardCharsets.UTF_8)), "NO_MAGIC_BYTE");

        RawRecord update =
                new RawRecord(
                        MODELS_TOPIC,
                        0,
                        0L,
                        0L,
                        null,
                        WRITER.serialize(MODELS_TOPIC, signedUpdate()));
        TestingSink<Score> scoreSink = new TestingSink<>(run, "scores");
        TestingSink<DeadLetter> deadLetterSink = new TestingSink<>(run, "dlq");
        ScoreJob job =
                new ScoreJob(
                        config(),
                        IN_MEMORY,
                        TestingRecords.source(inputs),
                        TestingRecords.source(List.of(update)),
                        scoreSink,
                        deadLetterSink,
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of()));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        job.build(env);
        env.execute(job.name()); // returns once both bounded sources are read and all is scored

        List<Score> scores = scoreSink.received();
        assertThat(scores)
                .as("every good event scored exactly once, no other")
                .extracting(Score::getEventId)
                .containsExactlyInAnyOrderElementsOf(goodIds);
        for (Score s : scores) {
            assertThat(s.getModelVersion()).as(s.getEventId()).isEqualTo(VERSION);
            assertThat(s.getModel()).isEqualTo(SPEC.name());
            assertThat(s.getProbabilities()).hasSize(3);
            assertThat(s.getProbabilities().stream().mapToDouble(Float::doubleValue).sum())
                    .isCloseTo(1.0, within(1e-4));
            assertThat(SPEC.labels()).contains(s.getLabel());
        }

        List<DeadLetter> dead = deadLetterSink.received();
        assertThat(dead)
                .as("one dead letter per bad input, none for the update")
                .extracting(DeadLetter::getOffset)
                .containsExactlyInAnyOrderElementsOf(refusedAt.keySet());
        for (DeadLetter d : dead) {
            String reason = refusedAt.get(d.getOffset());
            assertThat(d.getError()).as("reason at offset " + d.getOffset()).isEqualTo(reason);
            boolean decoded = !reason.equals("EMPTY_VALUE") && !reason.equals("NO_MAGIC_BYTE");
            assertThat(d.getStage())
                    .as("stage at offset " + d.getOffset())
                    .isEqualTo(decoded ? "score" : "decode");
            assertThat(d.getSourceTopic()).isEqualTo(FEATURES_TOPIC);
            assertThat(d.getPartition()).isZero();
            RawRecord input = inputs.get((int) d.getOffset());
            assertThat(d.getValue())
                    .as("the input's bytes, for a replay")
                    .isEqualTo(input.value == null ? null : ByteBuffer.wrap(input.value));
        }

        assertThat(scores.size() + dead.size())
                .as("scores + dead letters = inputs")
                .isEqualTo(inputs.size());
    }

    @Test
    void everyOperatorHasANameAndAUid() {
        StreamExecutionEnvironment onKafka = StreamExecutionEnvironment.getExecutionEnvironment();
        ScoreJob.onKafka(
                        KafkaSettings.of("127.0.0.1:1", "http://127.0.0.1:1", "score"),
                        config(),
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of()))
                .build(onKafka);
        TestingGraphs.assertNamedWithUids(
                onKafka.getStreamGraph(),
                "Source: features.image",
                "Source: models.tiny",
                "verify model updates",
                "decode and micro-batch score",
                "scores.tiny: Writer",
                "dlq: Writer");

        StreamExecutionEnvironment inTests = StreamExecutionEnvironment.getExecutionEnvironment();
        new ScoreJob(
                        config(),
                        IN_MEMORY,
                        TestingRecords.source(List.of()),
                        TestingRecords.source(List.of()),
                        new TestingSink<>(run, "scores"),
                        new TestingSink<>(run, "dlq"),
                        new CodecVerifier(KEY, false),
                        ModelLoader.onnxRuntime(Map.of()))
                .build(inTests);
        TestingGraphs.assertNamedWithUids(
                inTests.getStreamGraph(),
                "Source: features.image",
                "Source: models.tiny",
                "verify model updates",
                "decode and micro-batch score",
                "scores.tiny: Writer",
                "dlq: Writer");
    }
}
