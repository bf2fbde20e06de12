package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which verified update of one model the serving scorers get, and which the shadow scorer gets: the
 * lifecycle gate's rules without Flink. {@link ServingGate} feeds it verified updates, the {@code
 * models.events} records of its model and the result of topic lookups, and keeps {@link #state()}
 * in checkpointed state.
 *
 * <ul>
 *   <li>Without shadow trials every update newer than the one served goes to the scorers, as before
 *       lifecycle existed.
 *   <li>With them ({@code scoring.trials}), the first version serves at once; each later one is a
 *       candidate: it goes to the shadow (or canary) scorer and waits for the controller's {@code
 *       PROMOTED} or {@code REFUSED}. One candidate is on trial at a time; newer versions wait, and
 *       the newest of them is the next candidate. An update published by an operator or the
 *       controller (a rollback's copy, an import) serves at once.
 *   <li>A pin ({@code PINNED v}) holds every update but {@code v}; {@code UNPINNED} lets the newest
 *       one through (by the rules above). A version an event asks for that is not in memory is
 *       {@linkplain Output#lookUp looked up} on the model topic.
 * </ul>
 *
 * Not thread-safe.
 */
public final class GateRules {
    /** Where the gate sends what it decides. */
    public interface Output {
        void serve(ModelUpdate update);

        void shadow(ModelUpdate update);

        void event(String kind, long version, Long fromVersion, String reason);

        /** Find {@code version} (or, for {@link #NEWEST}, the newest) on the topic later. */
        void lookUp(long version);

        /**
         * The candidate on trial changed: {@code candidate}, or -1 when none (where a canary's
         * share of events goes).
         */
        default void trial(long candidate) {}
    }

    /** The version {@link Output#lookUp} is asked for when the newest is wanted. */
    public static final long NEWEST = Long.MAX_VALUE;

    private static final int REMEMBERED = 4;

    /**
     * What is checkpointed: the pin, the version served, the candidate, what is looked up and the
     * newest refused version (it and older ones are never tried again).
     */
    public record State(Long pinned, long served, Long candidate, Long wanted, long refused) {
        public State(Long pinned, long served, Long candidate, Long wanted) {
            this(pinned, served, candidate, wanted, -1);
        }
    }

    private final boolean trials;
    private final boolean canary;
    private long reportedTrial = -1;
    private final TreeMap<Long, ModelUpdate> recent = new TreeMap<>();
    private Long pinned;
    private long served = -1;
    private Long candidate;
    private Long wanted;
    private long refused = -1;
    private long heldByPin;

    /**
     * @param trials whether new versions are tried (in shadow) before they serve
     */
    public GateRules(boolean trials) {
        this(trials, false);
    }

    /**
     * @param trials whether new versions are tried before they serve
     * @param canary whether a candidate is tried as a canary (on a share of the events, its scores
     *     served) rather than in shadow
     */
    public GateRules(boolean trials, boolean canary) {
        this.trials = trials;
        this.canary = canary;
    }

    public void restore(State state) {
        pinned = state.pinned();
        served = state.served();
        candidate = state.candidate();
        wanted = state.wanted();
        refused = state.refused();
        reportedTrial = candidate == null ? -1 : candidate;
    }

    public State state() {
        return new State(pinned, served, candidate, wanted, refused);
    }

    /** A verified update of the gate's model from the topic (or a lookup). */
    public void onUpdate(ModelUpdate update, Output out) {
        update(update, out);
        reportTrial(out);
    }

    /** A {@code models.events} record for the gate's model. */
    public void onEvent(ModelEvent event, Output out) {
        event(event, out);
        reportTrial(out);
    }

    private void reportTrial(Output out) {
        long now = candidate == null ? -1 : candidate;
        if (now != reportedTrial) {
            reportedTrial = now;
            out.trial(now);
        }
    }

    private void update(ModelUpdate update, Output out) {
        long v = update.getVersion();
        remember(update);
        if (v <= served) {
            return;
        }
        if (wanted != null && wanted == v) {
            // a pin or a promotion asked for this version
            wanted = null;
            serve(update, out);
            return;
        }
        if (wanted != null && wanted == NEWEST && pinned == null) {
            wanted = null;
            route(update, out);
            return;
        }
        if (pinned != null) {
            if (pinned == v) {
                serve(update, out);
            } else {
                heldByPin++;
            }
            return;
        }
        route(update, out);
    }

    private void event(ModelEvent event, Output out) {
        Long v = event.getVersion();
        switch (event.getKind()) {
            case ModelEvents.PINNED -> {
                if (v == null) {
                    return;
                }
                pinned = v;
                if (v > served) {
                    obtain(v, out);
                }
            }
            case ModelEvents.UNPINNED -> {
                pinned = null;
                Map.Entry<Long, ModelUpdate> newest = recent.lastEntry();
                if (newest != null && newest.getKey() > served) {
                    route(newest.getValue(), out);
                } else {
                    wanted = NEWEST;
                    out.lookUp(NEWEST);
                }
            }
            case ModelEvents.PROMOTED -> {
                if (v != null && v > served && pinned == null) {
                    obtain(v, out);
                }
            }
            case ModelEvents.REFUSED -> {
                if (v != null) {
                    refused = Math.max(refused, v);
                }
                if (v != null && v.equals(candidate)) {
                    candidate = null;
                    nextCandidate(out);
                }
            }
            default -> {
                // SERVING, SHADOW, ROLLED_BACK, IMPORTED, AUTO_ROLLED_BACK: reports, or updates
                // that arrive on the model topic themselves
            }
        }
    }

    /** How many updates a pin has held back since this gate started. */
    public long heldByPin() {
        return heldByPin;
    }

    public long served() {
        return served;
    }

    public Long pinned() {
        return pinned;
    }

    public Long candidate() {
        return candidate;
    }

    private void obtain(long version, Output out) {
        ModelUpdate known = recent.get(version);
        if (known != null) {
            serve(known, out);
        } else {
            wanted = version;
            out.lookUp(version);
        }
    }

    private void route(ModelUpdate update, Output out) {
        long v = update.getVersion();
        if (!trials || served < 0 || ModelEvents.servesDirectly(update.getMetrics())) {
            serve(update, out);
            return;
        }
        if (v <= refused) {
            return; // judged and refused: never tried again
        }
        if (candidate != null && candidate != v) {
            return; // waits: the newest waiting one is the next candidate
        }
        candidate = v;
        out.shadow(update);
        out.event(
                canary ? ModelEvents.CANARY : ModelEvents.SHADOW,
                v,
                served,
                canary
                        ? "version "
                                + v
                                + " serves a share of the events as a canary beside version "
                                + served
                        : "version " + v + " scores in shadow beside version " + served);
    }

    private void nextCandidate(Output out) {
        Map.Entry<Long, ModelUpdate> newest = recent.lastEntry();
        if (newest != null && newest.getKey() > served && pinned == null) {
            route(newest.getValue(), out);
        }
    }

    private void serve(ModelUpdate update, Output out) {
        served = update.getVersion();
        if (candidate != null && candidate <= served) {
            candidate = null;
        }
        out.serve(update);
        nextCandidate(out);
    }

    private void remember(ModelUpdate update) {
        recent.put(update.getVersion(), update);
        while (recent.size() > REMEMBERED) {
            recent.pollFirstEntry();
        }
    }
}
