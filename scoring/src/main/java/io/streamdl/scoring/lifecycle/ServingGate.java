package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.scoring.UpdateVerifier;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle gate of one model, between the verified updates and the scorers ({@link
 * GateRules}): pins, shadow trials and promotions from {@code models.events}. Keyed by the model
 * name, so its state is keyed and it can set timers; it runs with parallelism 1. A version an event
 * asks for that the gate has not seen is read from the model topic a second later (by then it has
 * usually arrived on its own) and verified like any other update. Records of {@code models.events}
 * that do not decode are counted and skipped here: the lifecycle controller, which reads every
 * model's events, dead-letters them once.
 */
public final class ServingGate
        extends KeyedCoProcessFunction<String, ModelUpdate, RawRecord, ModelUpdate> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ServingGate.class);
    private static final long LOOKUP_DELAY_MILLIS = 1000;

    /** Candidates for the shadow scorer. */
    public static final OutputTag<ModelUpdate> SHADOW =
            new OutputTag<>("shadow-updates", TypeInformation.of(ModelUpdate.class));

    /** The candidate on trial (-1: none), for the {@link CanaryRouter}. */
    public static final OutputTag<Long> TRIALS =
            new OutputTag<>("trials", TypeInformation.of(Long.class));

    /** What the gate reports on {@code models.events}. */
    public static final OutputTag<ModelEvent> EVENTS =
            new OutputTag<>("gate-events", TypeInformation.of(ModelEvent.class));

    private final String model;
    private final boolean trials;
    private final boolean canary;
    private final String bootstrap;
    private final KafkaClientSecurity security;
    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final UpdateVerifier verifier;

    private transient GateRules rules;
    private transient boolean restored;
    private transient ValueState<Long> pinned;
    private transient ValueState<Long> served;
    private transient ValueState<Long> candidate;
    private transient ValueState<Long> wanted;
    private transient ValueState<Long> refused;
    private transient AvroWireDeserializer<ModelEvent> events;
    private transient Counter undecodable;
    private transient Counter lookups;

    public ServingGate(
            String model,
            boolean trials,
            boolean canary,
            String bootstrap,
            KafkaClientSecurity security,
            String registryUrl,
            RegistryClientFactory registries,
            UpdateVerifier verifier) {
        this.security = security;
        this.model = model;
        this.trials = trials;
        this.canary = canary;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.registries = registries;
        this.verifier = verifier;
    }

    @Override
    public void open(OpenContext context) {
        rules = new GateRules(trials, canary);
        pinned = getRuntimeContext().getState(new ValueStateDescriptor<>("pinned", Types.LONG));
        served = getRuntimeContext().getState(new ValueStateDescriptor<>("served", Types.LONG));
        candidate =
                getRuntimeContext().getState(new ValueStateDescriptor<>("candidate", Types.LONG));
        wanted = getRuntimeContext().getState(new ValueStateDescriptor<>("wanted", Types.LONG));
        refused = getRuntimeContext().getState(new ValueStateDescriptor<>("refused", Types.LONG));
        events =
                AvroWireDeserializer.specific(
                        registries.create(SerdeConfig.forValues(registryUrl)), ModelEvent.class);
        undecodable = getRuntimeContext().getMetricGroup().counter("lifecycleEventsUndecodable");
        lookups = getRuntimeContext().getMetricGroup().counter("lifecycleLookups");
        getRuntimeContext().getMetricGroup().gauge("updatesHeldByPin", () -> rules.heldByPin());
        getRuntimeContext()
                .getMetricGroup()
                .gauge("pinnedVersion", () -> rules.pinned() == null ? -1L : rules.pinned());
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "candidateVersion",
                        () -> rules.candidate() == null ? -1L : rules.candidate());
    }

    @Override
    public void processElement1(ModelUpdate update, Context ctx, Collector<ModelUpdate> out)
            throws Exception {
        restore();
        rules.onUpdate(update, new Emit(ctx, out));
        save();
    }

    @Override
    public void processElement2(RawRecord record, Context ctx, Collector<ModelUpdate> out)
            throws Exception {
        if (record.value == null) {
            return;
        }
        ModelEvent event;
        try {
            event = events.deserialize(record.topic, record.partition, record.offset, record.value);
        } catch (SerdeException e) {
            undecodable.inc();
            return;
        }
        if (!model.equals(event.getModel())) {
            return;
        }
        restore();
        rules.onEvent(event, new Emit(ctx, out));
        save();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelUpdate> out)
            throws Exception {
        restore();
        Long version = wanted.value();
        if (version == null) {
            return;
        }
        lookups.inc();
        ModelUpdate found;
        // the job's factory, so the reader reaches a secured registry as the operators do
        try (ModelTopicReader reader =
                new ModelTopicReader(
                        bootstrap,
                        registries.create(SerdeConfig.forValues(registryUrl)),
                        security)) {
            found =
                    version == GateRules.NEWEST
                            ? reader.newest(model)
                            : reader.find(model, version);
        } catch (RuntimeException e) {
            LOG.warn("model '{}': looking up version {} failed; retrying", model, version, e);
            ctx.timerService().registerProcessingTimeTimer(timestamp + LOOKUP_DELAY_MILLIS);
            return;
        }
        if (found == null) {
            LOG.warn(
                    "model '{}': version {} is not on the model topic (compacted away?); the"
                            + " served version {} stays",
                    model,
                    version == GateRules.NEWEST ? "newest" : version,
                    rules.served());
            GateRules.State s = rules.state();
            rules.restore(
                    new GateRules.State(s.pinned(), s.served(), s.candidate(), null, s.refused()));
            save();
            return;
        }
        UpdateVerifier.Refusal refusal = verifier.check(found);
        if (refusal != null) {
            LOG.warn(
                    "model '{}': version {} on the topic is refused: {}",
                    model,
                    found.getVersion(),
                    refusal.message());
            return;
        }
        rules.onUpdate(found, new Emit(ctx, out));
        save();
    }

    private void restore() throws Exception {
        if (restored) {
            return;
        }
        restored = true;
        Long s = served.value();
        Long r = refused.value();
        rules.restore(
                new GateRules.State(
                        pinned.value(),
                        s == null ? -1 : s,
                        candidate.value(),
                        wanted.value(),
                        r == null ? -1 : r));
    }

    private void save() throws Exception {
        GateRules.State s = rules.state();
        pinned.update(s.pinned());
        served.update(s.served());
        candidate.update(s.candidate());
        wanted.update(s.wanted());
        refused.update(s.refused());
    }

    private final class Emit implements GateRules.Output {
        private final Context ctx;
        private final Collector<ModelUpdate> out;

        Emit(Context ctx, Collector<ModelUpdate> out) {
            this.ctx = ctx;
            this.out = out;
        }

        @Override
        public void serve(ModelUpdate update) {
            out.collect(update);
        }

        @Override
        public void shadow(ModelUpdate update) {
            ctx.output(SHADOW, update);
        }

        @Override
        public void event(String kind, long version, Long fromVersion, String reason) {
            ctx.output(
                    EVENTS,
                    ModelEvents.of(
                            model,
                            kind,
                            version,
                            fromVersion,
                            reason,
                            Map.of(),
                            "lifecycle-gate " + model,
                            System.currentTimeMillis()));
        }

        @Override
        public void trial(long candidate) {
            ctx.output(TRIALS, candidate);
        }

        @Override
        public void lookUp(long version) {
            long now = ctx.timerService().currentProcessingTime();
            ctx.timerService().registerProcessingTimeTimer(now + LOOKUP_DELAY_MILLIS);
        }
    }
}
