package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateDigest;
import io.streamdl.models.codec.ModelUpdateSigner;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Model updates as other publishers make them: a rollback's re-numbered, re-signed copy of older
 * weights, and a serve-only update (an imported ONNX model without DL4J parameters).
 */
final class TestingUpdates {

    private TestingUpdates() {}

    /**
     * What {@code models rollback} publishes: the weights of {@code of} as version {@code version},
     * its parent the rolled-back-to version, its metrics {@code of}'s plus {@code rollbackOf},
     * signed with {@code key}.
     */
    static ModelUpdate rollback(ModelUpdate of, long version, byte[] key) {
        Map<String, Double> metrics = new HashMap<>(of.getMetrics());
        metrics.put(ModelTopicFollower.ROLLBACK_OF, (double) of.getVersion());
        return copy(of, version, of.getVersion(), metrics, key);
    }

    /**
     * {@code base}'s content as version {@code version} with parent {@code parent} and {@code
     * metrics}, with its checksum computed again and signed with {@code key} (unsigned if null).
     */
    static ModelUpdate copy(
            ModelUpdate base, long version, Long parent, Map<String, Double> metrics, byte[] key) {
        ModelUpdate.Builder b =
                ModelUpdate.newBuilder(base)
                        .setVersion(version)
                        .setParentVersion(parent)
                        .setMetrics(new HashMap<>(metrics))
                        .setParams(base.getParams().duplicate())
                        .setOnnx(base.getOnnx() == null ? null : base.getOnnx().duplicate());
        return signed(b, key);
    }

    /** {@code base}'s ONNX model as serve-only version {@code version}: no DL4J parameters. */
    static ModelUpdate serveOnly(ModelUpdate base, long version, byte[] key) {
        // an import as OnnxImport makes it: the base's graph under an IMPORTED spec, format onnx
        io.streamdl.models.spec.ModelSpec spec =
                io.streamdl.models.spec.ModelSpec.fromJson(base.getArchitecture());
        io.streamdl.models.spec.ModelSpec imported =
                new io.streamdl.models.spec.ModelSpec(
                        spec.specVersion(),
                        spec.name(),
                        io.streamdl.models.spec.ArchitectureKind.IMPORTED,
                        spec.inputs(),
                        spec.outputSize(),
                        spec.labels(),
                        new io.streamdl.models.spec.ImportedParams(
                                spec.inputs().stream().map(t -> t.name()).toList(),
                                io.streamdl.models.spec.ModelSpec.OUTPUT_NAME),
                        0L,
                        1e-3);
        ByteBuffer graph = base.getOnnx().duplicate();
        byte[] onnx = new byte[graph.remaining()];
        graph.get(onnx);
        io.streamdl.models.codec.ModelUpdateCodec codec =
                new io.streamdl.models.codec.ModelUpdateCodec(
                        key == null
                                ? io.streamdl.models.codec.ModelUpdateCodec.Config.unsigned()
                                : io.streamdl.models.codec.ModelUpdateCodec.Config.signed(key));
        return codec.encodeImported(imported, onnx, version, null, Map.of());
    }

    private static ModelUpdate signed(ModelUpdate.Builder b, byte[] key) {
        ModelUpdate unsigned = b.setSha256("").setSignature(null).build();
        String sha = ModelUpdateDigest.sha256Hex(unsigned);
        b.setSha256(sha).setSignature(key == null ? null : new ModelUpdateSigner(key).sign(sha));
        return b.build();
    }
}
