package io.streamdl.scoring.recs;

import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.topics.DeadLetterRecords;
import io.streamdl.scoring.LoadedModel;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.UpdateVerifier;
import io.streamdl.scoring.recs.ItemEmbedderState.Embedded;
import io.streamdl.scoring.recs.ItemEmbedderState.Pending;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the image model's updates into the catalogue's embeddings. Each record of {@code
 * models.<image-model>} is decoded, checked to be of the configured model, verified (signature,
 * checksum, weights: the scorers' {@link UpdateVerifier}) and checked to take the catalogue's
 * images; a version not newer than the one last embedded, or than the one waiting, is ignored. A
 * newer one is embedded at once when the minimum interval has passed since the last embedding,
 * otherwise it waits (replacing an older waiting one) in the pending store until a wall-clock
 * punctuation finds the interval passed. Embedding loads the update with the {@link ModelLoader},
 * computes every item's embedding ({@link ItemEmbedder#embedAll}), closes the session, writes one
 * {@link ItemEmbedding} per item and records the version and time in the embedded store.
 *
 * <p>Nothing a record carries makes it throw: a record without a value, undecodable, of another
 * model, refused by the verifier or not embeddable, and a verified update that then fails in ONNX
 * Runtime, becomes a dead letter of stage {@value ItemEmbedder#STAGE}, and the embeddings already
 * written stay. Only an unreachable registry, no fault of the record, fails the task.
 *
 * <p>The work runs on the stream thread: the app's only input is the model topic, so there are no
 * records for it to delay, and the embeddings are all computed before the first is forwarded, so
 * the transaction that carries them stays short.
 */
final class ItemEmbedderProcessor implements Processor<byte[], byte[], String, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ItemEmbedderProcessor.class);

    static final String EMPTY_VALUE = "EMPTY_VALUE";
    static final String UNDECODABLE = "UNDECODABLE";
    static final String WRONG_MODEL = "WRONG_MODEL";
    static final String VERIFICATION_FAILED = "VERIFICATION_FAILED";

    /** How often a waiting version is looked at, at most. */
    private static final long MAX_TICK_MILLIS = 1000;

    /** A decoded, verified, embeddable update, or the dead letter of the record it came from. */
    private record Checked(ModelUpdate update, DeadLetter letter) {}

    private final ItemEmbedderConfig config;
    private final Deserializer<ModelUpdate> updates;
    private final UpdateVerifier verifier;
    private final ModelLoader loader;
    private final CatalogueImages images;

    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, Embedded> embedded;
    private KeyValueStore<String, Pending> pending;
    private Sensor refused;
    private Sensor ignored;
    private Sensor reembedded;

    ItemEmbedderProcessor(
            ItemEmbedderConfig config,
            Deserializer<ModelUpdate> updates,
            UpdateVerifier verifier,
            ModelLoader loader,
            CatalogueImages images) {
        this.config = config;
        this.updates = updates;
        this.verifier = verifier;
        this.loader = loader;
        this.images = images;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.embedded = context.getStateStore(ItemEmbedder.EMBEDDED_STORE);
        this.pending = context.getStateStore(ItemEmbedder.PENDING_STORE);
        this.refused = sensor("refused");
        this.ignored = sensor("ignored");
        this.reembedded = sensor("reembedded");
        if (config.minIntervalMillis() > 0) {
            long tick = Math.max(1, Math.min(config.minIntervalMillis(), MAX_TICK_MILLIS));
            context.schedule(
                    Duration.ofMillis(tick),
                    PunctuationType.WALL_CLOCK_TIME,
                    this::embedPendingWhenDue);
        }
    }

    private Sensor sensor(String operation) {
        return context.metrics()
                .addRateTotalSensor(
                        "item-embedder", ItemEmbedder.EMBED, operation, Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        Pending source =
                new Pending(
                        -1,
                        where == null ? config.modelTopic() : where.topic(),
                        where == null ? -1 : where.partition(),
                        where == null ? -1 : where.offset(),
                        record.key(),
                        record.value());
        long now = context.currentSystemTimeMs();
        Checked checked = check(source, now);
        if (checked.letter() != null) {
            deadLetter(checked.letter());
            return;
        }
        ModelUpdate update = checked.update();
        String model = config.imageModel();
        long version = update.getVersion();
        Embedded last = embedded.get(model);
        Pending waiting = pending.get(model);
        if (last != null && version <= last.version()) {
            ignore(version, "version " + last.version() + " is embedded");
            return;
        }
        if (waiting != null && version <= waiting.version()) {
            ignore(version, "version " + waiting.version() + " is waiting");
            return;
        }
        if (due(last, now)) {
            embed(update, source, now);
            return;
        }
        pending.put(
                model,
                new Pending(
                        version,
                        source.topic(),
                        source.partition(),
                        source.offset(),
                        source.key(),
                        source.value()));
        LOG.info(
                "item embedder: {} version {} waits until {} ms after the embedding of version {}{}",
                model,
                version,
                config.minIntervalMillis(),
                last.version(),
                waiting == null ? "" : " (replacing waiting version " + waiting.version() + ")");
    }

    /** The punctuation: embeds each waiting version whose minimum interval has passed. */
    private void embedPendingWhenDue(long now) {
        List<KeyValue<String, Pending>> due = new ArrayList<>();
        try (KeyValueIterator<String, Pending> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, Pending> next = all.next();
                if (due(embedded.get(next.key), now)) {
                    due.add(next);
                }
            }
        }
        for (KeyValue<String, Pending> waiting : due) {
            Checked checked = check(waiting.value, now);
            pending.delete(waiting.key);
            if (checked.letter() != null) {
                deadLetter(checked.letter());
            } else {
                embed(checked.update(), waiting.value, now);
            }
        }
    }

    private boolean due(Embedded last, long now) {
        return config.minIntervalMillis() == 0
                || last == null
                || now - last.embeddedAtMillis() >= config.minIntervalMillis();
    }

    /**
     * Decodes and checks the raw record {@code source} (its version field unused); the pending ones
     * are checked again when their time comes, so only verified updates are ever embedded.
     */
    private Checked check(Pending source, long now) {
        if (source.value() == null || source.value().length == 0) {
            return refuse(source, EMPTY_VALUE, "the record has no value", now);
        }
        ModelUpdate update;
        try {
            update = updates.deserialize(source.topic(), source.value());
        } catch (SerdeException e) {
            if (e.reason() == SerdeException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            return refuse(source, e.reason().name(), e.getMessage(), now);
        } catch (SerializationException e) {
            return refuse(source, UNDECODABLE, String.valueOf(e.getMessage()), now);
        }
        if (!config.imageModel().equals(update.getModel())) {
            return refuse(
                    source,
                    WRONG_MODEL,
                    "update for model "
                            + update.getModel()
                            + " on the topic of "
                            + config.imageModel(),
                    now);
        }
        UpdateVerifier.Refusal refusal;
        try {
            refusal = verifier.check(update);
        } catch (RuntimeException e) {
            refusal = new UpdateVerifier.Refusal(VERIFICATION_FAILED, e.toString());
        }
        if (refusal != null) {
            return refuse(
                    source,
                    refusal.reason(),
                    "version " + update.getVersion() + ": " + refusal.message(),
                    now);
        }
        String notEmbeddable;
        try {
            notEmbeddable =
                    ItemEmbedder.whyNotEmbeddable(
                            ModelSpec.fromJson(update.getArchitecture()), images);
        } catch (RuntimeException e) {
            notEmbeddable = "its spec does not read: " + e.getMessage();
        }
        if (notEmbeddable != null) {
            return refuse(
                    source,
                    ItemEmbedder.NOT_EMBEDDABLE,
                    "version " + update.getVersion() + ": " + notEmbeddable,
                    now);
        }
        return new Checked(update, null);
    }

    private void embed(ModelUpdate update, Pending source, long now) {
        String model = config.imageModel();
        long version = update.getVersion();
        long start = System.nanoTime();
        List<float[]> vectors;
        try (LoadedModel loaded = loader.load(update)) {
            vectors = ItemEmbedder.embedAll(loaded.backend(), images, config.batchSize());
        } catch (ItemEmbedder.NotEmbeddable e) {
            LOG.warn(
                    "item embedder: {} version {} not embedded: {}",
                    model,
                    version,
                    e.getMessage());
            deadLetter(
                    refuse(source, e.reason(), "version " + version + ": " + e.getMessage(), now)
                            .letter());
            return;
        } catch (RuntimeException e) {
            LOG.warn("item embedder: {} version {} failed to embed", model, version, e);
            deadLetter(
                    refuse(
                                    source,
                                    ItemEmbedder.EMBEDDING_FAILED,
                                    "version " + version + ": " + e,
                                    now)
                            .letter());
            return;
        }
        for (int i = 0; i < vectors.size(); i++) {
            float[] vector = vectors.get(i);
            List<Float> values = new ArrayList<>(vector.length);
            for (float v : vector) {
                values.add(v);
            }
            String itemId = images.itemId(i);
            ItemEmbedding embedding =
                    ItemEmbedding.newBuilder()
                            .setItemId(itemId)
                            .setVector(values)
                            .setModel(model)
                            .setModelVersion(version)
                            .setTs(now)
                            .build();
            context.forward(
                    new Record<String, SpecificRecord>(itemId, embedding, now),
                    ItemEmbedder.EMBEDDINGS_SINK);
        }
        embedded.put(model, new Embedded(version, now));
        Pending waiting = pending.get(model);
        if (waiting != null && waiting.version() <= version) {
            pending.delete(model);
        }
        reembedded.record();
        LOG.info(
                "item embedder: embedded {} items with {} version {} in {} ms",
                vectors.size(),
                model,
                version,
                (System.nanoTime() - start) / 1_000_000);
    }

    private void ignore(long version, String why) {
        ignored.record();
        LOG.info("item embedder: ignoring {} version {}: {}", config.imageModel(), version, why);
    }

    private Checked refuse(Pending source, String reason, String message, long now) {
        DeadLetter letter =
                DeadLetterRecords.of(
                        source.topic(),
                        source.partition(),
                        source.offset(),
                        source.key(),
                        source.value(),
                        ItemEmbedder.STAGE,
                        reason,
                        message,
                        now);
        return new Checked(null, letter);
    }

    private void deadLetter(DeadLetter letter) {
        refused.record();
        context.forward(
                new Record<String, SpecificRecord>(null, letter, letter.getTs()),
                ItemEmbedder.DLQ_SINK);
    }
}
