package io.streamdl.models.codec;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.onnx.OnnxModelInfo;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.InvalidSpecException;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.config.ConfigOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes and verifies {@code ModelUpdate} records in format {@value #FORMAT}: the DL4J parameter
 * vector as little-endian float32, the same network exported to ONNX, a SHA-256 over a canonical
 * encoding of model name, version, parent version, architecture spec, format, parameters and ONNX
 * bytes (so none can be swapped for another's), and an HMAC-SHA256 of that checksum's lowercase hex
 * text under a configured key.
 *
 * <p>{@link #decode} refuses, with a {@link ModelUpdateRejected} and its {@link Reason}: an unknown
 * format; a wrong or malformed checksum; a missing signature (unless unsigned updates are allowed)
 * or a wrong one; a spec this build cannot read, or one naming another model, or (with an expected
 * spec) another interface; parameters or ONNX inputs/outputs of the wrong shape; NaN or infinite
 * weights; missing or unparsable ONNX bytes. Signatures and checksums are compared in constant
 * time.
 *
 * <p>Thread-safe.
 */
public final class ModelUpdateCodec {
    /** DL4J parameters plus the ONNX export. */
    public static final String FORMAT = "dl4j-params+onnx";

    private static final byte[] DOMAIN = "streamdl.ModelUpdate.v1".getBytes(StandardCharsets.UTF_8);
    private static final HexFormat HEX = HexFormat.of();

    /**
     * Signing and verification settings.
     *
     * @param hmacKey the shared HMAC-SHA256 key (config key {@value #HMAC_KEY}, UTF-8), at least
     *     {@value #MIN_KEY_BYTES} bytes; may be null only if unsigned updates are allowed, and then
     *     updates are written unsigned and signatures are not checked
     * @param allowUnsigned whether {@link #decode} accepts updates without a signature (config key
     *     {@value #ALLOW_UNSIGNED}); a present signature is still checked when a key is set
     */
    public record Config(byte[] hmacKey, boolean allowUnsigned) {
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

        /** The signing keys, as {@code ./pipeline config} lists them. */
        public static final List<ConfigOption<?>> OPTIONS =
                List.of(HMAC_KEY_OPTION, ALLOW_UNSIGNED_OPTION);

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
            return new Config(
                    key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8),
                    ALLOW_UNSIGNED_OPTION.read(settings));
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
                    && Arrays.equals(hmacKey, c.hmacKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hmacKey) * 31 + Boolean.hashCode(allowUnsigned);
        }

        @Override
        public String toString() {
            // never print the key
            return "Config[hmacKey="
                    + (hmacKey == null ? "none" : "<set>")
                    + ", allowUnsigned="
                    + allowUnsigned
                    + "]";
        }
    }

    private final Config config;
    private final Clock clock;

    public ModelUpdateCodec(Config config) {
        this(config, Clock.systemUTC());
    }

    public ModelUpdateCodec(Config config, Clock clock) {
        this.config = config;
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
        checkFinite(spec, version, ParamsCodec.toFloats(ByteBuffer.wrap(paramBytes)));
        byte[] onnx = OnnxExporter.export(network, spec);
        String architecture = spec.toJson();
        String sha =
                sha256Hex(
                        spec.name(),
                        version,
                        parentVersion,
                        architecture,
                        FORMAT,
                        paramBytes,
                        onnx);
        return ModelUpdate.newBuilder()
                .setModel(spec.name())
                .setVersion(version)
                .setParentVersion(parentVersion)
                .setArchitecture(architecture)
                .setFormat(FORMAT)
                .setOnnx(ByteBuffer.wrap(onnx))
                .setParams(ByteBuffer.wrap(paramBytes))
                .setSha256(sha)
                .setSignature(config.hmacKey == null ? null : sign(sha))
                .setMetrics(new HashMap<>(metrics))
                .setCreatedTs(clock.millis())
                .build();
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
        String model = String.valueOf(update.getModel());
        long version = update.getVersion();
        if (!FORMAT.equals(update.getFormat())) {
            throw reject(
                    Reason.UNSUPPORTED_FORMAT,
                    update,
                    "format '" + update.getFormat() + "', this codec reads '" + FORMAT + "'");
        }
        if (update.getOnnx() == null) {
            throw reject(Reason.CORRUPT_ONNX, update, "format " + FORMAT + " but no ONNX bytes");
        }
        byte[] params = bytes(update.getParams());
        byte[] onnx = bytes(update.getOnnx());

        String sha =
                sha256Hex(
                        model,
                        version,
                        update.getParentVersion(),
                        update.getArchitecture(),
                        update.getFormat(),
                        params,
                        onnx);
        if (!constantTimeEquals(sha, update.getSha256())) {
            throw reject(
                    Reason.CHECKSUM_MISMATCH,
                    update,
                    "content hashes to " + sha + ", record says " + update.getSha256());
        }
        boolean signed = verifySignature(update, sha);

        ModelSpec spec;
        try {
            spec = ModelSpec.fromJson(update.getArchitecture());
        } catch (InvalidSpecException e) {
            throw new ModelUpdateRejected(Reason.INVALID_SPEC, model, version, e.getMessage(), e);
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
        checkFinite(spec, version, values);
        checkOnnx(update, spec, onnx);

        ComputationGraph network = Architectures.build(spec);
        network.setParams(ParamsCodec.toRowVector(values));
        return new VerifiedModel(
                spec,
                version,
                update.getParentVersion(),
                network,
                onnx,
                update.getMetrics() == null ? Map.of() : update.getMetrics(),
                update.getCreatedTs(),
                sha,
                signed);
    }

    /**
     * The hex SHA-256 of an update's canonical content: a domain tag, then model name, version,
     * parent version, architecture, format, parameters and ONNX bytes, each length-prefixed (or
     * flagged absent) so that no two different contents encode alike.
     */
    public static String sha256Hex(
            String model,
            long version,
            Long parentVersion,
            String architecture,
            String format,
            byte[] params,
            byte[] onnx) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        putBytes(d, DOMAIN);
        putBytes(d, model.getBytes(StandardCharsets.UTF_8));
        putLong(d, version);
        d.update((byte) (parentVersion == null ? 0 : 1));
        if (parentVersion != null) {
            putLong(d, parentVersion);
        }
        putBytes(d, architecture.getBytes(StandardCharsets.UTF_8));
        putBytes(d, format.getBytes(StandardCharsets.UTF_8));
        putBytes(d, params);
        d.update((byte) (onnx == null ? 0 : 1));
        if (onnx != null) {
            putBytes(d, onnx);
        }
        return HEX.formatHex(d.digest());
    }

    private boolean verifySignature(ModelUpdate update, String sha) {
        String signature = update.getSignature();
        if (signature == null || signature.isEmpty()) {
            if (!config.allowUnsigned) {
                throw reject(
                        Reason.MISSING_SIGNATURE,
                        update,
                        "update is unsigned and unsigned updates are not allowed ("
                                + Config.ALLOW_UNSIGNED
                                + "=false)");
            }
            return false;
        }
        if (config.hmacKey == null) {
            // no key to check with: only reachable when unsigned updates are allowed
            return false;
        }
        byte[] given;
        try {
            given = HEX.parseHex(signature.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelUpdateRejected(
                    Reason.BAD_SIGNATURE,
                    update.getModel(),
                    update.getVersion(),
                    "signature is not hex",
                    e);
        }
        if (!MessageDigest.isEqual(given, hmac(sha))) {
            throw reject(
                    Reason.BAD_SIGNATURE,
                    update,
                    "HMAC-SHA256 does not match: signed with another key, or the checksum was altered");
        }
        return true;
    }

    private void checkOnnx(ModelUpdate update, ModelSpec spec, byte[] onnx) {
        OnnxModelInfo info;
        try {
            info = OnnxModelInfo.parse(onnx);
        } catch (IllegalArgumentException e) {
            throw new ModelUpdateRejected(
                    Reason.CORRUPT_ONNX, update.getModel(), update.getVersion(), e.getMessage(), e);
        }
        String embedded = info.metadata().get(OnnxExporter.METADATA_SPEC);
        if (embedded != null && !embedded.equals(update.getArchitecture())) {
            throw reject(
                    Reason.SPEC_MISMATCH,
                    update,
                    "the ONNX model was exported for another spec: " + embedded);
        }
        List<OnnxModelInfo.Port> expectedInputs = new ArrayList<>();
        for (TensorSpec in : spec.inputs()) {
            List<Long> dims = new ArrayList<>();
            dims.add(-1L);
            in.shape().forEach(d -> dims.add((long) d));
            expectedInputs.add(
                    new OnnxModelInfo.Port(in.name(), in.dtype() == DType.INT32 ? 6 : 1, dims));
        }
        if (!info.inputs().equals(expectedInputs)) {
            throw reject(
                    Reason.SHAPE_MISMATCH,
                    update,
                    "ONNX inputs " + info.inputs() + ", spec implies " + expectedInputs);
        }
        OnnxModelInfo.Port output =
                info.outputs().stream()
                        .filter(p -> p.name().equals(ModelSpec.OUTPUT_NAME))
                        .findFirst()
                        .orElse(null);
        OnnxModelInfo.Port expectedOutput =
                new OnnxModelInfo.Port(
                        ModelSpec.OUTPUT_NAME, 1, List.of(-1L, (long) spec.outputSize()));
        if (!expectedOutput.equals(output)) {
            throw reject(
                    Reason.SHAPE_MISMATCH,
                    update,
                    "ONNX outputs " + info.outputs() + ", spec implies " + expectedOutput);
        }
        if (info.firstNonFinite() != null) {
            throw reject(
                    Reason.NON_FINITE_WEIGHTS,
                    update,
                    "ONNX initializer " + info.firstNonFinite() + " is NaN or infinite");
        }
    }

    /** Refuses NaN or infinite parameters, naming the first by layer, parameter and index. */
    private static void checkFinite(ModelSpec spec, long version, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelUpdateRejected(
                        Reason.NON_FINITE_WEIGHTS,
                        spec.name(),
                        version,
                        "parameter " + describeParam(spec, i) + " is " + values[i]);
            }
        }
    }

    /** {@code layer_param[index]} of flat parameter {@code index}, as DL4J orders them. */
    private static String describeParam(ModelSpec spec, int index) {
        ComputationGraph graph = Architectures.build(spec);
        long offset = 0;
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            long n = e.getValue().length();
            if (index < offset + n) {
                return e.getKey() + "[" + (index - offset) + "]";
            }
            offset += n;
        }
        return "#" + index;
    }

    private String sign(String sha) {
        return HEX.formatHex(hmac(sha));
    }

    private byte[] hmac(String sha) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(config.hmacKey, "HmacSHA256"));
            return mac.doFinal(sha.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM cannot compute HMAC-SHA256", e);
        }
    }

    private static boolean constantTimeEquals(String expectedHex, String givenHex) {
        if (givenHex == null) {
            return false;
        }
        return MessageDigest.isEqual(
                expectedHex.getBytes(StandardCharsets.US_ASCII),
                givenHex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static ModelUpdateRejected reject(Reason reason, ModelUpdate update, String detail) {
        return new ModelUpdateRejected(reason, update.getModel(), update.getVersion(), detail);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void putBytes(MessageDigest d, byte[] bytes) {
        putLong(d, bytes.length);
        d.update(bytes);
    }

    private static void putLong(MessageDigest d, long v) {
        for (int i = 7; i >= 0; i--) {
            d.update((byte) (v >>> (8 * i)));
        }
    }
}
