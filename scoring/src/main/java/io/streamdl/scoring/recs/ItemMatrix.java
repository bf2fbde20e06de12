package io.streamdl.scoring.recs;

import io.streamdl.schemas.avro.ItemEmbedding;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The content embeddings of the catalogue's items, decoded once into one dense matrix shared by an
 * app instance's tasks: the {@code items.embeddings} global store's processor writes a row as each
 * record arrives ({@link #update}), and a task that finds the matrix empty while the store is not
 * (the store was restored from its topic, which bypasses the processor) loads it whole ({@link
 * #loadIfEmpty}). An embedding that does not decode, has another length than the profile's or a
 * non-finite value counts as absent. Rows are written under a lock and read without one: a ranking
 * racing a re-embedding may mix an item's old and new values for that one ranking; the unit-row
 * matrix of {@link #cosines} is rebuilt (under the lock) at the first ranking after a change, at
 * most every 0.5 s.
 */
final class ItemMatrix {
    private final Deserializer<ItemEmbedding> reader;
    private final Map<String, Integer> index;
    private final int dim;
    private final float[] values;
    private final float[] norms;
    private final long[] versions;
    private final BitSet present = new BitSet();
    private volatile BitSet snapshot = new BitSet();

    /** The rows scaled to unit length, for {@link #cosines}; rebuilt after a change. */
    private INDArray units;

    private volatile float[] centre;

    private boolean changed = true;
    private long builtAtNanos;
    private long changeCount;
    private long lastChangeNanos;
    private final int neighbourCount;
    private final double temperature;
    private int[][] neighbours;
    private float[][] neighbourSims;
    private long neighboursOfChange = -1;
    private boolean building;
    private long loadedEntries = -1;
    private long refusedRecords;
    private final java.util.concurrent.Executor builds;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ItemMatrix.class);

    /** How long the embeddings must stay unchanged before the neighbour lists are rebuilt. */
    private static final long QUIET_NANOS = 2_000_000_000L;

    /** Least time between two rebuilds of the unit rows while embeddings keep arriving. */
    private static final long REBUILD_NANOS = 500_000_000L;

    ItemMatrix(
            Deserializer<ItemEmbedding> reader,
            List<String> items,
            Map<String, Integer> index,
            int dim,
            int neighbourCount,
            double temperature,
            java.util.concurrent.Executor builds) {
        this.neighbourCount = neighbourCount;
        this.temperature = temperature;
        this.builds = builds;
        this.reader = reader;
        this.index = index;
        this.dim = dim;
        this.values = new float[items.size() * dim];
        this.norms = new float[items.size()];
        this.versions = new long[items.size()];
    }

    int dim() {
        return dim;
    }

    /** Puts (or, for a null value, removes) the item {@code itemId}'s row. */
    synchronized void update(String itemId, byte[] raw) {
        Integer i = index.get(itemId);
        if (i == null) {
            refuse(itemId, "not an item of the recommendation model's catalogue");
            return;
        }
        String refusal = raw == null ? null : decodeInto(i, raw);
        if (raw == null || refusal != null) {
            present.clear(i);
            if (refusal != null) {
                refuse(itemId, refusal);
            }
        } else {
            present.set(i);
        }
        snapshot = (BitSet) present.clone();
        changed = true;
        changeCount++;
        lastChangeNanos = System.nanoTime();
    }

    /** Loads every record of {@code store} when no row is present yet. */
    void loadIfEmpty(ReadOnlyKeyValueStore<String, byte[]> store) {
        if (!snapshot.isEmpty()) {
            return;
        }
        long entries = store.approximateNumEntries();
        if (entries == 0 || entries == loadedEntries) {
            return; // nothing, or nothing new since a load that found no usable record
        }
        synchronized (this) {
            if (!present.isEmpty()) {
                return;
            }
            loadedEntries = entries;
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> next = all.next();
                    Integer i = index.get(next.key);
                    String refusal =
                            i == null
                                    ? "not an item of the recommendation model's catalogue"
                                    : next.value == null ? null : decodeInto(i, next.value);
                    if (refusal != null) {
                        refuse(next.key, refusal);
                    } else if (next.value != null) {
                        present.set(i);
                    }
                }
            }
            snapshot = (BitSet) present.clone();
            changed = true;
            changeCount++;
            lastChangeNanos = System.nanoTime();
        }
    }

    /** The items that have an embedding now (a copy made at the last change: do not modify). */
    BitSet present() {
        return snapshot;
    }

    boolean has(int i) {
        return snapshot.get(i);
    }

    /** The image model version that embedded item {@code i}. */
    long version(int i) {
        return versions[i];
    }

    /** Adds {@code weight} times item {@code i}'s embedding to {@code sum}. */
    void addTo(int i, double weight, double[] sum) {
        int base = i * dim;
        for (int d = 0; d < dim; d++) {
            sum[d] += weight * values[base + d];
        }
    }

    /**
     * The cosine of {@code profile} with every present item's embedding into {@code out} (0 for the
     * items without one, and for a zero profile): one matrix-vector product over the unit rows
     * (ND4J's BLAS, several times a plain Java loop over a 10,000 x 128 matrix).
     */
    void cosines(float[] profile, float[] out) {
        INDArray rows = units();
        float[] mean = centre;
        float[] unit = new float[dim];
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            unit[d] = profile[d] - mean[d];
            norm += (double) unit[d] * unit[d];
        }
        if (norm == 0) {
            java.util.Arrays.fill(out, 0f);
            return;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dim; d++) {
            unit[d] *= inv;
        }
        INDArray dots = rows.mmul(Nd4j.create(unit, new long[] {dim, 1}, 'c'));
        float[] values = dots.data().asFloat();
        System.arraycopy(values, 0, out, 0, Math.min(out.length, values.length));
    }

    /**
     * Adds {@code weight} times each of item {@code j}'s nearest neighbours' similarity with it,
     * {@code exp((cos - 1) / temperature)} of their centred embeddings (itself first, 1), into
     * {@code out}: the content kNN of one history item. The neighbour lists are built from all
     * present embeddings the first time and rebuilt once the embeddings have not changed for 2 s
     * after a change (a re-embedding), so the latest lists are used meanwhile.
     */
    void addNeighbours(int j, double weight, float[] out) {
        int[][] lists;
        float[][] sims;
        synchronized (this) {
            if (neighbourCount == 0) {
                return;
            }
            boolean due =
                    !building
                            && (neighbours == null
                                    || (neighboursOfChange != changeCount
                                            && System.nanoTime() - lastChangeNanos >= QUIET_NANOS));
            if (due && !present.isEmpty()) {
                building = true;
                INDArray rows = units();
                BitSet items = (BitSet) present.clone();
                long target = changeCount;
                builds.execute(() -> buildNeighbours(rows, items, target));
            }
            lists = neighbours;
            sims = neighbourSims;
        }
        if (lists == null || j >= lists.length || lists[j] == null) {
            return;
        }
        int[] n = lists[j];
        float[] c = sims[j];
        for (int k = 0; k < n.length; k++) {
            out[n[k]] += (float) (weight * c[k]);
        }
    }

    /**
     * Every present item's {@code neighbourCount} most similar items, by products of blocks of unit
     * rows with all of them; run on {@code builds}, off the stream thread in an app.
     */
    private void buildNeighbours(INDArray rows, BitSet items, long target) {
        long t0 = System.nanoTime();
        int n = norms.length;
        int[][] lists = new int[n][];
        float[][] sims = new float[n][];
        int chunk = 512;
        int count = Math.min(neighbourCount, items.cardinality());
        try {
            INDArray all = rows.transpose();
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                int first = items.nextSetBit(from);
                if (first < 0 || first >= to) {
                    continue;
                }
                float[] block =
                        rows.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                                .mmul(all)
                                .data()
                                .asFloat();
                for (int i = items.nextSetBit(from);
                        i >= 0 && i < to;
                        i = items.nextSetBit(i + 1)) {
                    TopK top = new TopK(count);
                    int base = (i - from) * n;
                    for (int k = items.nextSetBit(0); k >= 0; k = items.nextSetBit(k + 1)) {
                        top.offer(k, k == i ? 2f : block[base + k]);
                    }
                    lists[i] = top.items();
                    sims[i] = top.scores();
                    sims[i][0] = 1f;
                    for (int k = 1; k < sims[i].length; k++) {
                        sims[i][k] = (float) Math.exp((sims[i][k] - 1) / temperature);
                    }
                }
            }
        } finally {
            synchronized (this) {
                if (lists.length == n) {
                    neighbours = lists;
                    neighbourSims = sims;
                }
                neighboursOfChange = target;
                building = false;
            }
        }
        LOG.info(
                "recommender: nearest {} items of each of {} items in {} ms",
                count,
                items.cardinality(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    private synchronized INDArray units() {
        // a re-embedding is 10,000 updates in a burst: rebuilt at most every 0.5 s meanwhile
        if (units == null || (changed && System.nanoTime() - builtAtNanos >= REBUILD_NANOS)) {
            // centred on the catalogue's mean embedding: ReLU features are all non-negative, and
            // raw cosines of any two items of a class were all about 0.9
            float[] mean = new float[dim];
            int count = present.cardinality();
            for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
                int base = i * dim;
                for (int d = 0; d < dim; d++) {
                    mean[d] += values[base + d] / count;
                }
            }
            float[] scaled = new float[values.length];
            for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
                int base = i * dim;
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    float c = values[base + d] - mean[d];
                    scaled[base + d] = c;
                    norm += (double) c * c;
                }
                if (norm > 0) {
                    float inv = (float) (1 / Math.sqrt(norm));
                    for (int d = 0; d < dim; d++) {
                        scaled[base + d] *= inv;
                    }
                }
            }
            centre = mean;
            units = Nd4j.create(scaled, new long[] {norms.length, dim}, 'c');
            changed = false;
            builtAtNanos = System.nanoTime();
        }
        return units;
    }

    /**
     * A record of {@code items.embeddings} that cannot be used: a global store has no sink for dead
     * letters, so it is counted and logged (the first, then every 1,000th), and the item has no
     * embedding until a usable record replaces it.
     */
    private void refuse(String itemId, String why) {
        refusedRecords++;
        if (refusedRecords == 1 || refusedRecords % 1000 == 0) {
            LOG.warn(
                    "recommender: items.embeddings record of '{}' not used: {} ({} such records so"
                            + " far)",
                    itemId,
                    why,
                    refusedRecords);
        }
    }

    /** Records of {@code items.embeddings} refused so far. */
    synchronized long refusedRecords() {
        return refusedRecords;
    }

    /** Decodes item {@code i}'s row; the reason it cannot be used, or null. */
    private String decodeInto(int i, byte[] raw) {
        ItemEmbedding e;
        try {
            e = reader.deserialize("items.embeddings", raw);
        } catch (RuntimeException ex) {
            return "undecodable: " + ex.getMessage();
        }
        List<Float> v = e.getVector();
        if (v.size() != dim) {
            return "a vector of " + v.size() + " values, the profile has " + dim;
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            float x = v.get(d);
            if (!Float.isFinite(x)) {
                return "a non-finite value at " + d;
            }
            norm += (double) x * x;
        }
        int base = i * dim;
        for (int d = 0; d < dim; d++) {
            values[base + d] = v.get(d);
        }
        norms[i] = (float) Math.sqrt(norm);
        versions[i] = e.getModelVersion();
        return null;
    }
}
