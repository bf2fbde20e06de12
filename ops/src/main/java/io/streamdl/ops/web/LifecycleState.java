package io.streamdl.ops.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.scoring.lifecycle.ModelEvents;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live page and {@code /metrics} show of {@code models.events}: per model the pin, the
 * candidate in shadow and the count of each kind of event, and the latest events. Anyone can write
 * to the topic, so at most {@value #MAX_MODELS} models and {@value #MAX_KINDS} kinds per model are
 * kept and texts are cut. Guarded by the {@link DashboardState} that holds it.
 */
final class LifecycleState {
    private static final int RECENT = 20;
    private static final int MAX_MODELS = 200;
    private static final int MAX_KINDS = 20;
    private static final int MAX_TEXT = 300;

    /** One model's lifecycle now. */
    static final class Row {
        Long pinned;
        Long candidate;
        final Map<String, Long> kinds = new TreeMap<>();
    }

    private final Map<String, Row> models = new TreeMap<>();
    private final Deque<ObjectNode> recent = new ArrayDeque<>();

    /** Folds one event in; returns its JSON for the page. */
    ObjectNode accept(ModelEvent e) {
        Row row = models.get(e.getModel());
        if (row == null && models.size() < MAX_MODELS) {
            row = new Row();
            models.put(e.getModel(), row);
        }
        if (row != null) {
            switch (e.getKind()) {
                case ModelEvents.PINNED -> row.pinned = e.getVersion();
                case ModelEvents.UNPINNED -> row.pinned = null;
                case ModelEvents.SHADOW, ModelEvents.CANARY -> row.candidate = e.getVersion();
                case ModelEvents.PROMOTED, ModelEvents.REFUSED -> {
                    if (e.getVersion() != null && e.getVersion().equals(row.candidate)) {
                        row.candidate = null;
                    }
                }
                default -> {
                    // counted below
                }
            }
            if (row.kinds.containsKey(e.getKind()) || row.kinds.size() < MAX_KINDS) {
                row.kinds.merge(cut(e.getKind()), 1L, Long::sum);
            }
        }
        ObjectNode json =
                DashboardState.JSON
                        .createObjectNode()
                        .put("ts", e.getTs())
                        .put("model", cut(e.getModel()))
                        .put("kind", cut(e.getKind()))
                        .put("reason", cut(e.getReason()))
                        .put("actor", cut(e.getActor()));
        if (e.getVersion() != null) {
            json.put("version", e.getVersion());
        }
        if (e.getFromVersion() != null) {
            json.put("fromVersion", e.getFromVersion());
        }
        if (!ModelEvents.SERVING.equals(e.getKind())) {
            recent.addFirst(json);
            while (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
        return json;
    }

    /** The pin and candidate of a model's row of the versions table. */
    void putRow(String model, ObjectNode row) {
        Row r = models.get(model);
        putVersion(row, "pinned", r == null ? null : r.pinned);
        putVersion(row, "candidate", r == null ? null : r.candidate);
    }

    /** The latest events, newest first, and the models that have only lifecycle records. */
    ArrayNode recent() {
        return DashboardState.JSON.valueToTree(recent);
    }

    /** A copy of each model's row, for {@code /metrics}. */
    Map<String, Row> rows() {
        Map<String, Row> copy = new TreeMap<>();
        models.forEach(
                (k, v) -> {
                    Row r = new Row();
                    r.pinned = v.pinned;
                    r.candidate = v.candidate;
                    r.kinds.putAll(v.kinds);
                    copy.put(k, r);
                });
        return copy;
    }

    private static void putVersion(ObjectNode row, String field, Long version) {
        if (version == null) {
            row.putNull(field);
        } else {
            row.put(field, version);
        }
    }

    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }
}
