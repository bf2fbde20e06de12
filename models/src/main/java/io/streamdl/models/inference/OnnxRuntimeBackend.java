package io.streamdl.models.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.streamdl.models.onnx.OnnxPorts;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.config.ConfigOption;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores with ONNX Runtime from the bytes {@code OnnxExporter} wrote, or from an imported model's,
 * feeding the graph inputs and reading the graph output its spec names ({@link OnnxPorts#of}); a
 * batch is keyed by the spec's input names either way. One process-wide {@link OrtEnvironment} is
 * shared by all sessions. By default a session uses one intra-op thread, so a Flink task manager
 * runs one scoring thread per slot instead of every session fighting for all cores. On {@code
 * cuda:<n>} it asks for the CUDA execution provider and, when this build lacks it or no GPU is
 * usable, logs a warning and scores on the CPU ({@link #fallbackReason()} says why). Thread-safe:
 * ONNX Runtime sessions may run concurrently.
 */
public final class OnnxRuntimeBackend implements InferenceBackend {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeBackend.class);

    /**
     * Session settings.
     *
     * @param intraOpThreads threads one operator may use (key {@value #INTRA_OP_THREADS})
     * @param interOpThreads threads running independent operators (key {@value #INTER_OP_THREADS})
     * @param device where to score (key {@value ScoringDevice#KEY})
     */
    public record Config(int intraOpThreads, int interOpThreads, ScoringDevice device) {
        public static final ConfigOption<Integer> INTRA_OP_THREADS =
                ConfigOption.intRange(
                        "scoring.onnx.intra-op-threads",
                        1,
                        1,
                        256,
                        "threads one ONNX Runtime operator may use, per scorer");
        public static final ConfigOption<Integer> INTER_OP_THREADS =
                ConfigOption.intRange(
                        "scoring.onnx.inter-op-threads",
                        1,
                        1,
                        256,
                        "threads running independent ONNX Runtime operators, per scorer");

        /** The session keys, as {@code ./pipeline config} lists them. */
        public static final List<ConfigOption<?>> OPTIONS =
                List.of(INTRA_OP_THREADS, INTER_OP_THREADS, ScoringDevice.OPTION);

        public Config {
            INTRA_OP_THREADS.check(intraOpThreads);
            INTER_OP_THREADS.check(interOpThreads);
            ScoringDevice.OPTION.check(device);
        }

        /** One thread per session, on the build's default device. */
        public static Config defaults() {
            return new Config(1, 1, ScoringDevice.buildDefault());
        }

        /**
         * Reads the keys of {@link #OPTIONS} from {@code settings}, defaulting the missing ones;
         * other keys are ignored, as the settings usually hold a whole job's configuration.
         *
         * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad value
         */
        public static Config from(Map<String, String> settings) {
            return new Config(
                    INTRA_OP_THREADS.read(settings),
                    INTER_OP_THREADS.read(settings),
                    ScoringDevice.OPTION.read(settings));
        }

        public Config withDevice(ScoringDevice newDevice) {
            return new Config(intraOpThreads, interOpThreads, newDevice);
        }

        public Config withIntraOpThreads(int threads) {
            return new Config(threads, interOpThreads, device);
        }
    }

    /**
     * Why CUDA failed to start, by device index. Drivers and devices do not appear while the JVM
     * runs, and every failed attempt makes ONNX Runtime print a native error, so it is tried once.
     */
    private static final ConcurrentMap<Integer, String> CUDA_FAILURES = new ConcurrentHashMap<>();

    private final ModelSpec spec;
    private final OnnxPorts.Binding names;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String provider;
    private final String fallbackReason;
    private final Config config;

    private OnnxRuntimeBackend(
            ModelSpec spec,
            OrtEnvironment env,
            OrtSession session,
            String provider,
            String fallbackReason,
            Config config) {
        this.spec = spec;
        this.names = OnnxPorts.of(spec);
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.fallbackReason = fallbackReason;
        this.config = config;
    }

    /**
     * Opens a session for an exported model.
     *
     * @throws InferenceException if ONNX Runtime cannot load the model
     */
    public static OnnxRuntimeBackend create(ModelSpec spec, byte[] onnx, Config config) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String fallback = null;
        if (config.device().kind() == ScoringDevice.Kind.CUDA) {
            int index = config.device().index();
            if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                fallback =
                        "this ONNX Runtime build has no CUDA execution provider (build with -Pgpu)";
            } else if (CUDA_FAILURES.containsKey(index)) {
                fallback = CUDA_FAILURES.get(index);
            } else {
                try (OrtSession.SessionOptions options = options(config)) {
                    options.addCUDA(config.device().index());
                    OrtSession session = env.createSession(onnx, options);
                    return new OnnxRuntimeBackend(
                            spec, env, session, "CUDA:" + config.device().index(), null, config);
                } catch (OrtException e) {
                    fallback = "the CUDA execution provider failed to start: " + e.getMessage();
                    CUDA_FAILURES.put(index, fallback);
                }
            }
            LOG.warn(
                    "scoring model '{}' on the CPU instead of {}: {}",
                    spec.name(),
                    config.device(),
                    fallback);
        }
        try (OrtSession.SessionOptions options = options(config)) {
            OrtSession session = env.createSession(onnx, options);
            return new OnnxRuntimeBackend(spec, env, session, "CPU", fallback, config);
        } catch (OrtException e) {
            throw new InferenceException(
                    "ONNX Runtime cannot load model '" + spec.name() + "': " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions options(Config config) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(config.intraOpThreads());
            options.setInterOpNumThreads(config.interOpThreads());
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** {@code CPU} or {@code CUDA:<index>}: where this session actually runs. */
    public String executionProvider() {
        return provider;
    }

    /** Why a requested GPU is not used, if it is not. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    /**
     * The model's output: graph output {@value ModelSpec#OUTPUT_NAME}, or the one an imported
     * model's spec names.
     */
    @Override
    public Tensor infer(Batch batch) {
        return run(batch, Set.of(names.graphOutput())).get(names.graphOutput());
    }

    /**
     * Runs the model and returns every graph output by the graph's name; for tests and diagnostics.
     */
    public Map<String, Tensor> inferAll(Batch batch) {
        return run(batch, Set.copyOf(session.getOutputNames()));
    }

    private Map<String, Tensor> run(Batch batch, Set<String> outputNames) {
        batch.requireMatches(spec);
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            for (int i = 0; i < spec.inputs().size(); i++) {
                TensorSpec in = spec.inputs().get(i);
                Tensor t = batch.tensor(in.name());
                inputs.put(
                        names.graphInputs().get(i),
                        in.dtype() == DType.FLOAT32
                                ? OnnxTensor.createTensor(
                                        env, FloatBuffer.wrap(t.floatData()), t.shape())
                                : OnnxTensor.createTensor(
                                        env, IntBuffer.wrap(t.intData()), t.shape()));
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(inputs, outputNames)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    FloatBuffer values = t.getFloatBuffer();
                    float[] data = new float[values.remaining()];
                    values.get(data);
                    outputs.put(e.getKey(), Tensor.adoptFloats(t.getInfo().getShape(), data));
                }
            }
            return outputs;
        } catch (OrtException e) {
            throw new InferenceException(
                    "ONNX Runtime failed to score a batch of "
                            + batch.size()
                            + " for model '"
                            + spec.name()
                            + "': "
                            + e.getMessage(),
                    e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public String description() {
        return "onnxruntime("
                + provider
                + ", "
                + config.intraOpThreads()
                + (config.intraOpThreads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException(
                    "ONNX Runtime failed to close the session of '" + spec.name() + "'", e);
        }
    }
}
