package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.scoring.StreamsDeadLetters;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes the raw records of {@code scores.<model>} and keys the usable scores by series ({@link
 * AnomalyDetector#seriesKey}). Nothing a record carries makes it throw: a record that does not
 * decode becomes a dead letter of stage {@value #DECODE_STAGE} with the serde's reason, a score
 * that is NaN or infinite one of stage {@value #CHECK_STAGE} with reason {@value #NON_FINITE}; both
 * are counted in the {@code refused-total} metric and never reach the series state. Only an
 * unreachable registry, which is no fault of the record, fails the task.
 */
final class CheckScores implements Processor<byte[], byte[], String, CheckScores.Checked> {
    static final String DECODE_STAGE = "decode";
    static final String CHECK_STAGE = "anomalies";
    static final String NON_FINITE = "NON_FINITE_SCORE";
    static final String EMPTY_VALUE = "EMPTY_VALUE";

    /** A usable score or the dead letter of a refused record: exactly one is set. */
    record Checked(Score score, DeadLetter letter) {
        boolean refused() {
            return letter != null;
        }
    }

    private final Deserializer<Score> scores;
    private ProcessorContext<String, Checked> context;
    private Sensor refused;

    CheckScores(Deserializer<Score> scores) {
        this.scores = scores;
    }

    @Override
    public void init(ProcessorContext<String, Checked> context) {
        this.context = context;
        this.refused =
                context.metrics()
                        .addRateTotalSensor(
                                "anomalies",
                                AnomalyDetector.CHECK,
                                "refused",
                                Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        String topic = where == null ? "" : where.topic();
        if (record.value() == null) {
            refuse(record, where, DECODE_STAGE, EMPTY_VALUE, "the record has no value");
            return;
        }
        Score score;
        try {
            score = scores.deserialize(topic, record.value());
        } catch (SerdeException e) {
            if (e.reason() == SerdeException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            refuse(record, where, DECODE_STAGE, e.reason().name(), e.getMessage());
            return;
        } catch (SerializationException e) {
            refuse(record, where, DECODE_STAGE, "UNDECODABLE", String.valueOf(e.getMessage()));
            return;
        }
        if (!Double.isFinite(score.getScore())) {
            refuse(
                    record,
                    where,
                    CHECK_STAGE,
                    NON_FINITE,
                    "score " + score.getScore() + " of event " + score.getEventId());
            return;
        }
        context.forward(
                record.withKey(AnomalyDetector.seriesKey(score.getModel(), score.getSeries()))
                        .withValue(new Checked(score, null)));
    }

    private void refuse(
            Record<byte[], byte[]> record,
            RecordMetadata where,
            String stage,
            String reason,
            String message) {
        refused.record();
        DeadLetter letter =
                StreamsDeadLetters.of(
                        record, where, stage, reason, message, context.currentSystemTimeMs());
        context.forward(record.<String>withKey(null).withValue(new Checked(null, letter)));
    }
}
