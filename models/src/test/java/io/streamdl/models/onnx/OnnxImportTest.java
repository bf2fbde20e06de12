package io.streamdl.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ModelUpdateDigest;
import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.codec.ModelUpdateSigner;
import io.streamdl.models.codec.VerifiedUpdate;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ImportedParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingForeignOnnx;
import io.streamdl.models.testing.TestingForeignOnnx.Classifier;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Importing classifiers that Debian's python3-onnx wrote ({@link TestingForeignOnnx}): the update
 * verifies and ONNX Runtime serves it exactly as numpy computes it, and every way it can be wrong
 * is refused in one line. The image encoder is not on this module's class path, so the inputs are
 * the script's; the scoring module's test serves real encoded images.
 */
class OnnxImportTest {
    private static final byte[] KEY =
            "a-test-key-of-32-bytes-length!!!".getBytes(StandardCharsets.UTF_8);
    private static final ModelUpdateCodec CODEC =
            new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY));
    private static final List<String> LABELS = DefaultSpecs.FASHION_MNIST_LABELS;

    @TempDir static Path dir;

    private static Classifier classifier;
    private static Classifier wide;

    @BeforeAll
    static void makeModels() throws Exception {
        classifier = TestingForeignOnnx.make(Files.createDirectory(dir.resolve("28")));
        wide = TestingForeignOnnx.make(Files.createDirectory(dir.resolve("32")), 32, 10, null);
    }

    private static ModelUpdate imported(long version) {
        return OnnxImport.build(
                "image",
                classifier.onnx(),
                "image",
                LABELS,
                version,
                version - 1,
                Map.of("accuracy", 0.5),
                CODEC);
    }

    @Test
    void aForeignClassifierVerifiesAndScoresAsNumpyComputesIt() {
        ModelUpdate update = imported(3);

        assertThat(update.getFormat()).isEqualTo(ModelUpdateCodec.FORMAT_ONNX);
        assertThat(ModelUpdateCodec.isServeOnly(update)).isTrue();
        assertThat(update.getParams().remaining()).isZero();
        assertThat(bytes(update.getOnnx())).isEqualTo(classifier.onnx());
        assertThat(update.getSignature()).isNotEmpty();

        // it can replace the catalogue's image model: same inputs, output size and labels
        VerifiedUpdate verified = CODEC.verify(update, DefaultSpecs.image());
        assertThat(verified.isServeOnly()).isTrue();
        assertThat(verified.signatureVerified()).isTrue();
        assertThat(verified.params()).isEmpty();
        assertThat(verified.parentVersion()).hasValue(2L);
        assertThat(verified.metrics()).containsEntry("accuracy", 0.5);
        ModelSpec spec = verified.spec();
        assertThat(spec.kind()).isEqualTo(ArchitectureKind.IMPORTED);
        assertThat(spec.inputs()).isEqualTo(DefaultSpecs.image().inputs());
        assertThat(spec.params())
                .isEqualTo(
                        new ImportedParams(
                                List.of(TestingForeignOnnx.INPUT), TestingForeignOnnx.OUTPUT));

        int n = classifier.count();
        assertThat(n).isGreaterThanOrEqualTo(2);
        Batch batch =
                Batch.of("input", Tensor.ofFloats(new long[] {n, 1, 28, 28}, classifier.inputs()));
        try (OnnxRuntimeBackend backend =
                verified.openOnnxRuntime(OnnxRuntimeBackend.Config.defaults())) {
            Tensor out = backend.infer(batch);
            assertThat(out.shape()).containsExactly(n, 10);
            for (int i = 0; i < n; i++) {
                float[] want = classifier.expected(i);
                float[] got = out.row(i);
                for (int c = 0; c < 10; c++) {
                    assertThat((double) Math.abs(got[c] - want[c]))
                            .as(
                                    "image %d class %d: onnxruntime %s, numpy %s",
                                    i, c, got[c], want[c])
                            .isLessThan(1e-5);
                }
            }
            // random inputs give different class probabilities: the rows are not all alike
            assertThat(Arrays.equals(out.row(0), out.row(1))).isFalse();
            assertThat(backend.inferAll(batch)).containsOnlyKeys(TestingForeignOnnx.OUTPUT);
        }
    }

    @Test
    void theSpecAloneIsWhatTheUpdateCarries() {
        ModelSpec dryRun = OnnxImport.spec("image", classifier.onnx(), "image", LABELS);

        assertThat(dryRun.toJson()).isEqualTo(imported(1).getArchitecture());
        assertThat(ModelSpec.fromJson(dryRun.toJson())).isEqualTo(dryRun);
    }

    @Test
    void refusesAGraphTakingAnotherImageSize() {
        assertRefused(
                () -> OnnxImport.build("image", wide.onnx(), "image", LABELS, 1, null, null, CODEC),
                Reason.SHAPE_MISMATCH,
                "input 'pixels' is float[N,1,32,32] but encoder image gives float[N,1,28,28]"
                        + " (as 'input')");
        assertRefused(
                () ->
                        OnnxImport.build(
                                "text", classifier.onnx(), "text", LABELS, 1, null, null, CODEC),
                Reason.SHAPE_MISMATCH,
                "the graph takes 1 input ['pixels' float[N,1,28,28]] but encoder text gives 2");
    }

    @Test
    void refusesAnOutputWidthOtherThanTheLabels() {
        assertRefused(
                () ->
                        OnnxImport.build(
                                "image",
                                classifier.onnx(),
                                "image",
                                LABELS.subList(0, 9),
                                1,
                                null,
                                null,
                                CODEC),
                Reason.SHAPE_MISMATCH,
                "output 'class_probs' is float[N,10] but 9 labels need float[N,9]");
        assertRefused(
                () ->
                        OnnxImport.build(
                                "image",
                                classifier.onnx(),
                                "image",
                                List.of(),
                                1,
                                null,
                                null,
                                CODEC),
                Reason.SHAPE_MISMATCH,
                "output 'class_probs' is float[N,10] but a model without labels gives one score"
                        + " per event: float[N,1]");
    }

    @Test
    void refusesBytesThatAreNotAnOnnxModel() {
        byte[] onnx = classifier.onnx();
        for (byte[] corrupt :
                List.of(
                        Arrays.copyOf(onnx, onnx.length / 2),
                        "this is a text file, not a model\n".getBytes(StandardCharsets.UTF_8),
                        new byte[0])) {
            assertRefused(
                    () -> OnnxImport.build("image", corrupt, "image", LABELS, 1, null, null, CODEC),
                    Reason.CORRUPT_ONNX,
                    "not an ONNX model: ");
        }
    }

    @Test
    void refusesAnEncoderWithoutTensorsAndAnInvalidModelName() {
        assertRefused(
                () ->
                        OnnxImport.build(
                                "image", classifier.onnx(), "recs", LABELS, 1, null, null, CODEC),
                Reason.INVALID_SPEC,
                "encoder 'recs' has no default inputs");
        assertRefused(
                () ->
                        OnnxImport.build(
                                "My Model",
                                classifier.onnx(),
                                "image",
                                LABELS,
                                1,
                                null,
                                null,
                                CODEC),
                Reason.INVALID_SPEC,
                "model name 'My Model' must match");
    }

    @Test
    void refusesATamperedUpdate() {
        ModelUpdate update = imported(4);
        byte[] onnx = bytes(update.getOnnx());
        onnx[onnx.length - 1] ^= 1;

        assertVerifyRefuses(
                ModelUpdate.newBuilder(update).setOnnx(ByteBuffer.wrap(onnx)).build(),
                Reason.CHECKSUM_MISMATCH);
        assertVerifyRefuses(
                ModelUpdate.newBuilder(update).setVersion(5).build(), Reason.CHECKSUM_MISMATCH);
        assertVerifyRefuses(
                ModelUpdate.newBuilder(update).setFormat(ModelUpdateCodec.FORMAT).build(),
                Reason.CHECKSUM_MISMATCH);
        // a checksum recomputed without the key no longer matches the signature
        ModelUpdate.Builder altered = ModelUpdate.newBuilder(update).setOnnx(ByteBuffer.wrap(onnx));
        assertVerifyRefuses(
                altered.setSha256(ModelUpdateDigest.sha256Hex(altered.build())).build(),
                Reason.BAD_SIGNATURE);
        assertVerifyRefuses(
                ModelUpdate.newBuilder(update).setSignature(null).build(),
                Reason.MISSING_SIGNATURE);
    }

    @Test
    void theVerifierChecksTheGraphAgainstTheSpecEvenWhenSignedWithTheKey() {
        ModelUpdate update = imported(6);

        // a forger holding the key: the 32x32 graph under the 28x28 spec
        assertVerifyRefuses(
                resign(ModelUpdate.newBuilder(update).setOnnx(ByteBuffer.wrap(wide.onnx()))),
                Reason.SHAPE_MISMATCH,
                "input 'pixels' is float[N,1,32,32] but the spec gives float[N,1,28,28]");
        assertVerifyRefuses(
                resign(
                        ModelUpdate.newBuilder(update)
                                .setArchitecture(
                                        update.getArchitecture()
                                                .replace("\"class_probs\"", "\"probs\""))),
                Reason.SHAPE_MISMATCH,
                "the graph has no output 'probs'; it gives ['class_probs' float[N,10]]");
        assertVerifyRefuses(
                resign(ModelUpdate.newBuilder(update).setParams(ByteBuffer.allocate(8))),
                Reason.SHAPE_MISMATCH,
                "format 'onnx' carries no parameters, got 8 bytes");
        assertVerifyRefuses(
                resign(ModelUpdate.newBuilder(update).setFormat(ModelUpdateCodec.FORMAT)),
                Reason.SPEC_MISMATCH,
                "a spec of kind IMPORTED comes only in format 'onnx'");
        assertVerifyRefuses(
                resign(
                        ModelUpdate.newBuilder(update)
                                .setArchitecture(DefaultSpecs.image().toJson())),
                Reason.SPEC_MISMATCH,
                "needs a spec of kind IMPORTED, got IMAGE_CNN");
    }

    @Test
    void isNeverUnpackedIntoADl4jNetwork() {
        assertRefused(
                () -> CODEC.decode(imported(2)),
                Reason.SERVE_ONLY,
                "has no DL4J parameters to build a network from");
    }

    @Test
    void theCodecRefusesToSignAGraphThatDoesNotFitTheSpec() {
        ModelSpec spec = OnnxImport.spec("image", classifier.onnx(), "image", LABELS);

        assertRefused(
                () -> CODEC.encodeImported(spec, wide.onnx(), 1, null, Map.of()),
                Reason.SHAPE_MISMATCH,
                "input 'pixels' is float[N,1,32,32]");
        assertRefused(
                () ->
                        CODEC.encodeImported(
                                DefaultSpecs.image(), classifier.onnx(), 1, null, Map.of()),
                Reason.SPEC_MISMATCH,
                "needs a spec of kind IMPORTED");
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static ModelUpdate resign(ModelUpdate.Builder b) {
        String sha = ModelUpdateDigest.sha256Hex(b.build());
        return b.setSha256(sha).setSignature(new ModelUpdateSigner(KEY).sign(sha)).build();
    }

    private static void assertVerifyRefuses(ModelUpdate u, Reason reason) {
        assertRefused(() -> CODEC.verify(u), reason, "");
    }

    private static void assertVerifyRefuses(ModelUpdate u, Reason reason, String detail) {
        assertRefused(() -> CODEC.verify(u), reason, detail);
    }

    private static void assertRefused(ThrowingCallable call, Reason reason, String detail) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage())
                                    .startsWith(reason.name() + ": model '")
                                    .contains(detail)
                                    .doesNotContain("\n");
                        });
    }
}
