package io.streamdl.ops.cli;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.scoring.lifecycle.ModelEvents;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's lifecycle now, as its {@code models.events} records tell it: the version each scorer
 * serves (its latest {@code SERVING}; a scorer task restarted in another process replaces its older
 * entry), the pin, the candidate in shadow and the latest decisions.
 */
record ModelState(
        Map<String, ModelEvent> servingByScorer,
        ModelEvent pin,
        ModelEvent candidate,
        List<ModelEvent> decisions) {

    private static final int DECISIONS_SHOWN = 5;

    static ModelState of(String model, List<ModelEvent> events) {
        Map<String, ModelEvent> serving = new TreeMap<>();
        ModelEvent pin = null;
        ModelEvent candidate = null;
        List<ModelEvent> decisions = new ArrayList<>();
        for (ModelEvent e : events) {
            if (!model.equals(e.getModel())) {
                continue;
            }
            switch (e.getKind()) {
                case ModelEvents.SERVING -> serving.put(scorer(e.getActor()), e);
                case ModelEvents.PINNED -> pin = e;
                case ModelEvents.UNPINNED -> pin = null;
                case ModelEvents.SHADOW, ModelEvents.CANARY -> candidate = e;
                default -> {
                    if (candidate != null
                            && e.getVersion() != null
                            && (ModelEvents.PROMOTED.equals(e.getKind())
                                    || ModelEvents.REFUSED.equals(e.getKind()))
                            && e.getVersion().equals(candidate.getVersion())) {
                        candidate = null;
                    }
                    decisions.add(e);
                }
            }
        }
        if (decisions.size() > DECISIONS_SHOWN) {
            decisions = decisions.subList(decisions.size() - DECISIONS_SHOWN, decisions.size());
        }
        return new ModelState(serving, pin, candidate, List.copyOf(decisions));
    }

    /** The scorer task of an actor {@code task (i/n)@pid}: the same task in a later process. */
    static String scorer(String actor) {
        int at = actor.lastIndexOf('@');
        return at < 0 ? actor : actor.substring(0, at);
    }

    /** The version the newest report says is served, or null if no scorer reported. */
    Long newestServed() {
        ModelEvent newest = null;
        for (ModelEvent e : servingByScorer.values()) {
            if (newest == null || e.getTs() > newest.getTs()) {
                newest = e;
            }
        }
        return newest == null ? null : newest.getVersion();
    }

    void print(PrintStream out) {
        if (servingByScorer.isEmpty()) {
            out.println("  serving: no scorer has reported a version yet");
        }
        servingByScorer.forEach(
                (scorer, e) ->
                        out.printf(
                                "  serving: version %d on %s (since %s UTC)%n",
                                e.getVersion(),
                                scorer,
                                ModelsCommand.TIME.format(Instant.ofEpochMilli(e.getTs()))));
        if (pin != null) {
            out.printf(
                    "  pinned:  version %d by %s at %s UTC: %s%n",
                    pin.getVersion(),
                    pin.getActor(),
                    ModelsCommand.TIME.format(Instant.ofEpochMilli(pin.getTs())),
                    pin.getReason());
        }
        if (candidate != null) {
            out.printf(
                    "  trial:   version %d %s beside version %s%n",
                    candidate.getVersion(),
                    ModelEvents.CANARY.equals(candidate.getKind())
                            ? "serves as a canary"
                            : "scores in shadow",
                    candidate.getFromVersion());
        }
        for (ModelEvent e : decisions) {
            out.printf(
                    "  %-8s %s v%s: %s (%s)%n",
                    "event:",
                    e.getKind(),
                    e.getVersion(),
                    e.getReason(),
                    ModelsCommand.TIME.format(Instant.ofEpochMilli(e.getTs())) + " UTC");
        }
    }
}
