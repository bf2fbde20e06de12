package io.streamdl.ingest;

import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topic;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends events to {@code events.raw} and their labels to {@code events.labels}, each label after a
 * configured delay (feedback in production arrives after the event). Closing waits for every
 * scheduled label, then flushes. Any send failure is kept and rethrown by {@link #flush()}.
 */
public final class EventSender implements AutoCloseable {
    private final RestSchemaRegistryClient registry;
    private final KafkaProducer<String, RawEvent> events;
    private final KafkaProducer<String, Label> labels;
    private final Duration labelDelay;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong sentEvents = new AtomicLong();
    private final AtomicLong sentLabels = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public EventSender(String bootstrapServers, String registryUrl, Duration labelDelay) {
        this(bootstrapServers, registryUrl, labelDelay, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #EventSender(String, String, Duration)}, authenticating with {@code security}. */
    public EventSender(
            String bootstrapServers,
            String registryUrl,
            Duration labelDelay,
            KafkaClientSecurity security) {
        this(bootstrapServers, registryUrl, RegistryClientSettings.NONE, labelDelay, security);
    }

    /**
     * As {@link #EventSender(String, String, Duration, KafkaClientSecurity)}, reaching the registry
     * with {@code registrySettings} (a secured registry's trust store and credentials).
     */
    public EventSender(
            String bootstrapServers,
            String registryUrl,
            RegistryClientSettings registrySettings,
            Duration labelDelay,
            KafkaClientSecurity security) {
        this.registry = new RestSchemaRegistryClient(registryUrl, registrySettings);
        Topic<String, RawEvent> raw = Topics.EVENTS_RAW.bind(registry, registryUrl);
        Topic<String, Label> lab = Topics.EVENTS_LABELS.bind(registry, registryUrl);
        this.events =
                new KafkaProducer<>(
                        security.applyTo(props(bootstrapServers, "ingest-events")),
                        raw.keySerde().serializer(),
                        raw.valueSerde().serializer());
        this.labels =
                new KafkaProducer<>(
                        security.applyTo(props(bootstrapServers, "ingest-labels")),
                        lab.keySerde().serializer(),
                        lab.valueSerde().serializer());
        this.labelDelay = labelDelay;
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "label-delay");
                            t.setDaemon(true);
                            return t;
                        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(true);
        this.scheduler = executor;
    }

    /** The settings of every ingest producer: acks from all in-sync replicas, a 5 ms linger. */
    static Properties props(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-" + ProcessHandle.current().pid());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return p;
    }

    /**
     * Sends an event, keyed by its id, or by its series for a metric event: the points of one
     * series then share a partition, so the EncodeJob windows them in the order they were sent.
     * Returns the broker's acknowledgement.
     */
    public Future<RecordMetadata> send(RawEvent event) {
        String key =
                event.getPayload() instanceof MetricPayload metric
                        ? metric.getSeries()
                        : event.getId();
        return events.send(
                new ProducerRecord<>(Topics.EVENTS_RAW.name(), null, event.getTs(), key, event),
                (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        sentEvents.incrementAndGet();
                    }
                });
    }

    /** Sends an event now and its label after the configured delay. */
    public Future<RecordMetadata> send(RawEvent event, String label) {
        Future<RecordMetadata> sent = send(event);
        if (label != null) {
            Runnable sendLabel =
                    () ->
                            labels.send(
                                    new ProducerRecord<>(
                                            Topics.EVENTS_LABELS.name(),
                                            event.getId(),
                                            new Label(
                                                    event.getId(),
                                                    label,
                                                    System.currentTimeMillis())),
                                    (m, e) -> {
                                        if (e != null) {
                                            failure.compareAndSet(null, e);
                                        } else {
                                            sentLabels.incrementAndGet();
                                        }
                                    });
            if (labelDelay.isZero()) {
                sendLabel.run();
            } else {
                scheduler.schedule(sendLabel, labelDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return sent;
    }

    public long sentEvents() {
        return sentEvents.get();
    }

    public long sentLabels() {
        return sentLabels.get();
    }

    /** Waits for sent events (not for labels still delayed); rethrows the first failure. */
    public void flush() {
        events.flush();
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to Kafka failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(labelDelay.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close(Duration.ofSeconds(30));
        labels.close(Duration.ofSeconds(30));
        registry.close();
    }
}
