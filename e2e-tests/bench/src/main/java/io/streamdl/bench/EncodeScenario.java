package io.streamdl.bench;

import java.util.Map;

/**
 * Bare encoders against Kafka → EncodeJob → Kafka, per modality, by {@link EncodeBenchmark}: the
 * ratio of the pipeline's encodes/s to the bare encoder's on the same events.
 */
final class EncodeScenario implements Scenario {
    static final String BARE = "bare encodes/s";
    static final String PIPELINE = "EncodeJob encodes/s";
    static final String RATIO = "ratio";

    @Override
    public String name() {
        return "encode";
    }

    @Override
    public String title() {
        return "bare encoders vs Kafka → EncodeJob → Kafka";
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int images = c.size(5000, 20_000);
        int clips = c.size(1500, 4000);
        double bareSeconds = c.size(1.0, 3.0);
        c.setting(name(), "imageAndTextEvents", images);
        c.setting(name(), "audioEvents", clips);
        c.setting(name(), "bareSecondsPerEncoder", bareSeconds);
        Report report = EncodeBenchmark.run(c.out, images, clips, bareSeconds, false);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> modalities =
                (Map<String, Map<String, Object>>) report.results().get("modalities");
        RunTable t = new RunTable();
        modalities.forEach(
                (modality, m) ->
                        t.put(modality, BARE, num(m.get("bareEncodesPerSecond")))
                                .put(modality, PIPELINE, num(m.get("pipelineEncodesPerSecond")))
                                .put(modality, RATIO, num(m.get("ratio")))
                                .put(modality, "events", num(m.get("events"))));
        return t;
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Override
    public void finish(ScenarioResult r, Context c) {
        r.method.add(
                "bare: the encoder registry on one thread in a loop over the same real events"
                        + " (Fashion-MNIST PNGs, bundled keyword clips, Debian descriptions)");
        r.method.add(
                "pipeline: the events wait in events.raw, the EncodeJob (parallelism 1,"
                        + " exactly-once, checkpoints every 500 ms) starts, and its rate is taken"
                        + " between the first and last features record a read_uncommitted consumer"
                        + " sees (as the job writes them: a backlog this short would otherwise"
                        + " arrive in one or two commits); one modality at a time");
        r.targets.add(
                Target.atLeast("image: EncodeJob / bare encoder", r.median("image", RATIO), "", 0.7)
                        .withNote(
                                "exactly-once EncodeJob on 2 cores shared with the broker, the"
                                        + " registry and the measuring consumer"));
    }
}
