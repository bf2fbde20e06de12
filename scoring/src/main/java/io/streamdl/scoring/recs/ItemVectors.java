package io.streamdl.scoring.recs;

import io.streamdl.schemas.avro.ItemEmbedding;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The content embeddings of the catalogue's items as one task sees them in the {@code
 * items.embeddings} global store: decoded on first use and kept until the store's record of the
 * item changes. An embedding that does not decode, or whose length is not the profile's, counts as
 * absent. Not thread-safe: one per task.
 */
final class ItemVectors {
    /** One item's embedding and the image model version that made it. */
    record Vector(float[] values, long version) {}

    private final ReadOnlyKeyValueStore<String, byte[]> store;
    private final Deserializer<ItemEmbedding> reader;
    private final List<String> items;
    private final Map<String, Integer> index;
    private final int dim;
    private final byte[][] raw;
    private final Vector[] decoded;
    private final BitSet known = new BitSet();
    private long knownCount = -1;

    ItemVectors(
            ReadOnlyKeyValueStore<String, byte[]> store,
            Deserializer<ItemEmbedding> reader,
            List<String> items,
            Map<String, Integer> index,
            int dim) {
        this.store = store;
        this.reader = reader;
        this.items = items;
        this.index = index;
        this.dim = dim;
        this.raw = new byte[items.size()][];
        this.decoded = new Vector[items.size()];
    }

    /** Item {@code i}'s embedding, or null when the store has no usable one. */
    Vector get(int i) {
        byte[] bytes = store.get(items.get(i));
        if (bytes == null) {
            return null;
        }
        if (bytes != raw[i]) {
            raw[i] = bytes;
            decoded[i] = decode(bytes);
        }
        return decoded[i];
    }

    /**
     * The items that have an embedding, refreshed when the store's entry count changed; an
     * embedding store with no entries at all means every item of the catalogue is offered.
     */
    BitSet known() {
        long count = store.approximateNumEntries();
        if (count != knownCount) {
            known.clear();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> next = all.next();
                    Integer i = index.get(next.key);
                    if (i != null) {
                        known.set(i);
                    }
                }
            }
            if (known.isEmpty()) {
                known.set(0, items.size());
            }
            knownCount = count;
        }
        return known;
    }

    private Vector decode(byte[] bytes) {
        ItemEmbedding e;
        try {
            e = reader.deserialize("items.embeddings", bytes);
        } catch (RuntimeException ex) {
            return null;
        }
        List<Float> v = e.getVector();
        if (v.size() != dim) {
            return null;
        }
        float[] values = new float[dim];
        for (int k = 0; k < dim; k++) {
            float x = v.get(k);
            if (!Float.isFinite(x)) {
                return null;
            }
            values[k] = x;
        }
        return new Vector(values, e.getModelVersion());
    }
}
