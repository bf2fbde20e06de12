package io.streamdl.scoring.recs;

import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.scoring.LoadedModel;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.UpdateVerifier;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommendation model an app instance serves, shared by its tasks. {@link #offer} is given
 * what the {@code models.<model>} global store holds now; a version newer than the serving and the
 * pending one is verified (signature, checksum, and the same interface as the configured spec),
 * then built on {@code loads}, off the stream threads when that is a background executor, and
 * swapped in when ready; until then the previous version serves. A refused or undecodable update is
 * reported once, to be dead-lettered, and the serving model stays.
 *
 * <p>A replaced model is closed when the next one replaces it, one swap later, so that a task still
 * ranking with it (for the length of one record) never sees it closed.
 */
public final class ServingRecsModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingRecsModel.class);

    private final ModelSpec expected;
    private final Deserializer<ModelUpdate> reader;
    private final UpdateVerifier verifier;
    private final ModelLoader loader;
    private final Executor loads;
    private volatile LoadedModel serving;
    private LoadedModel retired;
    private byte[] lastSeen;
    private long newestOffered = Long.MIN_VALUE;
    private long swaps;

    public ServingRecsModel(
            ModelSpec expected,
            Deserializer<ModelUpdate> reader,
            UpdateVerifier verifier,
            ModelLoader loader,
            Executor loads) {
        this.expected = expected;
        this.reader = reader;
        this.verifier = verifier;
        this.loader = loader;
        this.loads = loads;
    }

    /** The model serving now, or null before the first one is loaded. */
    public LoadedModel serving() {
        return serving;
    }

    /**
     * Where models are built: also where the recommender builds its other derived state (the
     * content neighbour lists), off the stream threads.
     */
    Executor background() {
        return loads;
    }

    public synchronized long swaps() {
        return swaps;
    }

    /**
     * Offers the global store's current record of the model.
     *
     * @param raw its bytes (wire format), or null when the store has none
     * @return a refusal to dead-letter (once per record), or null
     */
    synchronized UpdateVerifier.Refusal offer(String topic, byte[] raw) {
        if (raw == null || raw == lastSeen) {
            return null;
        }
        lastSeen = raw;
        ModelUpdate update;
        try {
            update = reader.deserialize(topic, raw);
        } catch (RuntimeException e) {
            return new UpdateVerifier.Refusal("UNDECODABLE", String.valueOf(e.getMessage()));
        }
        if (update.getVersion() <= newestOffered) {
            return null;
        }
        UpdateVerifier.Refusal refusal;
        try {
            refusal = verifier.check(update);
        } catch (RuntimeException e) {
            refusal = new UpdateVerifier.Refusal("VERIFICATION_FAILED", e.toString());
        }
        if (refusal == null) {
            ModelSpec spec;
            try {
                spec = ModelSpec.fromJson(update.getArchitecture());
            } catch (RuntimeException e) {
                spec = null;
            }
            if (spec == null || !spec.sameInterfaceAs(expected)) {
                refusal =
                        new UpdateVerifier.Refusal(
                                "SPEC_MISMATCH",
                                "version "
                                        + update.getVersion()
                                        + " of '"
                                        + update.getModel()
                                        + "' does not have the configured model's inputs, items"
                                        + " and outputs");
            }
        }
        if (refusal != null) {
            LOG.warn(
                    "recommender refuses version {} of {}: {} {}",
                    update.getVersion(),
                    update.getModel(),
                    refusal.reason(),
                    refusal.message());
            return refusal;
        }
        newestOffered = update.getVersion();
        loads.execute(() -> load(update));
        return null;
    }

    private void load(ModelUpdate update) {
        LoadedModel loaded;
        long started = System.nanoTime();
        try {
            loaded = loader.load(update);
        } catch (RuntimeException e) {
            LOG.error("recommender cannot load version {}", update.getVersion(), e);
            return;
        }
        LoadedModel toClose;
        synchronized (this) {
            if (serving != null && serving.version() >= loaded.version()) {
                toClose = loaded;
            } else {
                toClose = retired;
                retired = serving;
                serving = loaded;
                swaps++;
            }
        }
        if (toClose != null) {
            toClose.close();
        }
        LOG.info(
                "recommender serves {} version {} (loaded in {} ms)",
                update.getModel(),
                update.getVersion(),
                (System.nanoTime() - started) / 1_000_000);
    }

    @Override
    public synchronized void close() {
        if (serving != null) {
            serving.close();
            serving = null;
        }
        if (retired != null) {
            retired.close();
            retired = null;
        }
    }
}
