package io.streamdl.ops.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.scoring.anomaly.SeriesView;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code GET /anomalies/{model}[/{series}]}: the anomaly detector's current threshold, counters and
 * recent anomalies of one series (or of the model's scores without a series), as JSON, from the
 * app's interactive query. 404 for a series it holds no state of, 503 while its store is not
 * queryable (starting, rebalancing), 405 for other methods.
 */
public final class AnomalyQueries implements HttpHandler {
    public static final String PATH = "/anomalies/";

    private final BiFunction<String, String, Optional<SeriesView>> lookup;

    /**
     * @param lookup (model, series or null) to the series' view, as {@code
     *     AnomalyDetectorApp#series}
     */
    public AnomalyQueries(BiFunction<String, String, Optional<SeriesView>> lookup) {
        this.lookup = lookup;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                JsonResponses.send(
                        exchange,
                        405,
                        JsonResponses.error("use GET " + PATH + "{model}[/{series}]"));
                return;
            }
            String rest = exchange.getRequestURI().getRawPath().substring(PATH.length());
            String[] parts = rest.split("/", 2);
            if (parts[0].isEmpty()) {
                JsonResponses.send(
                        exchange,
                        400,
                        JsonResponses.error("use GET " + PATH + "{model}[/{series}]"));
                return;
            }
            String model = decode(parts[0]);
            String series = parts.length > 1 && !parts[1].isEmpty() ? decode(parts[1]) : null;
            Optional<SeriesView> view;
            try {
                view = lookup.apply(model, series);
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                JsonResponses.send(
                        exchange,
                        503,
                        JsonResponses.error("the anomaly detector's store is not queryable yet"));
                return;
            }
            if (view.isEmpty()) {
                JsonResponses.send(
                        exchange,
                        404,
                        JsonResponses.error(
                                "no scores of model '"
                                        + model
                                        + "'"
                                        + (series == null ? "" : " and series '" + series + "'")
                                        + " seen yet"));
                return;
            }
            JsonResponses.send(exchange, 200, json(view.get()));
        }
    }

    /** The JSON of a series' view. */
    static ObjectNode json(SeriesView v) {
        ObjectNode out = JsonResponses.JSON.createObjectNode();
        out.put("key", v.key());
        out.put("seen", v.seen());
        if (v.threshold().isPresent()) {
            out.put("threshold", v.threshold().getAsDouble());
        } else {
            out.putNull("threshold");
        }
        out.put("alerts", v.alerts());
        out.put("suppressed", v.suppressed());
        ArrayNode recent = out.putArray("recentAnomalies");
        for (Anomaly a : v.recentAnomalies()) {
            ObjectNode n = recent.addObject();
            n.put("eventId", a.getEventId());
            n.put("model", a.getModel());
            n.put("modelVersion", a.getModelVersion());
            n.put("score", a.getScore());
            n.put("threshold", a.getThreshold());
            n.put("series", a.getSeries());
            n.put("ts", a.getTs());
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
