package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What an interactive query answers about one series.
 *
 * @param key the series key ({@link AnomalyDetector#seriesKey})
 * @param seen usable scores the series has seen
 * @param threshold what its next score is compared with; empty during warm-up
 * @param alerts anomalies it raised
 * @param suppressed scores above the threshold that came within the minimum gap
 * @param recentAnomalies its last anomalies, oldest first
 */
public record SeriesView(
        String key,
        long seen,
        OptionalDouble threshold,
        long alerts,
        long suppressed,
        List<Anomaly> recentAnomalies) {
    public SeriesView {
        recentAnomalies = List.copyOf(recentAnomalies);
    }

    /** The view of {@code state} under the rule of {@code config}. */
    public static SeriesView of(String key, SeriesState state, AnomalyDetectorConfig config) {
        return new SeriesView(
                key,
                state.seen(),
                state.threshold(config),
                state.alerts(),
                state.suppressed(),
                state.recentAnomalies());
    }
}
