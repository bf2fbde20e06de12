package io.streamdl.models.codec;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.config.ConfigOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes and verifies {@code ModelUpdate} records in format {@value #FORMAT}: the DL4J parameter
 * vector as little-endian float32, the same network exported to ONNX, a SHA-256 over a canonical
 * encoding of model name, version, parent version, architecture spec, format, parameters and ONNX
 * bytes (so none can be swapped for another's; see {@link ModelUpdateDigest}), and an HMAC-SHA256
 * of that checksum's lowercase hex text under a configured key (see {@link ModelUpdateSigner}).
 * Format {@value #FORMAT_ONNX} ({@link #encodeImported}) carries an ONNX model trained elsewhere
 * with no parameters and a spec of kind {@code IMPORTED}, under the same checksum and signature:
 * scorers serve it, but it is never unpacked into a network or trained ({@link #isServeOnly}).
 *
 * <p>{@link #verify} checks an update without building a DL4J network, which is all a consumer
 * serving the ONNX bytes needs; {@link #decode} verifies and then {@link #unpack}s it into a
 * network, for consumers that train or score with DL4J. Both refuse, with a {@link
 * ModelUpdateRejected} and its {@link Reason}: an unknown format; a wrong or malformed checksum; a
 * missing signature (unless unsigned updates are allowed) or a wrong one; a spec this build cannot
 * read, or one naming another model, or (with an expected spec) another interface; parameters or
 * ONNX inputs/outputs of the wrong shape; NaN or infinite weights; missing or unparsable ONNX
 * bytes; and {@link #unpack} refuses a serve-only update. Signatures and checksums are compared in
 * constant time. The details are {@link ModelUpdateVerifier}'s.
 *
 * <p>Thread-safe.
 */
public final class ModelUpdateCodec {
    /** DL4J parameters plus the ONNX export. */
    public static final String FORMAT = "dl4j-params+onnx";

    /**
     * An ONNX model trained elsewhere, without DL4J parameters: served, never fine-tuned (see
     * {@link #isServeOnly}).
     */
    public static final String FORMAT_ONNX = "onnx";

    /**
     * Signing and verification settings.
     *
     * @param hmacKey the shared HMAC-SHA256 key (config key {@value #HMAC_KEY}, UTF-8), at least
     *     {@value #MIN_KEY_BYTES} bytes; may be null only if unsigned updates are allowed, and then
     *     updates are written unsigned and signatures are not checked
     * @param allowUnsigned whether {@link #decode} accepts updates without a signature (config key
     *     {@value #ALLOW_UNSIGNED}); a present signature is still checked when a key is set
     * @param acceptedKeys further keys whose signatures verify but which never sign (config key
     *     {@value #ACCEPTED_KEYS}): the previous key while a rotation is under way; a key that is
     *     neither this nor {@code hmacKey} is retired, and what it signed is refused
     */
    public record Config(byte[] hmacKey, boolean allowUnsigned, List<byte[]> acceptedKeys)
            implements java.io.Serializable {
        public static final String ACCEPTED_KEYS = "models.hmac.accepted-keys";
        public static final String HMAC_KEY = "models.hmac.key";
        public static final String ALLOW_UNSIGNED = "models.allow-unsigned";
        public static final int MIN_KEY_BYTES = 16;

        public static final ConfigOption<String> HMAC_KEY_OPTION =
                ConfigOption.secret(
                        HMAC_KEY,
                        "shared HMAC-SHA256 key (UTF-8, at least "
                                + MIN_KEY_BYTES
                                + " bytes) that trainers sign and scorers verify model updates"
                                + " with; unset: the built-in development key (never in"
                                + " production)");
        public static final ConfigOption<Boolean> ALLOW_UNSIGNED_OPTION =
                ConfigOption.bool(
                        ALLOW_UNSIGNED,
                        false,
                        "accept model updates without a signature (a present one is still"
                                + " checked)");

        public static final ConfigOption<String> ACCEPTED_KEYS_OPTION =
                ConfigOption.secret(
                        ACCEPTED_KEYS,
                        "further HMAC keys (comma-separated, UTF-8) whose signatures are still"
                                + " accepted but which never sign: the previous key while a key"
                                + " rotation is under way; drop it to retire it");

        /** The signing keys, as {@code ./pipeline config} lists them. */
        public static final List<ConfigOption<?>> OPTIONS =
                List.of(HMAC_KEY_OPTION, ALLOW_UNSIGNED_OPTION, ACCEPTED_KEYS_OPTION);

        public Config(byte[] hmacKey, boolean allowUnsigned) {
            this(hmacKey, allowUnsigned, List.of());
        }

        public Config {
            if (hmacKey == null && !allowUnsigned) {
                throw new IllegalArgumentException(
                        "config key '"
                                + HMAC_KEY
                                + "' is not set: set a key of at least "
                                + MIN_KEY_BYTES
                                + " bytes, or set '"
                                + ALLOW_UNSIGNED
                                + "=true' to accept unsigned model updates");
            }
            if (hmacKey != null && hmacKey.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException(
                        "invalid value for config key '"
                                + HMAC_KEY
                                + "': "
                                + hmacKey.length
                                + " bytes, expected at least "
                                + MIN_KEY_BYTES);
            }
            hmacKey = hmacKey == null ? null : hmacKey.clone();
            List<byte[]> copies = new java.util.ArrayList<>();
            for (byte[] k : acceptedKeys == null ? List.<byte[]>of() : acceptedKeys) {
                if (k.length < MIN_KEY_BYTES) {
                    throw new IllegalArgumentException(
                            "invalid value for config key '"
                                    + ACCEPTED_KEYS
                                    + "': a key of "
                                    + k.length
                                    + " bytes, expected at least "
                                    + MIN_KEY_BYTES);
                }
                copies.add(k.clone());
            }
            acceptedKeys = java.util.Collections.unmodifiableList(copies);
        }

        /** Signs and requires signatures with {@code key}. */
        public static Config signed(byte[] key) {
            return new Config(key, false);
        }

        /** Neither signs nor requires signatures. */
        public static Config unsigned() {
            return new Config(null, true);
        }

        /**
         * Reads {@value #HMAC_KEY} and {@value #ALLOW_UNSIGNED} (default false) from {@code
         * settings}; other keys are ignored.
         *
         * @throws IllegalArgumentException naming the key of a bad or missing value
         */
        public static Config from(Map<String, String> settings) {
            String key = HMAC_KEY_OPTION.read(settings);
            List<byte[]> accepted = new java.util.ArrayList<>();
            for (String k : ACCEPTED_KEYS_OPTION.read(settings).split(",")) {
                if (!k.isBlank()) {
                    accepted.add(k.strip().getBytes(StandardCharsets.UTF_8));
                }
            }
            return new Config(
                    key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8),
                    ALLOW_UNSIGNED_OPTION.read(settings),
                    accepted);
        }

        /** Copies of the accepted keys. */
        @Override
        public List<byte[]> acceptedKeys() {
            return acceptedKeys.stream().map(byte[]::clone).toList();
        }

        /** A copy of the key, or null. */
        @Override
        public byte[] hmacKey() {
            return hmacKey == null ? null : hmacKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c
                    && allowUnsigned == c.allowUnsigned
                    && Arrays.equals(hmacKey, c.hmacKey)
                    && Arrays.deepEquals(acceptedKeys.toArray(), c.acceptedKeys.toArray());
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(hmacKey) * 31 + Boolean.hashCode(allowUnsigned)) * 31
                    + acceptedKeys.size();
        }

        @Override
        public String toString() {
            // never print the key
            return "Config[hmacKey="
                    + (hmacKey == null ? "none" : "<set>")
                    + ", allowUnsigned="
                    + allowUnsigned
                    + ", acceptedKeys="
                    + acceptedKeys.size()
                    + "]";
        }
    }

    /** Null when updates are written unsigned. */
    private final ModelUpdateSigner signer;

    private final ModelUpdateVerifier verifier;
    private final Clock clock;

    public ModelUpdateCodec(Config config) {
        this(config, Clock.systemUTC());
    }

    public ModelUpdateCodec(Config config, Clock clock) {
        byte[] key = config.hmacKey();
        this.signer = key == null ? null : new ModelUpdateSigner(key);
        List<ModelUpdateSigner> accepted = new java.util.ArrayList<>();
        config.acceptedKeys().forEach(k -> accepted.add(new ModelUpdateSigner(k)));
        this.verifier = new ModelUpdateVerifier(signer, accepted, config.allowUnsigned());
        this.clock = clock;
    }

    /**
     * Packs {@code network} (built from {@code spec}) as a signed update.
     *
     * @param parentVersion the version this one was trained from, or null for a fresh model
     * @param metrics evaluation metrics to publish with it (for example prequential accuracy)
     * @throws ModelUpdateRejected with {@link Reason#SHAPE_MISMATCH} if the network does not have
     *     the spec's parameter count, or {@link Reason#NON_FINITE_WEIGHTS} if a weight is NaN or
     *     infinite: such weights are never published
     */
    public ModelUpdate encode(
            ModelSpec spec,
            ComputationGraph network,
            long version,
            Long parentVersion,
            Map<String, Double> metrics) {
        long expected = Architectures.parameterCount(spec);
        INDArray params = network.params();
        if (params.length() != expected) {
            throw new ModelUpdateRejected(
                    Reason.SHAPE_MISMATCH,
                    spec.name(),
                    version,
                    "network has " + params.length() + " parameters, spec implies " + expected);
        }
        byte[] paramBytes = ParamsCodec.toBytes(params);
        ModelUpdateVerifier.requireFinite(
                spec, version, ParamsCodec.toFloats(ByteBuffer.wrap(paramBytes)));
        byte[] onnx = OnnxExporter.export(network, spec);
        return signed(spec, version, parentVersion, FORMAT, paramBytes, onnx, metrics);
    }

    /**
     * Packs an ONNX model trained elsewhere as a signed update of format {@value #FORMAT_ONNX}: the
     * ONNX bytes as given, no parameters. Such an update is served, never fine-tuned. {@code
     * io.streamdl.models.onnx.OnnxImport} builds {@code spec} from the graph and checks it first.
     *
     * @param spec a spec of kind {@code IMPORTED} naming the graph's inputs and output
     * @param parentVersion the version this one replaces, or null
     * @throws ModelUpdateRejected with {@link Reason#SPEC_MISMATCH} for another kind of spec, or
     *     the reason {@link #verify} would refuse the ONNX bytes with: such updates are never
     *     published
     */
    public ModelUpdate encodeImported(
            ModelSpec spec,
            byte[] onnx,
            long version,
            Long parentVersion,
            Map<String, Double> metrics) {
        if (spec.kind() != ArchitectureKind.IMPORTED) {
            throw new ModelUpdateRejected(
                    Reason.SPEC_MISMATCH,
                    spec.name(),
                    version,
                    "format '"
                            + FORMAT_ONNX
                            + "' needs a spec of kind IMPORTED, got "
                            + spec.kind());
        }
        byte[] copy = onnx.clone();
        ModelUpdate update =
                signed(spec, version, parentVersion, FORMAT_ONNX, new byte[0], copy, metrics);
        ModelUpdateVerifier.checkOnnx(update, spec, copy);
        return update;
    }

    /**
     * Whether {@code update} is of format {@value #FORMAT_ONNX}: a model trained elsewhere that is
     * served but cannot be unpacked into a DL4J network, trained or scored with DL4J. Says nothing
     * about whether it verifies.
     */
    public static boolean isServeOnly(ModelUpdate update) {
        return FORMAT_ONNX.equals(update.getFormat());
    }

    private ModelUpdate signed(
            ModelSpec spec,
            long version,
            Long parentVersion,
            String format,
            byte[] paramBytes,
            byte[] onnx,
            Map<String, Double> metrics) {
        String architecture = spec.toJson();
        String sha =
                ModelUpdateDigest.sha256Hex(
                        spec.name(),
                        version,
                        parentVersion,
                        architecture,
                        format,
                        paramBytes,
                        onnx);
        return ModelUpdate.newBuilder()
                .setModel(spec.name())
                .setVersion(version)
                .setParentVersion(parentVersion)
                .setArchitecture(architecture)
                .setFormat(format)
                .setOnnx(ByteBuffer.wrap(onnx))
                .setParams(ByteBuffer.wrap(paramBytes))
                .setSha256(sha)
                .setSignature(signer == null ? null : signer.sign(sha))
                .setSignerKeyId(signer == null ? null : signer.keyId())
                .setMetrics(new HashMap<>(metrics))
                .setCreatedTs(clock.millis())
                .build();
    }

    /**
     * A copy of {@code source}'s network (its architecture, format and blobs, unchanged) as a new
     * version: re-checksummed, signed with this codec's key and stamped now. A rollback publishes
     * one, so version numbers only grow while the weights go back.
     *
     * @param parentVersion the version the copy descends from (for a rollback, the rolled-back-to
     *     version)
     */
    public ModelUpdate copyAs(
            ModelUpdate source, long version, Long parentVersion, Map<String, Double> metrics) {
        byte[] params = bytes(source.getParams());
        byte[] onnx = source.getOnnx() == null ? null : bytes(source.getOnnx());
        String sha =
                ModelUpdateDigest.sha256Hex(
                        source.getModel(),
                        version,
                        parentVersion,
                        source.getArchitecture(),
                        source.getFormat(),
                        params,
                        onnx);
        return ModelUpdate.newBuilder(source)
                .setVersion(version)
                .setParentVersion(parentVersion)
                .setSha256(sha)
                .setSignature(signer == null ? null : signer.sign(sha))
                .setSignerKeyId(signer == null ? null : signer.keyId())
                .setMetrics(new HashMap<>(metrics))
                .setCreatedTs(clock.millis())
                .build();
    }

    /** Whether this codec signs what it writes. */
    public boolean signs() {
        return signer != null;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    /**
     * Verifies an update without building a DL4J network. See the class comment for what is
     * refused.
     */
    public VerifiedUpdate verify(ModelUpdate update) {
        return verify(update, null);
    }

    /**
     * Verifies, without building a DL4J network, an update that must have the same interface (name,
     * inputs, output size, labels) as {@code expected}; the architecture behind it may differ.
     *
     * @param expected the spec the consumer scores with, or null to accept any valid spec
     * @throws ModelUpdateRejected naming the first check that failed
     */
    public VerifiedUpdate verify(ModelUpdate update, ModelSpec expected) {
        return verifier.verify(update, expected);
    }

    /**
     * Builds the DL4J network of a verified update and loads its parameters into it.
     *
     * @throws ModelUpdateRejected with {@link Reason#SERVE_ONLY} for an imported ONNX model, which
     *     has no DL4J network
     */
    public VerifiedModel unpack(VerifiedUpdate verified) {
        if (verified.isServeOnly()) {
            throw new ModelUpdateRejected(
                    Reason.SERVE_ONLY,
                    verified.spec().name(),
                    verified.version(),
                    "an imported ONNX model (format '"
                            + FORMAT_ONNX
                            + "') is served as is: it has no DL4J parameters to build a network"
                            + " from, so it cannot be trained or scored with DL4J");
        }
        ComputationGraph network = Architectures.build(verified.spec());
        network.setParams(ParamsCodec.toRowVector(verified.paramsView()));
        return new VerifiedModel(verified, network);
    }

    /** Verifies and unpacks an update. See the class comment for what is refused. */
    public VerifiedModel decode(ModelUpdate update) {
        return decode(update, null);
    }

    /**
     * Verifies and unpacks an update that must have the same interface (name, inputs, output size,
     * labels) as {@code expected}; the architecture behind it may differ.
     *
     * @param expected the spec the consumer scores with, or null to accept any valid spec
     * @throws ModelUpdateRejected naming the first check that failed
     */
    public VerifiedModel decode(ModelUpdate update, ModelSpec expected) {
        return unpack(verify(update, expected));
    }

    /** The checksum of an update's canonical content; see {@link ModelUpdateDigest#sha256Hex}. */
    public static String sha256Hex(
            String model,
            long version,
            Long parentVersion,
            String architecture,
            String format,
            byte[] params,
            byte[] onnx) {
        return ModelUpdateDigest.sha256Hex(
                model, version, parentVersion, architecture, format, params, onnx);
    }
}
