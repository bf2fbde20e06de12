package io.streamdl.ops.cli;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the pipeline's outputs (committed records only): scores per model and the version that
 * made them, dead letters by reason, published versions, the trainers' prequential figures, the
 * accuracy of served scores against the labels that arrive for them, and the anomalies the detector
 * raises (kept for printing as they fire).
 *
 * <p>Every event sent ends as one score of its <em>accounting</em> model (the first model of its
 * encoder: the classifier of an image, the forecaster of a metric point) or as a dead letter; other
 * models of the same features (the image autoencoder) are counted apart.
 */
final class DemoMonitor implements AutoCloseable {
    private static final int ACCURACY_WINDOW = 1000;
    private static final int MAX_PENDING_ALERTS = 1000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireDeserializer<Score> scores;
    private final AvroWireDeserializer<DeadLetter> deadLetters;
    private final AvroWireDeserializer<DashboardMetric> metrics;
    private final AvroWireDeserializer<ModelUpdate> updates;
    private final AvroWireDeserializer<Label> labels;
    private final AvroWireDeserializer<Anomaly> anomalies;
    private final List<String> classifiers;
    private final Set<String> accounting;
    private final RestSchemaRegistryClient registry;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);

    private final Map<String, Long> scored = new TreeMap<>();
    private final Map<String, Long> latestVersion = new TreeMap<>();
    private final Map<String, Long> versionsPublished = new TreeMap<>();
    private final Map<String, Long> deadByReason = new TreeMap<>();
    private final Map<String, Double> prequential = new TreeMap<>();
    private final Map<String, String> labelOf = new HashMap<>();
    private final Map<String, Score> awaitingLabel = new HashMap<>();
    private final Map<String, Deque<Boolean>> served = new TreeMap<>();
    private final Map<String, Long> anomaliesByModel = new TreeMap<>();
    private final Map<String, String> prequentialMetric = new HashMap<>();
    private final Deque<Anomaly> newAlerts = new ArrayDeque<>();

    /**
     * @param models every enabled model, in catalogue order
     * @param classifiers those of them that are classifiers
     * @param accounting those whose scores account for the events sent (one per encoder)
     */
    DemoMonitor(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            List<String> models,
            List<String> classifiers,
            Set<String> accounting,
            KafkaClientSecurity security) {
        this.classifiers = List.copyOf(classifiers);
        this.accounting = Set.copyOf(accounting);
        registry = new RestSchemaRegistryClient(registryUrl, registrySettings);
        scores = AvroWireDeserializer.specific(registry, Score.class);
        deadLetters = AvroWireDeserializer.specific(registry, DeadLetter.class);
        metrics = AvroWireDeserializer.specific(registry, DashboardMetric.class);
        updates = AvroWireDeserializer.specific(registry, ModelUpdate.class);
        labels = AvroWireDeserializer.specific(registry, Label.class);
        anomalies = AvroWireDeserializer.specific(registry, Anomaly.class);
        Properties p = security.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-monitor-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 34 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<String> topics =
                new ArrayList<>(List.of("dlq", "dashboard.metrics", "events.labels", "anomalies"));
        for (String model : models) {
            topics.add("scores." + model);
            topics.add("models." + model);
        }
        consumer.subscribe(topics);
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        thread = new Thread(this::run, "demo-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() == null) {
                    continue;
                }
                synchronized (this) {
                    accept(r);
                }
            }
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.startsWith("scores.")) {
            Score s = scores.deserialize(topic, r.value());
            scored.merge(s.getModel(), 1L, Long::sum);
            latestVersion.merge(s.getModel(), s.getModelVersion(), Math::max);
            String label = labelOf.remove(s.getEventId());
            if (label != null) {
                record(s, label);
            } else if (s.getLabel() != null) {
                awaitingLabel.put(s.getEventId(), s);
            }
        } else if (topic.equals("dlq")) {
            DeadLetter d = deadLetters.deserialize(topic, r.value());
            // the recommender's (of interactions and its model updates) are not events'
            if (!d.getSourceTopic().equals("interactions")
                    && !d.getStage().equals("recommender")
                    && !d.getStage().equals("item-embedder")) {
                deadByReason.merge(d.getError(), 1L, Long::sum);
            }
        } else if (topic.equals("dashboard.metrics")) {
            DashboardMetric m = metrics.deserialize(topic, r.value());
            if ((m.getMetric().equals("prequential_accuracy")
                            || m.getMetric().equals("prequential_mean_error"))
                    && m.getModel() != null) {
                prequential.put(m.getModel(), m.getValue());
                prequentialMetric.put(m.getModel(), m.getMetric());
            }
        } else if (topic.equals("anomalies")) {
            Anomaly a = anomalies.deserialize(topic, r.value());
            anomaliesByModel.merge(a.getModel(), 1L, Long::sum);
            if (newAlerts.size() < MAX_PENDING_ALERTS) {
                newAlerts.addLast(a);
            }
        } else if (topic.startsWith("models.")) {
            ModelUpdate u = updates.deserialize(topic, r.value());
            versionsPublished.merge(u.getModel(), 1L, Long::sum);
        } else if (topic.equals("events.labels")) {
            Label l = labels.deserialize(topic, r.value());
            Score s = awaitingLabel.remove(l.getEventId());
            if (s != null) {
                record(s, l.getLabel());
            } else {
                labelOf.put(l.getEventId(), l.getLabel());
            }
        }
    }

    private void record(Score s, String label) {
        Deque<Boolean> window = served.computeIfAbsent(s.getModel(), m -> new ArrayDeque<>());
        window.addLast(label.equals(s.getLabel()));
        if (window.size() > ACCURACY_WINDOW) {
            window.removeFirst();
        }
    }

    /** Scores of the accounting models: one per event that was not dead-lettered. */
    synchronized long scoredTotal() {
        return scored.entrySet().stream()
                .filter(e -> accounting.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** The anomalies that arrived since the last call, oldest first. */
    synchronized List<Anomaly> takeNewAlerts() {
        List<Anomaly> out = new ArrayList<>(newAlerts);
        newAlerts.clear();
        return out;
    }

    synchronized long anomaliesTotal() {
        return anomaliesByModel.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized long deadTotal() {
        return deadByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line for the progress display. */
    synchronized String status() {
        StringBuilder line = new StringBuilder();
        line.append(String.format("scored %,d | dead letters %,d", scoredTotal(), deadTotal()));
        for (String model : classifiers) {
            line.append(
                    String.format(
                            " | %s v%d %s",
                            model, latestVersion.getOrDefault(model, 0L), accuracy(model)));
        }
        line.append(String.format(" | anomalies %,d", anomaliesTotal()));
        return line.toString();
    }

    private String accuracy(String model) {
        Deque<Boolean> window = served.get(model);
        if (window == null || window.isEmpty()) {
            return "acc -";
        }
        long right = window.stream().filter(b -> b).count();
        return String.format("acc %.2f", (double) right / window.size());
    }

    synchronized String summary(long sent, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Summary after %.0f s%n", seconds));
        out.append(String.format("  events in            %,d%n", sent));
        out.append(
                String.format(
                        "  scored               %,d (scores per model %s)%n",
                        scoredTotal(), scored));
        out.append(String.format("  dead letters         %,d %s%n", deadTotal(), deadByReason));
        out.append(String.format("  versions published   %s%n", versionsPublished));
        out.append(String.format("  serving versions     %s%n", latestVersion));
        out.append(
                String.format(
                        "  anomalies            %,d %s%n", anomaliesTotal(), anomaliesByModel));
        for (String model : prequential.keySet()) {
            if (classifiers.contains(model)) {
                continue;
            }
            if ("prequential_accuracy".equals(prequentialMetric.get(model))) {
                // a classifier without scores of its own: the recommender's model
                out.append(
                        String.format(
                                "  %-6s trainer prequential accuracy (next item, top 1) %.4f%n",
                                model, prequential.get(model)));
            } else {
                out.append(
                        String.format(
                                "  %-6s trainer mean prequential error %.4f%n",
                                model, prequential.get(model)));
            }
        }
        for (String model : classifiers) {
            Double p = prequential.get(model);
            out.append(
                    String.format(
                            "  %-6s accuracy of served scores (last %d labelled) %s; trainer prequential %s%n",
                            model,
                            ACCURACY_WINDOW,
                            accuracy(model).replace("acc ", ""),
                            p == null ? "-" : String.format("%.3f", p)));
        }
        return out.toString();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        registry.close();
    }
}
