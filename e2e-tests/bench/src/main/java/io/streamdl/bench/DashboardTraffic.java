package io.streamdl.bench;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.labels.LabelSets;
import io.streamdl.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * What the dashboard aggregates read from a running pipeline, made up: scores of the image, audio
 * and text models (one in two, three in ten and two in ten of the events), about 1 % of events
 * dead-lettered instead of scored, and for about half of the image scores a {@link Label} one
 * second later that matches the score's label nine times in ten. Each model's version goes up every
 * {@link Model#period} ms of the traffic's time, with the previous version still serving a fifth of
 * its scores for the first {@value #CANARY_MILLIS} ms after a switch. A score's {@code scoredTs} is
 * the time it is made, its {@code eventTs} tens of milliseconds earlier.
 *
 * <p>Deterministic for a seed and the times it is called with; not thread-safe (one thread at a
 * time, handed over with a happens-before edge).
 */
final class DashboardTraffic {
    /** The model whose scores only advance stream time ({@link #flushScore}). */
    static final String FLUSH_MODEL = "bench-flush";

    static final double DEAD_LETTER_SHARE = 0.01;
    static final double LABELLED_IMAGE_SHARE = 0.5;
    static final double LABELS_MATCHING = 0.9;
    static final long LABEL_DELAY_MILLIS = 1000;
    static final long CANARY_MILLIS = 5000;

    private static final String[] REASONS = {
        "NO_MAGIC_BYTE", "TRUNCATED", "UNKNOWN_SCHEMA_ID", "MALFORMED_AVRO", "BAD_SHAPE"
    };

    /** A record to send: its topic, key (the event id, or none) and value. */
    record Out(String topic, String key, SpecificRecord value) {}

    /** One model of the traffic: its labels and how often a new version comes. */
    record Model(String name, List<String> labels, double share, long period) {}

    private final List<Model> models;
    private final long startMillis;
    private final Random random;
    private final ArrayDeque<Label> labels = new ArrayDeque<>();
    private final Map<String, Long> scoresByTopic = new LinkedHashMap<>();
    private long events;
    private long deadLetters;
    private long labelsSent;
    private long labelsMatching;

    /**
     * @param startMillis time zero of the model versions (version 1 of every model starts here)
     */
    DashboardTraffic(long seed, long startMillis) {
        this(
                List.of(
                        new Model("image", LabelSets.get(LabelSets.FASHION_MNIST), 0.5, 40_000),
                        new Model("audio", LabelSets.get(LabelSets.KEYWORDS), 0.3, 60_000),
                        new Model("text", LabelSets.get(LabelSets.DEBIAN_SECTIONS), 0.2, 90_000)),
                seed,
                startMillis);
    }

    DashboardTraffic(List<Model> models, long seed, long startMillis) {
        this.models = List.copyOf(models);
        this.startMillis = startMillis;
        this.random = new Random(seed);
        for (Model m : models) {
            scoresByTopic.put(Topics.scores(m.name()).name(), 0L);
        }
    }

    /** The score topics this traffic writes. */
    List<String> scoreTopics() {
        return List.copyOf(scoresByTopic.keySet());
    }

    /**
     * One event at {@code nowMillis}: its score (or its dead letter), preceded by the labels due by
     * then.
     */
    List<Out> next(long nowMillis) {
        List<Out> out = new ArrayList<>(2);
        while (!labels.isEmpty() && labels.peekFirst().getTs() <= nowMillis) {
            out.add(label(labels.pollFirst()));
        }
        events++;
        String id = "ev-" + events;
        if (random.nextDouble() < DEAD_LETTER_SHARE) {
            deadLetters++;
            out.add(new Out(Topics.DLQ.name(), null, deadLetter(id, nowMillis)));
            return out;
        }
        Model model = pick();
        Score score = score(model, id, nowMillis);
        String topic = Topics.scores(model.name()).name();
        scoresByTopic.merge(topic, 1L, Long::sum);
        out.add(new Out(topic, id, score));
        if (model == models.get(0) && random.nextDouble() < LABELLED_IMAGE_SHARE) {
            String truth = score.getLabel().toString();
            if (random.nextDouble() < LABELS_MATCHING) {
                labelsMatching++;
            } else {
                truth = other(model.labels(), truth);
            }
            labels.addLast(new Label(id, truth, nowMillis + LABEL_DELAY_MILLIS));
        }
        return out;
    }

    /** The labels not yet due, stamped {@code nowMillis}: sent when the traffic stops. */
    List<Out> pendingLabels(long nowMillis) {
        List<Out> out = new ArrayList<>(labels.size());
        while (!labels.isEmpty()) {
            Label l = labels.pollFirst();
            l.setTs(nowMillis);
            out.add(label(l));
        }
        return out;
    }

    private Out label(Label l) {
        labelsSent++;
        return new Out(Topics.EVENTS_LABELS.name(), l.getEventId().toString(), l);
    }

    private Model pick() {
        double u = random.nextDouble();
        for (Model m : models) {
            u -= m.share();
            if (u < 0) {
                return m;
            }
        }
        return models.get(models.size() - 1);
    }

    /** The version serving at {@code nowMillis}: the newest, or in a canary the previous one. */
    long version(Model model, long nowMillis) {
        long elapsed = Math.max(0, nowMillis - startMillis);
        long newest = 1 + elapsed / model.period();
        boolean canary = newest > 1 && elapsed % model.period() < CANARY_MILLIS;
        return canary && random.nextDouble() < 0.2 ? newest - 1 : newest;
    }

    private Score score(Model model, String id, long nowMillis) {
        int n = model.labels().size();
        float[] p = new float[n];
        float sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.exp(3 * random.nextGaussian());
            sum += p[i];
        }
        int best = 0;
        List<Float> probabilities = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
            best = p[i] > p[best] ? i : best;
            probabilities.add(p[i]);
        }
        // event to score: mostly tens of ms, a tail of hundreds
        long latency = (long) Math.min(5000, Math.exp(3.3 + 0.8 * random.nextGaussian()));
        return Score.newBuilder()
                .setEventId(id)
                .setModel(model.name())
                .setModelVersion(version(model, nowMillis))
                .setLabel(model.labels().get(best))
                .setProbabilities(probabilities)
                .setScore(p[best])
                .setEventTs(nowMillis - latency)
                .setScoredTs(nowMillis)
                .setSeries(null)
                .build();
    }

    private DeadLetter deadLetter(String id, long nowMillis) {
        String reason = REASONS[random.nextInt(REASONS.length)];
        return DeadLetter.newBuilder()
                .setSourceTopic(Topics.EVENTS_RAW.name())
                .setPartition(random.nextInt(2))
                .setOffset(events)
                .setStage(reason.equals("BAD_SHAPE") ? "encode.image" : "decode")
                .setError(reason)
                .setMessage("event " + id + " refused: " + reason)
                .setKey(null)
                .setValue(null)
                .setTs(nowMillis)
                .build();
    }

    private String other(List<String> labels, String label) {
        String pick = label;
        while (pick.equals(label)) {
            pick = labels.get(random.nextInt(labels.size()));
        }
        return pick;
    }

    /**
     * A score of {@link #FLUSH_MODEL}, version {@code version}, at {@code nowMillis}: it moves the
     * stream time of the task it reaches past the windows before it, so that they close; its own
     * metrics are not part of the traffic.
     */
    static Score flushScore(long version, long nowMillis) {
        return Score.newBuilder()
                .setEventId("flush-" + version + "-" + nowMillis)
                .setModel(FLUSH_MODEL)
                .setModelVersion(version)
                .setLabel(null)
                .setScore(0)
                .setEventTs(nowMillis)
                .setScoredTs(nowMillis)
                .setSeries(null)
                .build();
    }

    /**
     * Versions of {@link #FLUSH_MODEL} whose keys ({@code model@version}, as the app groups scores)
     * fall, between them, on every partition of a topic of each of {@code partitionCounts}
     * partitions, as the producer's default partitioner places keyed records.
     */
    static List<Long> flushVersions(Collection<Integer> partitionCounts) {
        List<Long> versions = new ArrayList<>();
        Set<String> covered = new HashSet<>();
        long needed = partitionCounts.stream().distinct().mapToLong(Integer::longValue).sum();
        for (long v = 1; covered.size() < needed; v++) {
            if (v > 100_000) {
                throw new IllegalStateException("no flush keys cover " + partitionCounts);
            }
            byte[] key = (FLUSH_MODEL + "@" + v).getBytes(StandardCharsets.UTF_8);
            int hash = Utils.toPositive(Utils.murmur2(key));
            boolean useful = false;
            for (int n : new TreeSet<>(partitionCounts)) {
                useful |= covered.add(n + ":" + hash % n);
            }
            if (useful) {
                versions.add(v);
            }
        }
        return versions;
    }

    /** Events so far (scores and dead letters). */
    long events() {
        return events;
    }

    long scores() {
        return events - deadLetters;
    }

    Map<String, Long> scoresByTopic() {
        return Map.copyOf(scoresByTopic);
    }

    long deadLetters() {
        return deadLetters;
    }

    long labels() {
        return labelsSent;
    }

    /** Labels made (sent or pending) that match their score's label. */
    long labelsMatching() {
        return labelsMatching;
    }
}
