package io.streamdl.models.codec;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.onnx.OnnxModelInfo;
import io.streamdl.models.onnx.OnnxPorts;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.InvalidSpecException;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@code ModelUpdate} of format {@value ModelUpdateCodec#FORMAT} (trained here) or {@value
 * ModelUpdateCodec#FORMAT_ONNX} (an ONNX model trained elsewhere, served only) without building a
 * DL4J network, so that a consumer serving the ONNX bytes pays neither the time nor the memory of
 * one.
 *
 * <p>{@link #verify} refuses, with a {@link ModelUpdateRejected} and its {@link Reason}, in this
 * order: an unknown format; missing ONNX bytes; a wrong or malformed checksum ({@link
 * ModelUpdateDigest}); a missing signature (unless unsigned updates are allowed) or a wrong or
 * malformed one ({@link ModelUpdateSigner}); a spec this build cannot read, or one naming another
 * model, or (with an expected spec) another interface; a spec of kind {@code IMPORTED} in the DL4J
 * format or of another kind in the ONNX-only format; a parameter count other than the spec's
 * (computed from the network configuration, not from a network; none at all in the ONNX-only
 * format); NaN or infinite weights, named by layer and parameter; ONNX bytes that do not parse,
 * were exported here for another spec, have inputs or an output of other types or shapes than the
 * spec's (named by the graph's own names, which an imported spec records), or hold non-finite
 * initializers. Checksums and signatures are compared in constant time.
 *
 * <p>Thread-safe.
 */
public final class ModelUpdateVerifier {
    private final ModelUpdateSigner signer;
    private final List<ModelUpdateSigner> accepted;
    private final boolean allowUnsigned;

    /**
     * @param signer checks signatures; null only if unsigned updates are allowed, and then a
     *     present signature is not checked either
     * @param allowUnsigned whether an update without a signature passes; a present signature is
     *     still checked when there is a signer
     * @throws IllegalArgumentException if there is no signer yet signatures are required, which
     *     would let every signed update through unchecked
     */
    public ModelUpdateVerifier(ModelUpdateSigner signer, boolean allowUnsigned) {
        this(signer, List.of(), allowUnsigned);
    }

    /**
     * @param alsoAccepted signers of keys being rotated out: their signatures verify too. An update
     *     that names its key ({@code signerKeyId}) is checked with that key only, and refused
     *     ({@link Reason#UNKNOWN_KEY}) if it is none of these; one that does not is checked with
     *     each.
     */
    public ModelUpdateVerifier(
            ModelUpdateSigner signer, List<ModelUpdateSigner> alsoAccepted, boolean allowUnsigned) {
        this.accepted = List.copyOf(alsoAccepted);
        if (signer == null && !allowUnsigned) {
            throw new IllegalArgumentException(
                    "signatures are required but there is no key to check them with");
        }
        this.signer = signer;
        this.allowUnsigned = allowUnsigned;
    }

    /**
     * Checks {@code update}, which must have the same interface (name, inputs, output size, labels)
     * as {@code expected} if that is given; the architecture behind it may differ.
     *
     * @param expected the spec the consumer scores with, or null to accept any valid spec
     * @throws ModelUpdateRejected naming the first check that failed
     */
    public VerifiedUpdate verify(ModelUpdate update, ModelSpec expected) {
        String model = String.valueOf(update.getModel());
        long version = update.getVersion();
        boolean serveOnly = ModelUpdateCodec.FORMAT_ONNX.equals(update.getFormat());
        if (!serveOnly && !ModelUpdateCodec.FORMAT.equals(update.getFormat())) {
            throw reject(
                    Reason.UNSUPPORTED_FORMAT,
                    update,
                    "format '"
                            + update.getFormat()
                            + "', this codec reads '"
                            + ModelUpdateCodec.FORMAT
                            + "' and '"
                            + ModelUpdateCodec.FORMAT_ONNX
                            + "'");
        }
        if (update.getOnnx() == null) {
            throw reject(
                    Reason.CORRUPT_ONNX,
                    update,
                    "format " + update.getFormat() + " but no ONNX bytes");
        }
        byte[] params = ModelUpdateDigest.bytes(update.getParams());
        byte[] onnx = ModelUpdateDigest.bytes(update.getOnnx());

        String sha =
                ModelUpdateDigest.sha256Hex(
                        model,
                        version,
                        update.getParentVersion(),
                        update.getArchitecture(),
                        update.getFormat(),
                        params,
                        onnx);
        if (!ModelUpdateDigest.matches(sha, update.getSha256())) {
            throw reject(
                    Reason.CHECKSUM_MISMATCH,
                    update,
                    "content hashes to " + sha + ", record says " + update.getSha256());
        }
        boolean signed = verifySignature(update, sha);

        ModelSpec spec = checkSpec(update, model, expected);
        float[] values =
                serveOnly ? checkNoParams(update, spec, params) : checkParams(update, spec, params);
        checkOnnx(update, spec, onnx);
        return new VerifiedUpdate(
                spec,
                version,
                update.getParentVersion(),
                values,
                onnx,
                update.getMetrics() == null ? Map.of() : update.getMetrics(),
                update.getCreatedTs(),
                sha,
                signed);
    }

    private static float[] checkParams(ModelUpdate update, ModelSpec spec, byte[] params) {
        if (spec.kind() == ArchitectureKind.IMPORTED) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "a spec of kind IMPORTED comes only in format '"
                            + ModelUpdateCodec.FORMAT_ONNX
                            + "', not '"
                            + ModelUpdateCodec.FORMAT
                            + "'");
        }
        long expectedParams = Architectures.parameterCount(spec);
        if (params.length % 4 != 0 || params.length / 4 != expectedParams) {
            throw reject(
                    Reason.SHAPE_MISMATCH,
                    update,
                    params.length
                            + " parameter bytes, spec implies "
                            + expectedParams
                            + " float32 values");
        }
        float[] values = ParamsCodec.toFloats(ByteBuffer.wrap(params));
        requireFinite(spec, update.getVersion(), values);
        return values;
    }

    /** A serve-only update: an imported spec and no DL4J parameters. */
    private static float[] checkNoParams(ModelUpdate update, ModelSpec spec, byte[] params) {
        if (spec.kind() != ArchitectureKind.IMPORTED) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "format '"
                            + ModelUpdateCodec.FORMAT_ONNX
                            + "' carries a model trained elsewhere and needs a spec of kind"
                            + " IMPORTED, got "
                            + spec.kind());
        }
        if (params.length != 0) {
            throw reject(
                    Reason.SHAPE_MISMATCH,
                    update,
                    "format '"
                            + ModelUpdateCodec.FORMAT_ONNX
                            + "' carries no parameters, got "
                            + params.length
                            + " bytes");
        }
        return new float[0];
    }

    /**
     * Refuses NaN or infinite parameters, naming the first by layer, parameter and index.
     *
     * @throws ModelUpdateRejected with {@link Reason#NON_FINITE_WEIGHTS}
     */
    static void requireFinite(ModelSpec spec, long version, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelUpdateRejected(
                        Reason.NON_FINITE_WEIGHTS,
                        spec.name(),
                        version,
                        "parameter " + ParamLayout.describe(spec, i) + " is " + values[i]);
            }
        }
    }

    private boolean verifySignature(ModelUpdate update, String sha) {
        String signature = update.getSignature();
        if (signature == null || signature.isEmpty()) {
            if (!allowUnsigned) {
                throw reject(
                        Reason.MISSING_SIGNATURE,
                        update,
                        "update is unsigned and unsigned updates are not allowed ("
                                + ModelUpdateCodec.Config.ALLOW_UNSIGNED
                                + "=false)");
            }
            return false;
        }
        if (signer == null) {
            // no key to check with: only reachable when unsigned updates are allowed
            return false;
        }
        boolean valid = false;
        try {
            String keyId = update.getSignerKeyId();
            boolean known = false;
            for (ModelUpdateSigner s : signers()) {
                if (keyId == null || keyId.equals(s.keyId())) {
                    known = true;
                    valid = valid || s.verify(sha, signature);
                }
            }
            if (!known) {
                throw reject(
                        Reason.UNKNOWN_KEY,
                        update,
                        "signed with key "
                                + keyId
                                + ", which is neither this pipeline's key ("
                                + signer.keyId()
                                + ") nor an accepted one ("
                                + ModelUpdateCodec.Config.ACCEPTED_KEYS
                                + "): a retired key?");
            }
        } catch (IllegalArgumentException e) {
            throw new ModelUpdateRejected(
                    Reason.BAD_SIGNATURE,
                    update.getModel(),
                    update.getVersion(),
                    "signature is not hex",
                    e);
        }
        if (!valid) {
            throw reject(
                    Reason.BAD_SIGNATURE,
                    update,
                    "HMAC-SHA256 does not match: signed with another key, or the checksum was altered");
        }
        return true;
    }

    private static ModelSpec checkSpec(ModelUpdate update, String model, ModelSpec expected) {
        ModelSpec spec;
        try {
            spec = ModelSpec.fromJson(update.getArchitecture());
        } catch (InvalidSpecException e) {
            throw new ModelUpdateRejected(
                    Reason.INVALID_SPEC, model, update.getVersion(), e.getMessage(), e);
        }
        if (!spec.name().equals(model)) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "record is for model '" + model + "' but its spec is '" + spec.name() + "'");
        }
        if (expected != null && !expected.sameInterfaceAs(spec)) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "expected inputs "
                            + expected.inputs()
                            + ", output size "
                            + expected.outputSize()
                            + ", labels "
                            + expected.labels()
                            + "; update has "
                            + spec.inputs()
                            + ", "
                            + spec.outputSize()
                            + ", "
                            + spec.labels());
        }
        return spec;
    }

    /**
     * Refuses ONNX bytes that do not parse, were exported for another spec, have inputs or an
     * output other than the spec's, or hold non-finite initializers.
     */
    static void checkOnnx(ModelUpdate update, ModelSpec spec, byte[] onnx) {
        OnnxModelInfo info;
        try {
            info = OnnxModelInfo.parse(onnx);
        } catch (IllegalArgumentException e) {
            throw new ModelUpdateRejected(
                    Reason.CORRUPT_ONNX, update.getModel(), update.getVersion(), e.getMessage(), e);
        }
        String embedded = info.metadata().get(OnnxExporter.METADATA_SPEC);
        // an imported graph's metadata is its maker's, even if that was an exporter like ours
        boolean exported = spec.kind() != ArchitectureKind.IMPORTED;
        if (exported && embedded != null && !embedded.equals(update.getArchitecture())) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "the ONNX model was exported for another spec: " + embedded);
        }
        String mismatch =
                OnnxPorts.mismatch(
                        info,
                        spec.inputs(),
                        OnnxPorts.of(spec),
                        spec.outputSize(),
                        "the spec",
                        "the spec needs");
        if (mismatch != null) {
            throw reject(Reason.SHAPE_MISMATCH, update, mismatch);
        }
        if (info.firstNonFinite() != null) {
            throw reject(
                    Reason.NON_FINITE_WEIGHTS,
                    update,
                    "ONNX initializer " + info.firstNonFinite() + " is NaN or infinite");
        }
    }

    /** This pipeline's signer, then the accepted ones. */
    private List<ModelUpdateSigner> signers() {
        List<ModelUpdateSigner> all = new ArrayList<>();
        all.add(signer);
        all.addAll(accepted);
        return all;
    }

    private static ModelUpdateRejected reject(Reason reason, ModelUpdate update, String detail) {
        return new ModelUpdateRejected(reason, update.getModel(), update.getVersion(), detail);
    }

    @Override
    public String toString() {
        return "ModelUpdateVerifier[signer=" + signer + ", allowUnsigned=" + allowUnsigned + "]";
    }
}
