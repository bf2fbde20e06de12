package io.streamdl.models.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.testing.TestingData;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelUpdateVerifierTest {
    private static final ModelUpdateSigner SIGNER = new ModelUpdateSigner(LegacyUpdate.KEY);
    private static final ModelUpdateVerifier VERIFIER = new ModelUpdateVerifier(SIGNER, false);

    @Test
    void verifiesAnUpdateWrittenByThePreSplitCodec() {
        ModelUpdate legacy = LegacyUpdate.read();

        VerifiedUpdate verified = VERIFIER.verify(legacy, LegacyUpdate.TINY);

        assertThat(verified.spec()).isEqualTo(LegacyUpdate.TINY);
        assertThat(verified.version()).isEqualTo(LegacyUpdate.VERSION);
        assertThat(verified.parentVersion()).hasValue(LegacyUpdate.PARENT_VERSION);
        assertThat(verified.sha256()).isEqualTo(LegacyUpdate.SHA256);
        assertThat(verified.signatureVerified()).isTrue();
        assertThat(verified.metrics()).containsEntry("loss", 0.5);
        assertThat(verified.createdTs()).isEqualTo(LegacyUpdate.CREATED_TS);
        assertThat(verified.params()).containsExactly(ParamsCodec.toFloats(legacy.getParams()));
        assertThat(verified.onnx()).isEqualTo(ModelUpdateDigest.bytes(legacy.getOnnx()));
    }

    @Test
    void itsOnnxModelScoresLikeTheNetworkItsParametersBuild() {
        VerifiedUpdate verified = VERIFIER.verify(LegacyUpdate.read(), null);
        VerifiedModel unpacked =
                new ModelUpdateCodec(ModelUpdateCodec.Config.signed(LegacyUpdate.KEY))
                        .unpack(verified);
        Batch batch = TestingData.randomBatch(LegacyUpdate.TINY, 8, 3);

        try (OnnxRuntimeBackend onnx =
                        verified.openOnnxRuntime(OnnxRuntimeBackend.Config.defaults());
                Dl4jBackend dl4j = unpacked.openDl4j()) {
            Tensor expected = dl4j.infer(batch);
            float[] actual = onnx.infer(batch).floats();
            assertThat(actual).hasSameSizeAs(expected.floats());
            for (int i = 0; i < actual.length; i++) {
                assertThat((double) Math.abs(actual[i] - expected.floats()[i])).isLessThan(1e-5);
            }
        }
    }

    @Test
    void returnsCopiesSoTheVerifiedContentCannotBeAltered() {
        VerifiedUpdate verified = VERIFIER.verify(LegacyUpdate.read(), null);
        float first = verified.params()[0];
        byte firstOnnx = verified.onnx()[0];

        verified.params()[0] = Float.NaN;
        verified.onnx()[0] ^= 1;

        assertThat(verified.params()[0]).isEqualTo(first);
        assertThat(verified.onnx()[0]).isEqualTo(firstOnnx);
    }

    @Test
    void refusesToRequireSignaturesWithoutAKeyToCheckThem() {
        assertThatThrownBy(() -> new ModelUpdateVerifier(null, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutAKeyAcceptsSignedAndUnsignedUpdatesAsUnverified() {
        ModelUpdateVerifier keyless = new ModelUpdateVerifier(null, true);
        ModelUpdate legacy = LegacyUpdate.read();
        ModelUpdate unsigned = ModelUpdate.newBuilder(legacy).setSignature(null).build();

        assertThat(keyless.verify(legacy, null).signatureVerified()).isFalse();
        assertThat(keyless.verify(unsigned, null).signatureVerified()).isFalse();
    }

    @Test
    void withAKeyChecksAPresentSignatureEvenWhenUnsignedUpdatesAreAllowed() {
        ModelUpdateVerifier lenient = new ModelUpdateVerifier(SIGNER, true);
        ModelUpdate legacy = LegacyUpdate.read();
        ModelUpdate empty = ModelUpdate.newBuilder(legacy).setSignature("").build();
        ModelUpdate forged =
                ModelUpdate.newBuilder(legacy)
                        .setSignature(
                                new ModelUpdateSigner(
                                                "another-key-also-32-bytes-long!!".getBytes(UTF_8))
                                        .sign(LegacyUpdate.SHA256))
                        .build();

        assertThat(lenient.verify(empty, null).signatureVerified()).isFalse();
        assertRejected(lenient, forged, Reason.BAD_SIGNATURE);
        assertRejected(VERIFIER, empty, Reason.MISSING_SIGNATURE);
    }

    @Test
    void checksTheFormatBeforeTheChecksumAndTheChecksumBeforeTheSignature() {
        ModelUpdate legacy = LegacyUpdate.read();

        assertRejected(
                VERIFIER,
                ModelUpdate.newBuilder(legacy).setFormat("pytorch").setSha256("00").build(),
                Reason.UNSUPPORTED_FORMAT);
        assertRejected(
                VERIFIER,
                ModelUpdate.newBuilder(legacy).setVersion(4).setSignature("zz").build(),
                Reason.CHECKSUM_MISMATCH);
    }

    @Test
    void refusesAnUpdateForAnotherInterface() {
        assertThatThrownBy(() -> VERIFIER.verify(LegacyUpdate.read(), DefaultSpecs.anomaly()))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SPEC_MISMATCH));
    }

    @Test
    void namesANonFiniteWeightWithoutBuildingTheNetwork() {
        ModelUpdate legacy = LegacyUpdate.read();
        byte[] params = ModelUpdateDigest.bytes(legacy.getParams());
        // flat index 13: past encoder1's 4x3 weights, the second of its biases
        ByteBuffer.wrap(params)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(4 * 13, Float.NEGATIVE_INFINITY);
        ModelUpdate poisoned =
                resign(ModelUpdate.newBuilder(legacy).setParams(ByteBuffer.wrap(params)));

        assertThatThrownBy(() -> VERIFIER.verify(poisoned, null))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(Reason.NON_FINITE_WEIGHTS);
                            assertThat(e.getMessage())
                                    .contains("encoder1_b[1]")
                                    .contains("-Infinity");
                        });
    }

    @Test
    void refusesParametersThatAreNotWholeFloats() {
        ModelUpdate legacy = LegacyUpdate.read();
        byte[] params = ModelUpdateDigest.bytes(legacy.getParams());
        byte[] longer = Arrays.copyOf(params, params.length + 1);

        assertRejected(
                VERIFIER,
                resign(ModelUpdate.newBuilder(legacy).setParams(ByteBuffer.wrap(longer))),
                Reason.SHAPE_MISMATCH);
    }

    private static void assertRejected(ModelUpdateVerifier v, ModelUpdate u, Reason reason) {
        assertThatThrownBy(() -> v.verify(u, null))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage()).startsWith(reason.name());
                        });
    }

    /** Recomputes checksum and signature, as a forger holding the key could. */
    private static ModelUpdate resign(ModelUpdate.Builder b) {
        String sha = ModelUpdateDigest.sha256Hex(b.build());
        return b.setSha256(sha).setSignature(SIGNER.sign(sha)).build();
    }
}
