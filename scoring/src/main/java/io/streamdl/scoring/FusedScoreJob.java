package io.streamdl.scoring;

import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.StreamingJob;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The fused path: raw events → encode → score in one job. The {@link EncodeJob} encodes each event
 * once to the wire format; those bytes go both to {@code features.<encoder>} (for the trainers and
 * for audit, exactly as the two-job path writes them) and straight to each scorer of that encoder,
 * which does not wait for the features topic to commit and be read back. A scorer of features made
 * elsewhere (the metric windows, the recommender's profiles) stays a {@link ScoreJob} of its own.
 *
 * <p>Guarantees are those of the two jobs: every score, dead letter and feature leaves through the
 * transactional sinks of this one job, so with exactly-once a failure replays the raw events from
 * the last checkpoint and neither loses nor duplicates any of them. A scorer runs at the job's
 * parallelism (its {@code scoring.parallelism} does not apply); its dead letters carry the encoded
 * features with partition and offset -1, as they were not read from Kafka.
 */
public final class FusedScoreJob implements StreamingJob {
    private final EncodeJob encode;
    private final List<ScoreJob> scorers;

    /**
     * @param encode the encoder, with wire features ({@link EncodeJob#withWireFeatures}) for every
     *     scorer's encoder
     * @param scorers scorers made with {@link ScoreJob#fusedOnKafka} (or without features source)
     */
    public FusedScoreJob(EncodeJob encode, List<ScoreJob> scorers) {
        this.encode = encode;
        this.scorers = List.copyOf(scorers);
    }

    @Override
    public String name() {
        return "EncodeJob";
    }

    /** The models scored in this job. */
    public List<String> models() {
        return scorers.stream().map(s -> s.config().model()).toList();
    }

    @Override
    public void build(StreamExecutionEnvironment env) {
        encode.build(env);
        for (ScoreJob scorer : scorers) {
            DataStream<RawRecord> features = encode.wireFeatures(scorer.config().encoder());
            scorer.score(env, features);
        }
    }
}
