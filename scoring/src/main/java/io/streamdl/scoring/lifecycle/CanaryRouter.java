package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.flink.RawRecord;
import java.util.Arrays;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits a model's features between the serving scorer and the canary: while a candidate is on
 * trial (the {@link ServingGate}'s {@link ServingGate#TRIALS}, broadcast), the events whose key
 * falls in the canary's share go to the canary scorer ({@link #CANARY}), the rest to the serving
 * one; with no trial, all go to the serving scorer. An event goes to exactly one of them, so in =
 * out + dead letters still holds. The share is a hash of the Kafka key (the event id), the same for
 * an event wherever it is routed; a record without a key is never a canary's.
 */
public final class CanaryRouter extends BroadcastProcessFunction<RawRecord, Long, RawRecord> {
    private static final long serialVersionUID = 1L;
    private static final int BUCKETS = 10_000;
    private static final String CANDIDATE = "candidate";

    /** The broadcast state: the candidate on trial, under {@value #CANDIDATE}. */
    public static final MapStateDescriptor<String, Long> TRIAL =
            new MapStateDescriptor<>("canary-trial", Types.STRING, Types.LONG);

    /** The canary's share of the events. */
    public static final OutputTag<RawRecord> CANARY =
            new OutputTag<>("canary-features", TypeInformation.of(RawRecord.class));

    private final int share;

    /**
     * @param fraction the share of event keys a candidate scores, in (0, 1]
     */
    public CanaryRouter(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a canary fraction is in (0, 1], not " + fraction);
        }
        this.share = (int) Math.round(fraction * BUCKETS);
    }

    /** Whether an event with Kafka key {@code key} is in a canary's share of {@code fraction}. */
    public static boolean inCanary(byte[] key, double fraction) {
        return key != null && bucket(key) < Math.round(fraction * BUCKETS);
    }

    private static int bucket(byte[] key) {
        int h = Arrays.hashCode(key);
        h ^= h >>> 16; // spread: event ids often differ only in their last characters
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Integer.remainderUnsigned(h, BUCKETS);
    }

    @Override
    public void processElement(RawRecord record, ReadOnlyContext ctx, Collector<RawRecord> out)
            throws Exception {
        Long candidate = ctx.getBroadcastState(TRIAL).get(CANDIDATE);
        if (candidate != null
                && candidate >= 0
                && record.key != null
                && bucket(record.key) < share) {
            ctx.output(CANARY, record);
        } else {
            out.collect(record);
        }
    }

    @Override
    public void processBroadcastElement(Long candidate, Context ctx, Collector<RawRecord> out)
            throws Exception {
        ctx.getBroadcastState(TRIAL).put(CANDIDATE, candidate);
    }
}
