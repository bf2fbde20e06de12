package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.config.ConfigOption;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How the lifecycle controller judges a candidate in shadow and watches a promoted version.
 *
 * @param minPairs events scored by both versions (and labelled, for a classifier) before a
 *     candidate is judged
 * @param margin a candidate is promoted unless its accuracy is below the served version's by more
 *     than this (for a model without labels: unless its mean score, an error, is above the served
 *     version's by more than this fraction)
 * @param drop after promotion, a live accuracy this far below the accuracy it was promoted with
 *     rolls back
 * @param window over this many labelled scores of the promoted version
 */
public record LifecycleSettings(int minPairs, double margin, double drop, int window)
        implements Serializable {
    public static final ConfigOption<Integer> MIN_PAIRS =
            ConfigOption.intRange(
                    "scoring.trials.min-labels",
                    200,
                    1,
                    1_000_000,
                    "labelled events both the served version and the candidate scored (in shadow;"
                            + " as a canary: labelled events each scored) before the candidate is"
                            + " judged; for a model without labels, scored events");
    public static final ConfigOption<Double> MARGIN =
            ConfigOption.doubleRange(
                    "scoring.trials.margin",
                    0.02,
                    0,
                    1,
                    "a candidate is promoted unless its accuracy is below the served version's by"
                            + " more than this (without labels: its mean error above by more"
                            + " than this fraction)");
    public static final ConfigOption<Double> DROP =
            ConfigOption.doubleRange(
                    "scoring.rollback.drop",
                    0.2,
                    0,
                    1,
                    "after a promotion, a live accuracy this far below the accuracy the version"
                            + " was promoted with rolls it back to the version before");
    public static final ConfigOption<Integer> WINDOW =
            ConfigOption.intRange(
                    "scoring.rollback.window",
                    200,
                    1,
                    1_000_000,
                    "the labelled scores of a promoted version its live accuracy is taken over");

    public static final List<ConfigOption<?>> OPTIONS = List.of(MIN_PAIRS, MARGIN, DROP, WINDOW);

    public LifecycleSettings {
        MIN_PAIRS.check(minPairs);
        MARGIN.check(margin);
        DROP.check(drop);
        WINDOW.check(window);
    }

    public static LifecycleSettings from(Map<String, String> settings) {
        return new LifecycleSettings(
                MIN_PAIRS.read(settings),
                MARGIN.read(settings),
                DROP.read(settings),
                WINDOW.read(settings));
    }
}
