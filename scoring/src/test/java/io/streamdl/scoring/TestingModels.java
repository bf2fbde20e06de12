package io.streamdl.scoring;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Models for scorer tests: backends that show which version ran, and a controllable loader. */
final class TestingModels {
    static final ModelSpec SPEC = DefaultSpecs.image();

    private TestingModels() {}

    /** Scores every event with class {@code version % 10}, so outputs show which version ran. */
    static final class VersionBackend implements InferenceBackend {
        private final long version;
        private final List<Long> closed;

        VersionBackend(long version, List<Long> closed) {
            this.version = version;
            this.closed = closed;
        }

        @Override
        public ModelSpec spec() {
            return SPEC;
        }

        @Override
        public Tensor infer(Batch batch) {
            int n = batch.size();
            float[] out = new float[n * 10];
            for (int i = 0; i < n; i++) {
                out[i * 10 + (int) (version % 10)] = 1f;
            }
            return Tensor.ofFloats(new long[] {n, 10}, out);
        }

        @Override
        public String description() {
            return "version " + version;
        }

        @Override
        public void close() {
            closed.add(version);
        }
    }

    /** A model of {@code version} whose close is recorded in {@code closed}. */
    static LoadedModel model(long version, List<Long> closed) {
        return new LoadedModel(version, SPEC, new VersionBackend(version, closed));
    }

    /** A verified update of the image model; only its version matters to these tests. */
    static ModelUpdate update(long version) {
        return ModelUpdate.newBuilder()
                .setModel("image")
                .setVersion(version)
                .setParentVersion(null)
                .setArchitecture(SPEC.toJson())
                .setFormat("test")
                .setOnnx(null)
                .setParams(ByteBuffer.allocate(0))
                .setSha256("")
                .setSignature(null)
                .setMetrics(Map.of())
                .setCreatedTs(0L)
                .build();
    }

    /**
     * Loads {@link VersionBackend}s and records what it was asked to build and what was closed. A
     * version can be made to wait for a gate the test opens, or to fail. Used in the harness
     * without serialization, so its fields need not be serializable.
     */
    static final class TestingLoader implements ModelLoader {
        private static final long serialVersionUID = 1L;

        final List<Long> asked = new CopyOnWriteArrayList<>();
        final List<Long> closed = new CopyOnWriteArrayList<>();
        private final transient Map<Long, CompletableFuture<Void>> gates =
                new ConcurrentHashMap<>();
        private final transient Set<Long> failing = ConcurrentHashMap.newKeySet();

        /** Builds of {@code version} wait until the returned gate is completed. */
        CompletableFuture<Void> gate(long version) {
            return gates.computeIfAbsent(version, v -> new CompletableFuture<>());
        }

        /** Builds of {@code version} throw. */
        void fail(long version) {
            failing.add(version);
        }

        @Override
        public LoadedModel load(ModelUpdate verified) {
            long version = verified.getVersion();
            asked.add(version);
            CompletableFuture<Void> gate = gates.get(version);
            if (gate != null) {
                gate.join();
            }
            if (failing.contains(version)) {
                throw new IllegalStateException("version " + version + " does not build");
            }
            return model(version, closed);
        }
    }
}
