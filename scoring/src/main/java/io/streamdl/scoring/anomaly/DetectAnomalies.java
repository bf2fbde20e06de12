package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.Score;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies {@link SeriesState#observe} to the scores of each series (the record key) with the state
 * in {@link AnomalyDetector#STORE}, and forwards each anomaly keyed by its event id. A thin shell:
 * the rule lives in {@link SeriesState}.
 */
final class DetectAnomalies implements Processor<String, Score, String, Anomaly> {
    private final AnomalyDetectorConfig config;
    private ProcessorContext<String, Anomaly> context;
    private KeyValueStore<String, SeriesState> store;

    DetectAnomalies(AnomalyDetectorConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, Anomaly> context) {
        this.context = context;
        this.store = context.getStateStore(AnomalyDetector.STORE);
    }

    @Override
    public void process(Record<String, Score> record) {
        SeriesState stored = store.get(record.key());
        SeriesState state =
                stored == null
                        ? SeriesState.empty(config.window(), config.recentAnomalies())
                        : stored.fitTo(config.window(), config.recentAnomalies());
        Optional<Anomaly> anomaly = state.observe(record.value(), config);
        store.put(record.key(), state);
        anomaly.ifPresent(a -> context.forward(record.withKey(a.getEventId()).withValue(a)));
    }
}
