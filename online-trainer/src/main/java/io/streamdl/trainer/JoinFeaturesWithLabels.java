package io.streamdl.trainer;

import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Joins {@code features.<encoder>} with {@code events.labels} by event id, keyed by it: whichever
 * side comes first waits in keyed state for at most {@code horizonMillis} (processing time, from
 * its arrival) for the other. When both are there, one {@link LabelledExample} is emitted and both
 * records are dropped from state. The horizon runs on processing time: after a long outage, records
 * that waited longer than the horizon expire as soon as the job is restored.
 *
 * <p>A key whose pair was emitted keeps a one-flag marker until the horizon passes, so a
 * redelivered or repeated record (features re-encoded, a label sent twice) is counted as a
 * duplicate instead of being waited on and trained on again; the first label wins. When the horizon
 * passes, the key's state is cleared entirely: the side still waiting is counted as unmatched
 * ({@code unmatchedFeatures}, {@code unmatchedLabels}). State per key therefore lives at most one
 * horizon after its first record, whatever arrives.
 *
 * <p>Metrics: {@code joined}, {@code unmatchedFeatures}, {@code unmatchedLabels}, {@code
 * duplicates}.
 */
public final class JoinFeaturesWithLabels
        extends KeyedCoProcessFunction<String, Features, Label, LabelledExample> {
    private static final long serialVersionUID = 1L;

    private final long horizonMillis;
    private transient ValueState<Features> features;
    private transient ValueState<Label> label;
    private transient ValueState<Long> deadline;
    private transient ValueState<Boolean> matched;
    private transient Counter joined;
    private transient Counter unmatchedFeatures;
    private transient Counter unmatchedLabels;
    private transient Counter duplicates;

    public JoinFeaturesWithLabels(long horizonMillis) {
        if (horizonMillis < 1) {
            throw new IllegalArgumentException("join horizon must be positive: " + horizonMillis);
        }
        this.horizonMillis = horizonMillis;
    }

    @Override
    public void open(OpenContext context) {
        features =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "features", TypeInformation.of(Features.class)));
        label =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "label", TypeInformation.of(Label.class)));
        deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
        matched =
                getRuntimeContext().getState(new ValueStateDescriptor<>("matched", Types.BOOLEAN));
        joined = getRuntimeContext().getMetricGroup().counter("joined");
        unmatchedFeatures = getRuntimeContext().getMetricGroup().counter("unmatchedFeatures");
        unmatchedLabels = getRuntimeContext().getMetricGroup().counter("unmatchedLabels");
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    }

    @Override
    public void processElement1(Features f, Context ctx, Collector<LabelledExample> out)
            throws Exception {
        if (matched.value() != null || features.value() != null) {
            duplicates.inc();
            return;
        }
        Label waiting = label.value();
        if (waiting != null) {
            emit(f, waiting, out);
        } else {
            features.update(f);
            startClock(ctx);
        }
    }

    @Override
    public void processElement2(Label l, Context ctx, Collector<LabelledExample> out)
            throws Exception {
        if (matched.value() != null || label.value() != null) {
            duplicates.inc();
            return;
        }
        Features waiting = features.value();
        if (waiting != null) {
            emit(waiting, l, out);
        } else {
            label.update(l);
            startClock(ctx);
        }
    }

    private void emit(Features f, Label l, Collector<LabelledExample> out) throws Exception {
        out.collect(new LabelledExample(f.getEventId(), l.getLabel(), l.getTs(), f));
        joined.inc();
        features.clear();
        label.clear();
        matched.update(Boolean.TRUE);
    }

    private void startClock(Context ctx) throws Exception {
        if (deadline.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + horizonMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            deadline.update(at);
        }
    }

    long joinedCount() {
        return joined.getCount();
    }

    long unmatchedFeaturesCount() {
        return unmatchedFeatures.getCount();
    }

    long unmatchedLabelsCount() {
        return unmatchedLabels.getCount();
    }

    long duplicatesCount() {
        return duplicates.getCount();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabelledExample> out)
            throws Exception {
        if (features.value() != null) {
            unmatchedFeatures.inc();
        }
        if (label.value() != null) {
            unmatchedLabels.inc();
        }
        features.clear();
        label.clear();
        deadline.clear();
        matched.clear();
    }
}
