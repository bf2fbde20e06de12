package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.Score;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lifecycle controller's judgement without Kafka: joins the served and shadow scores of each
 * event with its label, compares a candidate with the served version on the same events, and
 * watches a promoted version's live accuracy.
 *
 * <ul>
 *   <li>A trial starts with a {@code SHADOW} or {@code CANARY} event. As a canary, the candidate
 *       serves a share of the events and the served version the rest: each version's accuracy is
 *       taken on its own labelled scores, and the candidate is judged once both have {@link
 *       LifecycleSettings#minPairs} of them. In shadow, once {@link LifecycleSettings#minPairs}
 *       events have a served score, a shadow score of the candidate and (for a classifier) a label,
 *       the candidate is {@linkplain Decisions#promote promoted} if its accuracy is not below the
 *       served version's by more than the margin, else {@linkplain Decisions#refuse refused}. A
 *       model whose scores carry no label is judged by the mean score (an error: lower is better).
 *   <li>After a promotion of a classifier, the promoted version's last {@link
 *       LifecycleSettings#window} labelled scores are watched; an accuracy below the one it was
 *       promoted with by more than {@link LifecycleSettings#drop} {@linkplain Decisions#rollBack
 *       rolls back} to the version before.
 *   <li>{@code models.events} replayed from its start rebuilds the trials and watches; decisions
 *       made here come back as events and are then ignored.
 * </ul>
 *
 * Events, scores and labels may arrive in any order; the joins of the {@value #MAX_JOINS} most
 * recent events are kept. Not thread-safe.
 */
public final class PromotionJudge {
    /** What the judge decides; called during the call that completed the numbers. */
    public interface Decisions {
        void promote(String model, long candidate, long served, Map<String, Double> metrics);

        void refuse(String model, long candidate, long served, Map<String, Double> metrics);

        void rollBack(String model, long promoted, long previous, Map<String, Double> metrics);
    }

    static final int MAX_JOINS = 200_000;

    private final LifecycleSettings settings;
    private final Decisions decisions;
    private final Map<String, Trial> trials = new HashMap<>();
    private final Map<String, Watch> watches = new HashMap<>();
    private final LinkedHashMap<String, Joined> joins =
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Joined> eldest) {
                    return size() > MAX_JOINS;
                }
            };

    public PromotionJudge(LifecycleSettings settings, Decisions decisions) {
        this.settings = settings;
        this.decisions = decisions;
    }

    private static final class Trial {
        final long candidate;
        final boolean canary;
        long served;
        long pairs;
        long servedEvents;
        long servedRight;
        long candidateRight;
        double servedError;
        double candidateError;
        boolean labelled = true;

        Trial(long candidate, long served, boolean canary) {
            this.candidate = candidate;
            this.served = served;
            this.canary = canary;
        }
    }

    private static final class Watch {
        final long version;
        final long previous;
        final double reference;
        final boolean[] ring;
        int filled;
        int next;
        int right;

        Watch(long version, long previous, double reference, int window) {
            this.version = version;
            this.previous = previous;
            this.reference = reference;
            this.ring = new boolean[window];
        }

        void add(boolean ok) {
            if (filled == ring.length) {
                if (ring[next]) {
                    right--;
                }
            } else {
                filled++;
            }
            ring[next] = ok;
            if (ok) {
                right++;
            }
            next = (next + 1) % ring.length;
        }

        double accuracy() {
            return filled == 0 ? Double.NaN : (double) right / filled;
        }
    }

    /** One event's label and its scores per model. */
    private static final class Joined {
        String label;
        final Map<String, Score[]> scores = new HashMap<>(2);
        final Map<String, boolean[]> counted = new HashMap<>(2);
    }

    /** A score from {@code scores.<model>} ({@code shadow} false) or its shadow topic. */
    public void onScore(Score score, boolean shadow) {
        Joined j = joins.computeIfAbsent(score.getEventId(), k -> new Joined());
        j.scores.computeIfAbsent(score.getModel(), k -> new Score[2])[shadow ? 1 : 0] = score;
        join(score.getModel(), j);
    }

    /** A label of {@code events.labels}. */
    public void onLabel(String eventId, String label) {
        Joined j = joins.computeIfAbsent(eventId, k -> new Joined());
        j.label = label;
        for (String model : j.scores.keySet().toArray(new String[0])) {
            join(model, j);
        }
    }

    /** A {@code models.events} record. */
    public void onEvent(ModelEvent event) {
        String model = event.getModel();
        Long v = event.getVersion();
        if (v == null) {
            return;
        }
        switch (event.getKind()) {
            case ModelEvents.SHADOW, ModelEvents.CANARY -> {
                Trial t = trials.get(model);
                if (t == null || t.candidate != v) {
                    trials.put(
                            model,
                            new Trial(
                                    v,
                                    event.getFromVersion() == null ? -1 : event.getFromVersion(),
                                    ModelEvents.CANARY.equals(event.getKind())));
                }
            }
            case ModelEvents.PROMOTED -> {
                endTrial(model, v);
                Watch w = watches.get(model);
                if (w == null || w.version != v) {
                    Double reference = event.getMetrics().get("candidateAccuracy");
                    startWatch(
                            model,
                            v,
                            event.getFromVersion() == null ? -1 : event.getFromVersion(),
                            reference == null ? Double.NaN : reference);
                }
            }
            case ModelEvents.REFUSED -> endTrial(model, v);
            case ModelEvents.ROLLED_BACK,
                    ModelEvents.AUTO_ROLLED_BACK,
                    ModelEvents.IMPORTED,
                    ModelEvents.PINNED ->
                    watches.remove(model);
            default -> {
                // SERVING, UNPINNED: nothing to judge
            }
        }
    }

    /** The candidate on trial for {@code model}, or -1. */
    public long candidate(String model) {
        Trial t = trials.get(model);
        return t == null ? -1 : t.candidate;
    }

    /** The events judged so far in {@code model}'s trial. */
    public long pairs(String model) {
        Trial t = trials.get(model);
        return t == null ? 0 : t.pairs;
    }

    /** The promoted version watched for {@code model}, or -1. */
    public long watched(String model) {
        Watch w = watches.get(model);
        return w == null ? -1 : w.version;
    }

    private void endTrial(String model, long version) {
        Trial t = trials.get(model);
        if (t != null && t.candidate == version) {
            trials.remove(model);
        }
    }

    private void startWatch(String model, long version, long previous, double reference) {
        if (Double.isFinite(reference) && previous >= 0) {
            watches.put(model, new Watch(version, previous, reference, settings.window()));
        } else {
            watches.remove(model);
        }
    }

    private void join(String model, Joined j) {
        Score[] s = j.scores.get(model);
        boolean[] done = j.counted.computeIfAbsent(model, k -> new boolean[2]);
        Score served = s[0];
        Score shadow = s[1];
        Trial t = trials.get(model);
        if (!done[0] && t != null && t.canary && served != null) {
            boolean labelled = served.getLabel() != null;
            if (!labelled || j.label != null) {
                done[0] = true;
                countCanary(model, t, served, j.label, labelled);
            }
        }
        if (!done[0] && t != null && !t.canary && served != null && shadow != null) {
            if (shadow.getModelVersion() == t.candidate
                    && served.getModelVersion() != t.candidate) {
                boolean labelled = served.getLabel() != null;
                if (!labelled || j.label != null) {
                    done[0] = true;
                    count(model, t, served, shadow, j.label, labelled);
                }
            }
        }
        Watch w = watches.get(model);
        if (!done[1]
                && w != null
                && served != null
                && j.label != null
                && served.getLabel() != null
                && served.getModelVersion() == w.version) {
            done[1] = true;
            w.add(j.label.equals(served.getLabel()));
            if (w.filled == w.ring.length && w.accuracy() < w.reference - settings.drop()) {
                watches.remove(model);
                decisions.rollBack(
                        model,
                        w.version,
                        w.previous,
                        Map.of(
                                "liveAccuracy",
                                w.accuracy(),
                                "promotedAccuracy",
                                w.reference,
                                "drop",
                                settings.drop(),
                                "window",
                                (double) w.filled));
            }
        }
    }

    private void count(
            String model, Trial t, Score served, Score shadow, String label, boolean labelled) {
        t.pairs++;
        t.labelled = labelled;
        if (labelled) {
            if (label.equals(served.getLabel())) {
                t.servedRight++;
            }
            if (label.equals(shadow.getLabel())) {
                t.candidateRight++;
            }
        } else {
            t.servedError += served.getScore();
            t.candidateError += shadow.getScore();
        }
        t.served = served.getModelVersion();
        t.servedEvents = t.pairs;
        if (t.pairs >= settings.minPairs()) {
            decide(model, t);
        }
    }

    /**
     * A served score of a canary trial: the candidate's (on its share of the events) or the served
     * version's (on the rest); judged once each has {@link LifecycleSettings#minPairs} of them.
     */
    private void countCanary(String model, Trial t, Score served, String label, boolean labelled) {
        t.labelled = labelled;
        boolean right = labelled && label.equals(served.getLabel());
        if (served.getModelVersion() == t.candidate) {
            t.pairs++;
            t.candidateRight += right ? 1 : 0;
            t.candidateError += labelled ? 0 : served.getScore();
        } else {
            t.servedEvents++;
            t.servedRight += right ? 1 : 0;
            t.servedError += labelled ? 0 : served.getScore();
            t.served = served.getModelVersion();
        }
        if (t.pairs >= settings.minPairs() && t.servedEvents >= settings.minPairs()) {
            decide(model, t);
        }
    }

    private void decide(String model, Trial t) {
        trials.remove(model);
        Map<String, Double> m = new HashMap<>();
        m.put("pairs", (double) t.pairs);
        if (t.canary) {
            m.put("servingEvents", (double) t.servedEvents);
        }
        m.put("margin", settings.margin());
        boolean promote;
        if (t.labelled) {
            double served0 = (double) t.servedRight / t.servedEvents;
            double cand = (double) t.candidateRight / t.pairs;
            m.put("servingAccuracy", served0);
            m.put("candidateAccuracy", cand);
            promote = cand >= served0 - settings.margin();
        } else {
            double served0 = t.servedError / t.servedEvents;
            double cand = t.candidateError / t.pairs;
            m.put("servingMeanError", served0);
            m.put("candidateMeanError", cand);
            promote = cand <= served0 * (1 + settings.margin());
        }
        if (promote) {
            if (t.labelled) {
                startWatch(model, t.candidate, t.served, m.get("candidateAccuracy"));
            }
            decisions.promote(model, t.candidate, t.served, m);
        } else {
            decisions.refuse(model, t.candidate, t.served, m);
        }
    }
}
