package io.streamdl.models.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import io.streamdl.schemas.avro.ModelUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelUpdateCodecTest {
    private static final byte[] KEY =
            "a-test-key-of-32-bytes-length!!!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK =
            Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
    private static final ModelUpdateCodec CODEC =
            new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY), CLOCK);
    private static final ModelUpdateSigner SIGNER = new ModelUpdateSigner(KEY);

    private static ModelSpec spec;
    private static ComputationGraph network;
    private static ModelUpdate update;

    @BeforeAll
    static void encodeOnce() {
        spec = DefaultSpecs.ncf();
        network = Architectures.build(spec);
        TestingData.randomizeWeights(network, 1, 0.1);
        update = CODEC.encode(spec, network, 7, 6L, Map.of("accuracy", 0.75));
    }

    @Test
    void roundTripsThroughAvroAndRestoresTheNetwork() throws IOException {
        ModelUpdate received = avroRoundTrip(update);

        VerifiedModel model = CODEC.decode(received, spec);

        assertThat(received.getFormat()).isEqualTo(ModelUpdateCodec.FORMAT);
        assertThat(received.getSignature()).hasSize(64);
        assertThat(received.getCreatedTs()).isEqualTo(1_700_000_000_000L);
        assertThat(model.spec()).isEqualTo(spec);
        assertThat(model.version()).isEqualTo(7);
        assertThat(model.parentVersion()).hasValue(6);
        assertThat(model.metrics()).containsEntry("accuracy", 0.75);
        assertThat(model.signatureVerified()).isTrue();
        assertThat(model.sha256()).isEqualTo(received.getSha256());
        assertThat(model.network().params()).isEqualTo(network.params());

        Batch batch = TestingData.randomBatch(spec, 20, 2);
        try (Dl4jBackend original = Dl4jBackend.create(spec, network);
                Dl4jBackend restored = model.openDl4j();
                OnnxRuntimeBackend onnx =
                        model.openOnnxRuntime(OnnxRuntimeBackend.Config.defaults())) {
            Tensor expected = original.infer(batch);
            assertThat(restored.infer(batch).floats()).containsExactly(expected.floats());
            float[] fromOnnx = onnx.infer(batch).floats();
            for (int i = 0; i < fromOnnx.length; i++) {
                assertThat((double) Math.abs(fromOnnx[i] - expected.floats()[i])).isLessThan(1e-5);
            }
        }
    }

    @Test
    void paramsAreLittleEndianFloat32OfTheNetworkParams() {
        ByteBuffer params = update.getParams().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(params.remaining()).isEqualTo(4 * network.numParams());
        assertThat(params.getFloat(0)).isEqualTo(network.params().getFloat(0));
        assertThat(params.getFloat(params.remaining() - 4))
                .isEqualTo(network.params().getFloat(network.numParams() - 1));
    }

    @Test
    void signsTheChecksumItWrites() {
        assertThat(update.getSha256()).isEqualTo(ModelUpdateDigest.sha256Hex(update));
        assertThat(update.getSignature()).isEqualTo(SIGNER.sign(update.getSha256()));
    }

    @Test
    void writesUnsignedUpdatesWithoutAKey() {
        ModelUpdate unsigned =
                new ModelUpdateCodec(ModelUpdateCodec.Config.unsigned())
                        .encode(spec, network, 7, 6L, Map.of());

        assertThat(unsigned.getSignature()).isNull();
        assertThat(unsigned.getSha256()).isEqualTo(update.getSha256());
    }

    @Test
    void verifiesAndDecodesAnUpdateWrittenByThePreSplitCodec() {
        ModelUpdate legacy = LegacyUpdate.read();

        VerifiedModel model = CODEC.decode(legacy, LegacyUpdate.TINY);

        assertThat(model.sha256()).isEqualTo(LegacyUpdate.SHA256);
        assertThat(model.signatureVerified()).isTrue();
        assertThat(model.network().params().data().asFloat())
                .containsExactly(ParamsCodec.toFloats(legacy.getParams()));
    }

    @Test
    void encodesTheLegacyUpdatesNetworkToTheSameChecksumAndSignature() {
        // the seeded spec builds the same initial weights, and the ONNX export is deterministic
        ModelUpdate again =
                CODEC.encode(
                        LegacyUpdate.TINY,
                        Architectures.build(LegacyUpdate.TINY),
                        LegacyUpdate.VERSION,
                        LegacyUpdate.PARENT_VERSION,
                        Map.of());

        assertThat(again.getSha256()).isEqualTo(LegacyUpdate.SHA256);
        assertThat(again.getSignature()).isEqualTo(LegacyUpdate.SIGNATURE);
    }

    @Test
    void verifyChecksWhatDecodeChecksAndKeepsTheOnnxBytes() {
        VerifiedUpdate verified = CODEC.verify(update, spec);
        VerifiedModel unpacked = CODEC.unpack(verified);

        assertThat(verified.sha256()).isEqualTo(update.getSha256());
        assertThat(verified.onnx()).isEqualTo(bytes(update.getOnnx()));
        assertThat(unpacked.network().params()).isEqualTo(network.params());
        assertThat(unpacked.onnx()).isEqualTo(verified.onnx());
        assertThatThrownBy(() -> CODEC.verify(update, DefaultSpecs.anomaly()))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SPEC_MISMATCH));
    }

    @Test
    void refusesAlteredParamsWithTheOldChecksum() {
        byte[] params = bytes(update.getParams());
        params[10] ^= 1;
        ModelUpdate tampered =
                ModelUpdate.newBuilder(update).setParams(ByteBuffer.wrap(params)).build();

        assertRejected(tampered, Reason.CHECKSUM_MISMATCH);
    }

    @Test
    void refusesSwappedVersionModelOrArchitecture() {
        assertRejected(
                ModelUpdate.newBuilder(update).setVersion(8).build(), Reason.CHECKSUM_MISMATCH);
        assertRejected(
                ModelUpdate.newBuilder(update).setParentVersion(null).build(),
                Reason.CHECKSUM_MISMATCH);
        assertRejected(
                ModelUpdate.newBuilder(update)
                        .setArchitecture(
                                update.getArchitecture().replace("\"seed\":42", "\"seed\":43"))
                        .build(),
                Reason.CHECKSUM_MISMATCH);
        assertRejected(
                ModelUpdate.newBuilder(update).setSha256("zz").build(), Reason.CHECKSUM_MISMATCH);
    }

    @Test
    void refusesAMissingSignatureUnlessUnsignedUpdatesAreAllowed() {
        ModelUpdate unsigned = ModelUpdate.newBuilder(update).setSignature(null).build();

        assertRejected(unsigned, Reason.MISSING_SIGNATURE);
        VerifiedModel model =
                new ModelUpdateCodec(new ModelUpdateCodec.Config(KEY, true)).decode(unsigned);
        assertThat(model.signatureVerified()).isFalse();
        assertThat(
                        new ModelUpdateCodec(ModelUpdateCodec.Config.unsigned())
                                .decode(unsigned)
                                .version())
                .isEqualTo(7);
    }

    @Test
    void refusesASignatureMadeWithAnotherKeyOrMalformed() {
        byte[] otherKey = "another-key-also-32-bytes-long!!".getBytes(StandardCharsets.UTF_8);
        ModelUpdate forged =
                ModelUpdate.newBuilder(update)
                        .setSignature(new ModelUpdateSigner(otherKey).sign(update.getSha256()))
                        .build();

        assertRejected(forged, Reason.BAD_SIGNATURE);
        assertRejected(
                ModelUpdate.newBuilder(update).setSignature("not hex!").build(),
                Reason.BAD_SIGNATURE);
        // a wrong signature is refused even where unsigned updates are allowed
        assertThatThrownBy(
                        () ->
                                new ModelUpdateCodec(new ModelUpdateCodec.Config(KEY, true))
                                        .decode(forged))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }

    @Test
    void refusesAnInvalidSpecEvenWhenSignedProperly() {
        ModelUpdate bad =
                resign(ModelUpdate.newBuilder(update).setArchitecture("{\"name\":\"recs\"}"));

        assertRejected(bad, Reason.INVALID_SPEC);
    }

    @Test
    void refusesASpecForAnotherModelOrInterface() {
        ModelUpdate renamed = resign(ModelUpdate.newBuilder(update).setModel("recs2"));
        assertRejected(renamed, Reason.SPEC_MISMATCH);

        assertThatThrownBy(() -> CODEC.decode(update, DefaultSpecs.anomaly()))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(Reason.SPEC_MISMATCH);
                            assertThat(e.getMessage()).contains("expected inputs");
                        });
    }

    @Test
    void refusesParamsOfTheWrongLength() {
        byte[] params = bytes(update.getParams());
        ModelUpdate shortened =
                resign(
                        ModelUpdate.newBuilder(update)
                                .setParams(
                                        ByteBuffer.wrap(
                                                java.util.Arrays.copyOf(
                                                        params, params.length - 4))));

        assertRejected(shortened, Reason.SHAPE_MISMATCH);
    }

    @Test
    void refusesNonFiniteWeightsNamingTheParameter() {
        byte[] params = bytes(update.getParams());
        ByteBuffer.wrap(params).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 3, Float.NaN);
        ModelUpdate poisoned =
                resign(ModelUpdate.newBuilder(update).setParams(ByteBuffer.wrap(params)));

        assertThatThrownBy(() -> CODEC.decode(poisoned))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(Reason.NON_FINITE_WEIGHTS);
                            assertThat(e.getMessage())
                                    .contains("userEmbedding_W[3]")
                                    .contains("NaN");
                        });
    }

    @Test
    void neverEncodesNonFiniteWeights() {
        ComputationGraph broken = network.clone();
        broken.params().putScalar(5, Float.POSITIVE_INFINITY);

        assertThatThrownBy(() -> CODEC.encode(spec, broken, 8, 7L, Map.of()))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NON_FINITE_WEIGHTS));
    }

    @Test
    void refusesAnotherFormat() {
        assertRejected(
                ModelUpdate.newBuilder(update).setFormat("pytorch").build(),
                Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void refusesMissingOrCorruptOnnx() {
        assertRejected(resign(ModelUpdate.newBuilder(update).setOnnx(null)), Reason.CORRUPT_ONNX);
        assertRejected(
                resign(
                        ModelUpdate.newBuilder(update)
                                .setOnnx(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))),
                Reason.CORRUPT_ONNX);
    }

    @Test
    void refusesOnnxExportedForAnotherModel() {
        ModelSpec anomaly = DefaultSpecs.anomaly();
        ModelUpdate other = CODEC.encode(anomaly, Architectures.build(anomaly), 1, null, Map.of());
        ModelUpdate swapped = resign(ModelUpdate.newBuilder(update).setOnnx(other.getOnnx()));

        assertRejected(swapped, Reason.SPEC_MISMATCH);
    }

    @Test
    void configRequiresAKeyUnlessUnsignedIsAllowedAndNeverPrintsIt() {
        assertThatThrownBy(() -> ModelUpdateCodec.Config.from(Map.of()))
                .hasMessageContaining("models.hmac.key");
        assertThatThrownBy(() -> ModelUpdateCodec.Config.from(Map.of("models.hmac.key", "short")))
                .hasMessageContaining("at least 16");
        assertThatThrownBy(
                        () -> ModelUpdateCodec.Config.from(Map.of("models.allow-unsigned", "yes")))
                .hasMessageContaining("models.allow-unsigned");
        ModelUpdateCodec.Config config =
                ModelUpdateCodec.Config.from(
                        Map.of("models.hmac.key", new String(KEY, StandardCharsets.UTF_8)));
        assertThat(config).isEqualTo(ModelUpdateCodec.Config.signed(KEY));
        assertThat(config.toString()).doesNotContain("test-key");
        assertThat(
                        ModelUpdateCodec.Config.from(Map.of("models.allow-unsigned", "true"))
                                .allowUnsigned())
                .isTrue();
    }

    private static void assertRejected(ModelUpdate u, Reason reason) {
        assertThatThrownBy(() -> CODEC.decode(u))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage()).startsWith(reason.name());
                        });
    }

    /** Recomputes checksum and signature, as a forger holding the key could. */
    private static ModelUpdate resign(ModelUpdate.Builder b) {
        String sha =
                ModelUpdateCodec.sha256Hex(
                        b.getModel(),
                        b.getVersion(),
                        b.getParentVersion(),
                        b.getArchitecture(),
                        b.getFormat(),
                        bytes(b.getParams()),
                        b.getOnnx() == null ? null : bytes(b.getOnnx()));
        return b.setSha256(sha).setSignature(SIGNER.sign(sha)).build();
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static ModelUpdate avroRoundTrip(ModelUpdate u) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ModelUpdate.class).write(u, enc);
        enc.flush();
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
        return new SpecificDatumReader<>(ModelUpdate.class).read(null, dec);
    }
}
