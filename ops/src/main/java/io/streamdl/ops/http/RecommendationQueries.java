package io.streamdl.ops.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * {@code GET /recommendations/{userId}}: the user's current top items as JSON, from the
 * recommender's interactive query: the list written after their last interaction, or for a user
 * never seen the most popular items with {@code "basis": "popular"}. 400 without a user id, 503
 * while the store is not queryable (starting, rebalancing), 405 for other methods.
 */
public final class RecommendationQueries implements HttpHandler {
    public static final String PATH = "/recommendations/";

    private final Function<String, Recommendation> lookup;

    /**
     * @param lookup user id to their recommendation, as {@code RecommenderApp#recommendations}
     */
    public RecommendationQueries(Function<String, Recommendation> lookup) {
        this.lookup = lookup;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                JsonResponses.send(
                        exchange, 405, JsonResponses.error("use GET " + PATH + "{userId}"));
                return;
            }
            String user =
                    URLDecoder.decode(
                            exchange.getRequestURI().getRawPath().substring(PATH.length()),
                            StandardCharsets.UTF_8);
            if (user.isBlank()) {
                JsonResponses.send(
                        exchange, 400, JsonResponses.error("use GET " + PATH + "{userId}"));
                return;
            }
            Recommendation r;
            try {
                r = lookup.apply(user);
            } catch (InvalidStateStoreException e) {
                JsonResponses.send(
                        exchange,
                        503,
                        JsonResponses.error("the recommender's store is not queryable yet"));
                return;
            }
            JsonResponses.send(exchange, 200, json(r));
        }
    }

    static ObjectNode json(Recommendation r) {
        ObjectNode out = JsonResponses.JSON.createObjectNode();
        out.put("userId", r.getUserId());
        out.put("basis", r.getBasis());
        out.put("modelVersion", r.getModelVersion());
        out.put("embeddingVersion", r.getEmbeddingVersion());
        out.put("ts", r.getTs());
        ArrayNode items = out.putArray("items");
        for (RecommendedItem item : r.getItems()) {
            items.addObject().put("itemId", item.getItemId()).put("score", item.getScore());
        }
        return out;
    }
}
