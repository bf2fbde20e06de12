package io.streamdl.scoring.lifecycle;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.topics.DeadLetterRecords;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotes or refuses the candidates of the models with shadow trials, and rolls a promoted version
 * back when its live accuracy drops ({@link PromotionJudge}); every decision is a {@code
 * models.events} record with the numbers behind it, a refusal also a {@code dlq} record (stage
 * {@value #STAGE}) and a rollback a signed copy of the version before on {@code models.<model>}.
 *
 * <p>One thread reads {@code models.events} from its start (which rebuilds the trials) and the
 * models' served and shadow scores and {@code events.labels} from their ends, {@code
 * read_committed}, without a consumer group. It is the one reader of every model's events that
 * dead-letters a record there that does not decode. Run one controller per pipeline.
 */
public final class LifecycleController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleController.class);
    public static final String STAGE = "lifecycle";
    public static final String ACTOR = "lifecycle-controller";

    private final String bootstrap;
    private final String registryUrl;
    private final RegistryClientSettings registrySettings;
    private final List<String> models;
    private final ModelUpdateCodec codec;
    private final PromotionJudge judge;
    private final Thread thread;
    private final AtomicLong decisions = new AtomicLong();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;
    private LifecyclePublisher publisher;
    private final KafkaClientSecurity security;

    public LifecycleController(
            String bootstrap,
            String registryUrl,
            List<String> models,
            LifecycleSettings settings,
            ModelUpdateCodec codec) {
        this(bootstrap, registryUrl, models, settings, codec, KafkaClientSecurity.PLAINTEXT);
    }

    /** As the other constructor, reaching Kafka as {@code security}'s principal. */
    public LifecycleController(
            String bootstrap,
            String registryUrl,
            List<String> models,
            LifecycleSettings settings,
            ModelUpdateCodec codec,
            KafkaClientSecurity security) {
        this(
                bootstrap,
                registryUrl,
                RegistryClientSettings.NONE,
                models,
                settings,
                codec,
                security);
    }

    /**
     * As the other constructors, reaching Kafka as {@code security}'s principal and the registry
     * with {@code registrySettings} (a secured registry's trust store and credentials).
     */
    public LifecycleController(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            List<String> models,
            LifecycleSettings settings,
            ModelUpdateCodec codec,
            KafkaClientSecurity security) {
        this.security = security;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.registrySettings = registrySettings;
        this.models = List.copyOf(models);
        this.codec = codec;
        this.judge = new PromotionJudge(settings, new Act());
        this.thread = new Thread(this::run, "lifecycle-controller");
        this.thread.setDaemon(true);
    }

    /** Starts the controller's thread. */
    public LifecycleController start() {
        thread.start();
        return this;
    }

    /** Promotions, refusals and rollbacks made so far. */
    public long decisions() {
        return decisions.get();
    }

    private void run() {
        Properties props = security.applyTo(new Properties());
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        try (RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(registryUrl, registrySettings);
                KafkaConsumer<byte[], byte[]> c =
                        new KafkaConsumer<>(
                                props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                LifecyclePublisher out =
                        new LifecyclePublisher(
                                bootstrap, registryUrl, registrySettings, ACTOR, security)) {
            consumer = c;
            publisher = out;
            if (stopped) {
                return;
            }
            AvroWireDeserializer<Score> scores =
                    AvroWireDeserializer.specific(registry, Score.class);
            AvroWireDeserializer<Label> labels =
                    AvroWireDeserializer.specific(registry, Label.class);
            AvroWireDeserializer<ModelEvent> events =
                    AvroWireDeserializer.specific(registry, ModelEvent.class);
            List<TopicPartition> fromStart = partitions(c, Topics.MODEL_EVENTS.name());
            // without models on trial it only dead-letters what does not decode on models.events
            List<TopicPartition> fromEnd =
                    models.isEmpty()
                            ? new ArrayList<>()
                            : new ArrayList<>(partitions(c, Topics.EVENTS_LABELS.name()));
            for (String m : models) {
                fromEnd.addAll(partitions(c, Topics.scores(m).name()));
                fromEnd.addAll(partitions(c, Topics.shadowScores(m).name()));
            }
            List<TopicPartition> all = new ArrayList<>(fromStart);
            all.addAll(fromEnd);
            c.assign(all);
            c.seekToBeginning(fromStart);
            c.seekToEnd(fromEnd);
            fromEnd.forEach(c::position); // fix the end now, before anything is produced
            LOG.info("lifecycle controller: judging the candidates of {}", models);
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    handle(r, scores, labels, events);
                }
            }
        } catch (WakeupException e) {
            // closed
        } catch (RuntimeException e) {
            LOG.error("lifecycle controller stopped", e);
        }
    }

    private void handle(
            ConsumerRecord<byte[], byte[]> r,
            AvroWireDeserializer<Score> scores,
            AvroWireDeserializer<Label> labels,
            AvroWireDeserializer<ModelEvent> events) {
        if (r.value() == null) {
            return;
        }
        String topic = r.topic();
        try {
            if (topic.equals(Topics.MODEL_EVENTS.name())) {
                judge.onEvent(events.deserialize(topic, r.partition(), r.offset(), r.value()));
            } else if (topic.equals(Topics.EVENTS_LABELS.name())) {
                Label l = labels.deserialize(topic, r.partition(), r.offset(), r.value());
                judge.onLabel(l.getEventId(), l.getLabel());
            } else {
                judge.onScore(
                        scores.deserialize(topic, r.partition(), r.offset(), r.value()),
                        topic.endsWith(".shadow"));
            }
        } catch (SerdeException e) {
            if (topic.equals(Topics.MODEL_EVENTS.name())) {
                publisher.publish(
                        DeadLetterRecords.of(
                                topic,
                                r.partition(),
                                r.offset(),
                                r.key(),
                                r.value(),
                                STAGE,
                                e.reason().name(),
                                "a models.events record that does not decode: " + e.getMessage(),
                                System.currentTimeMillis()));
            }
            // labels and scores that do not decode are dead-lettered by the jobs that read them
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> out = new ArrayList<>();
        c.partitionsFor(topic, Duration.ofSeconds(60))
                .forEach(p -> out.add(new TopicPartition(topic, p.partition())));
        return out;
    }

    private final class Act implements PromotionJudge.Decisions {
        @Override
        public void promote(String model, long candidate, long served, Map<String, Double> m) {
            decisions.incrementAndGet();
            String reason =
                    String.format(
                            Locale.ROOT,
                            "version %d is not worse than version %d over %.0f events: %s",
                            candidate,
                            served,
                            m.get("pairs"),
                            figures(m));
            LOG.info("model '{}': {}", model, reason);
            publisher.publish(
                    ModelEvents.of(
                            model,
                            ModelEvents.PROMOTED,
                            candidate,
                            served,
                            reason,
                            m,
                            ACTOR,
                            now()));
        }

        @Override
        public void refuse(String model, long candidate, long served, Map<String, Double> m) {
            decisions.incrementAndGet();
            String reason =
                    String.format(
                            Locale.ROOT,
                            "version %d is worse than version %d by more than the margin %.3f over"
                                    + " %.0f events: %s; version %d keeps serving",
                            candidate,
                            served,
                            m.get("margin"),
                            m.get("pairs"),
                            figures(m),
                            served);
            LOG.warn("model '{}': {}", model, reason);
            publisher.publish(
                    ModelEvents.of(
                            model,
                            ModelEvents.REFUSED,
                            candidate,
                            served,
                            reason,
                            m,
                            ACTOR,
                            now()));
            publisher.publish(
                    DeadLetterRecords.of(
                            Topics.models(model).name(),
                            -1,
                            -1,
                            null,
                            null,
                            STAGE,
                            "CANDIDATE_WORSE",
                            "model '" + model + "': " + reason,
                            now()));
        }

        @Override
        public void rollBack(String model, long promoted, long previous, Map<String, Double> m) {
            decisions.incrementAndGet();
            Rollbacks.Published p;
            try (ModelTopicReader reader =
                    new ModelTopicReader(bootstrap, registryUrl, registrySettings, security)) {
                p = Rollbacks.publishCopy(reader, publisher, codec, model, previous, Map.of());
            } catch (RuntimeException e) {
                LOG.error(
                        "model '{}': version {} should roll back to {} but could not: {}",
                        model,
                        promoted,
                        previous,
                        e.getMessage());
                return;
            }
            long copy = p.copy().getVersion();
            String reason =
                    String.format(
                            Locale.ROOT,
                            "version %d's live accuracy %.3f over its last %.0f labelled scores is"
                                    + " below the %.3f it was promoted with by more than %.3f;"
                                    + " version %d is a copy of version %d",
                            promoted,
                            m.get("liveAccuracy"),
                            m.get("window"),
                            m.get("promotedAccuracy"),
                            m.get("drop"),
                            copy,
                            previous);
            LOG.warn("model '{}': {}", model, reason);
            publisher.publish(
                    ModelEvents.of(
                            model,
                            ModelEvents.AUTO_ROLLED_BACK,
                            copy,
                            promoted,
                            reason,
                            m,
                            ACTOR,
                            now()));
        }
    }

    private static String figures(Map<String, Double> m) {
        if (m.containsKey("candidateAccuracy")) {
            return String.format(
                    Locale.ROOT,
                    "accuracy %.3f against %.3f",
                    m.get("candidateAccuracy"),
                    m.get("servingAccuracy"));
        }
        return String.format(
                Locale.ROOT,
                "mean error %.4g against %.4g",
                m.get("candidateMeanError"),
                m.get("servingMeanError"));
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(30_000);
    }
}
