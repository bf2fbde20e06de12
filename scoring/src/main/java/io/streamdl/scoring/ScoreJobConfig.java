package io.streamdl.scoring;

import java.io.Serializable;
import java.util.Map;

/**
 * What one ScoreJob scores and how it batches.
 *
 * @param model the model name: reads {@code models.<model>}, writes {@code scores.<model>}
 * @param encoder the features it scores: {@code features.<encoder>}
 * @param registryUrl the schema registry
 * @param maxBatch a batch closes at this many events ({@value #MAX_BATCH})
 * @param maxWaitMillis or this long after its first event ({@value #MAX_WAIT})
 * @param maxHeld events held before the first model arrives ({@value #MAX_HELD})
 */
public record ScoreJobConfig(
        String model,
        String encoder,
        String registryUrl,
        int maxBatch,
        long maxWaitMillis,
        int maxHeld)
        implements Serializable {
    public static final String MAX_BATCH = "scoring.batch.max-size";
    public static final String MAX_WAIT = "scoring.batch.max-wait-ms";
    public static final String MAX_HELD = "scoring.hold.max-events";

    public ScoreJobConfig {
        if (maxBatch < 1 || maxBatch > 4096) {
            throw new IllegalArgumentException(MAX_BATCH + " must be 1..4096, not " + maxBatch);
        }
        if (maxWaitMillis < 0 || maxWaitMillis > 60_000) {
            throw new IllegalArgumentException(
                    MAX_WAIT + " must be 0..60000, not " + maxWaitMillis);
        }
        if (maxHeld < 0) {
            throw new IllegalArgumentException(MAX_HELD + " must not be negative, not " + maxHeld);
        }
    }

    /** Defaults: batches of up to 64 events or 5 ms, up to 100,000 events held. */
    public static ScoreJobConfig of(
            String model, String encoder, String registryUrl, Map<String, String> settings) {
        return new ScoreJobConfig(
                model,
                encoder,
                registryUrl,
                parse(settings, MAX_BATCH, "64"),
                parse(settings, MAX_WAIT, "5"),
                parse(settings, MAX_HELD, "100000"));
    }

    private static int parse(Map<String, String> settings, String key, String defaultValue) {
        String raw = settings.getOrDefault(key, defaultValue);
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "invalid value '" + raw + "' for " + key + ": expected an integer");
        }
    }
}
