package io.streamdl.ops.cli;

import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.InteractionSender;
import io.streamdl.ingest.interactions.ItemCatalogue;
import io.streamdl.ingest.interactions.SimulatorConfig;
import io.streamdl.ingest.interactions.UserSimulator;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.labels.LabelSets;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The demo's recommendation part: a small simulated population ({@value #USERS} users over the
 * Fashion-MNIST test items, tastes redrawn halfway) sending interactions, and a watch on the most
 * active user's recommendations, printed whenever their top items change (the popular fallback only
 * once), with each item's class next to the user's favourite classes, so the recommendations can be
 * seen following the tastes (and the drift). Counts interactions in, recommendations and dead
 * letters out.
 */
final class DemoInteractions implements AutoCloseable {
    static final int USERS = 50;
    private static final int SHOWN = 5;
    private static final int MAX_PRINTED = 12;

    private final ItemCatalogue items;
    private final UserSimulator simulator;
    private final InteractionSender sender;
    private final RestSchemaRegistryClient registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String watched;
    private final int watchedIndex;
    private final long driftAt;
    private final Deque<Recommendation> changes = new ArrayDeque<>();
    private List<String> lastShown = List.of();
    private long sent;
    private long recommended;
    private long dead;
    private int printed;
    private boolean driftPrinted;
    private boolean ranked;

    DemoInteractions(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            long total,
            double rate,
            KafkaClientSecurity ingest,
            KafkaClientSecurity reader) {
        items = ItemCatalogue.fashionMnistTest();
        driftAt = Math.max(2, total / 2);
        simulator =
                new UserSimulator(
                        items,
                        new SimulatorConfig(USERS, rate, 7, driftAt, System.currentTimeMillis()));
        int busiest = 0;
        for (int u = 1; u < USERS; u++) {
            if (simulator.activity(u) > simulator.activity(busiest)) {
                busiest = u;
            }
        }
        watchedIndex = busiest;
        watched = UserSimulator.userId(busiest);
        sender = new InteractionSender(bootstrap, registryUrl, registrySettings, ingest);
        registry = new RestSchemaRegistryClient(registryUrl, registrySettings);
        Properties p = reader.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-recs-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.RECOMMENDATIONS.name(), Topics.DLQ.name()));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        thread = new Thread(this::run, "demo-recs");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        AvroWireDeserializer<Recommendation> recs =
                AvroWireDeserializer.specific(registry, Recommendation.class);
        AvroWireDeserializer<DeadLetter> letters =
                AvroWireDeserializer.specific(registry, DeadLetter.class);
        while (running.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() == null) {
                    continue;
                }
                synchronized (this) {
                    if (r.topic().equals(Topics.DLQ.name())) {
                        DeadLetter d = letters.deserialize(r.topic(), r.value());
                        if (Topics.INTERACTIONS.name().equals(d.getSourceTopic())) {
                            dead++;
                        }
                        continue;
                    }
                    Recommendation rec = recs.deserialize(r.topic(), r.value());
                    recommended++;
                    if (rec.getUserId().equals(watched)) {
                        changes.addLast(rec);
                        ranked |= !"popular".equals(rec.getBasis());
                    }
                }
            }
        }
    }

    /** The users sent so far. */
    String about() {
        return String.format(
                "%d simulated users interact with %,d Fashion-MNIST items (tastes redrawn after %,d"
                        + " interactions); %s's recommendations are printed as they change",
                USERS, items.size(), driftAt, watched);
    }

    /** Sends the next interaction of the simulated stream. */
    void sendOne() {
        sender.send(simulator.next().toAvro());
        synchronized (this) {
            sent++;
        }
    }

    void flush() {
        sender.flush();
    }

    /** Whether the watched user has had a recommendation ranked by content or by the model. */
    synchronized boolean ranked() {
        return ranked;
    }

    synchronized long sent() {
        return sent;
    }

    /** Interactions accounted for: a recommendation or a dead letter each. */
    synchronized long accounted() {
        return recommended + dead;
    }

    /** Prints the watched user's recommendations that changed since the last call. */
    void print(PrintStream out) {
        List<Recommendation> fresh;
        synchronized (this) {
            fresh = new ArrayList<>(changes);
            changes.clear();
        }
        for (Recommendation rec : fresh) {
            List<String> shown = new ArrayList<>();
            for (RecommendedItem item : rec.getItems()) {
                if (shown.size() < SHOWN) {
                    shown.add(item.getItemId());
                }
            }
            // the popular items change with every count: only the first such list is shown
            boolean popular = "popular".equals(rec.getBasis());
            if (shown.equals(lastShown) || printed >= MAX_PRINTED || (popular && printed > 0)) {
                continue;
            }
            lastShown = shown;
            long index = simulator.nextIndex();
            if (!driftPrinted && index >= driftAt) {
                driftPrinted = true;
                out.printf(
                        "  TASTE DRIFT: %s now likes %s%n",
                        watched, favourites(simulator.tastesAt(watchedIndex, driftAt)));
            }
            StringBuilder line = new StringBuilder();
            for (String id : shown) {
                int i = LabelSets.itemIndex(id);
                line.append(line.length() == 0 ? "" : ", ")
                        .append(id)
                        .append(' ')
                        .append(i >= 0 && i < items.size() ? className(i) : "?");
            }
            out.printf(
                    "  RECS %s (likes %s) [%s, model v%d, embeddings v%d]: %s%n",
                    watched,
                    favourites(simulator.tastesAt(watchedIndex, index)),
                    rec.getBasis(),
                    rec.getModelVersion(),
                    rec.getEmbeddingVersion(),
                    line);
            printed++;
            if (printed == MAX_PRINTED) {
                out.println("  (further changes are not printed)");
            }
        }
    }

    synchronized String summary() {
        return String.format(
                "  interactions in      %,d = %,d recommendations + %,d dead letters%s%n",
                sent,
                recommended,
                dead,
                recommended + dead == sent
                        ? ""
                        : String.format(" (%,d still in flight)", sent - recommended - dead));
    }

    private String className(int item) {
        return FashionMnist.CLASSES.get(items.classOf(item));
    }

    private static String favourites(io.streamdl.ingest.interactions.UserTastes tastes) {
        List<String> names = new ArrayList<>();
        for (int c : tastes.favourites()) {
            names.add(FashionMnist.CLASSES.get(c));
        }
        return String.join(", ", names);
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
        sender.close();
        registry.close();
    }
}
