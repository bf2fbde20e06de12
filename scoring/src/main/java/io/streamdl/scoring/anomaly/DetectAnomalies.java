package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.Score;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link SeriesState#observe} to the scores of each series (the record key) with the state
 * in {@link AnomalyDetector#STORE}, and forwards each anomaly keyed by its event id. A thin shell:
 * the rule lives in {@link SeriesState}. With an idle TTL, a wall-clock punctuation deletes the
 * series that have had no score for that long (the deletes reach the changelog, so a restored store
 * forgets them too). The states of the most recently scored series are also kept decoded here, as
 * written to the store: decoding the state again for every score was a tenth of the detector's CPU
 * under load. The store stays the truth; the copy is dropped with the task.
 */
final class DetectAnomalies implements Processor<String, Score, String, Anomaly> {
    private static final long MAX_SWEEP_MILLIS = Duration.ofMinutes(10).toMillis();
    static final int DECODED_SERIES = 10_000;

    private final AnomalyDetectorConfig config;
    private ProcessorContext<String, Anomaly> context;
    private KeyValueStore<String, SeriesState> store;
    private final Map<String, SeriesState> decoded =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SeriesState> eldest) {
                    return size() > DECODED_SERIES;
                }
            };

    DetectAnomalies(AnomalyDetectorConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Anomaly> context) {
        this.context = context;
        this.store = context.getStateStore(AnomalyDetector.STORE);
        decoded.clear();
        long ttl = Duration.ofHours(config.idleTtlHours()).toMillis();
        if (ttl > 0) {
            Duration every = Duration.ofMillis(Math.min(ttl / 10, MAX_SWEEP_MILLIS));
            context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> expireIdle(ttl, now));
        }
    }

    private void expireIdle(long ttlMillis, long now) {
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, SeriesState> all = store.all()) {
            all.forEachRemaining(
                    kv -> {
                        if (kv.value.idleFor(ttlMillis, now)) {
                            idle.add(kv.key);
                        }
                    });
        }
        idle.forEach(
                key -> {
                    store.delete(key);
                    decoded.remove(key);
                });
    }

    @Override
    public void process(Record<String, Score> record) {
        SeriesState stored = decoded.get(record.key());
        if (stored == null) {
            stored = store.get(record.key());
        }
        SeriesState state =
                stored == null
                        ? SeriesState.empty(config.window(), config.recentAnomalies())
                        : stored.fitTo(config.window(), config.recentAnomalies());
        Optional<Anomaly> anomaly = state.observe(record.value(), config);
        state.touch(context.currentSystemTimeMs());
        store.put(record.key(), state);
        decoded.put(record.key(), state);
        anomaly.ifPresent(a -> context.forward(record.withKey(a.getEventId()).withValue(a)));
    }
}
