package io.streamdl.bench;

import java.util.Map;

/**
 * TrainJob examples/s (Kafka → join → trainer → Kafka) against bare DL4J loops fitting the same
 * mini-batches, by {@link TrainThroughputBenchmark} with replay as the trainer's defaults set it.
 */
final class TrainScenario implements Scenario {
    static final String RATES = "new examples/s";
    static final String RATIOS = "ratio";
    static final String RATIO_FIT = "trainJobReplay / bareFitSameBatches";

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String title() {
        return "TrainJob examples/s vs bare DL4J fit";
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int examples = c.size(512, 2048);
        TrainThroughputBenchmark.Plan plan =
                new TrainThroughputBenchmark.Plan(c.size(128, 512), false, true);
        c.setting(name(), "examples", examples);
        c.setting(name(), "publishEveryExamples", plan.publishEvery());
        Report report = TrainThroughputBenchmark.run(c.out, examples, plan);
        Map<String, Object> results = report.results();
        RunTable t = new RunTable();
        t.put(
                "TrainJob (replay on)",
                RATES,
                num(((Map<?, ?>) results.get("pipeline")).get("trainJobReplay")));
        Map<?, ?> bare = (Map<?, ?>) results.get("bareMedian");
        t.put("bare fit, same mini-batches", RATES, num(bare.get("fitSame")))
                .put(
                        "bare predict + fit, same mini-batches",
                        RATES,
                        num(bare.get("predictFitSame")))
                .put("bare fit, new mini-batches only", RATES, num(bare.get("fitNew")))
                .put("bare predict + fit, new only", RATES, num(bare.get("predictFitNew")));
        Map<?, ?> ratios = (Map<?, ?>) results.get("ratios");
        t.put("TrainJob / bare fit (same)", RATIOS, num(ratios.get(RATIO_FIT)))
                .put(
                        "TrainJob / bare predict + fit (same)",
                        RATIOS,
                        num(ratios.get("trainJobReplay / barePredictFitSameBatches")));
        t.note(
                String.format(
                        "%d labelled Fashion-MNIST examples per run, mini-batch 32, replay %s batch(es)"
                                + " per step",
                        ((Number) results.get("examples")).intValue(),
                        results.get("replayBatches")));
        return t;
    }

    private static double num(Object o) {
        return EncodeScenario.num(o);
    }

    @Override
    public void finish(ScenarioResult r, Context c) {
        r.method.add(
                "features and labels wait in features.image and events.labels; the TrainJob"
                        + " (Kafka sources, keyed join, trainer, exactly-once sinks, 1 s"
                        + " checkpoints) learns them; its rate is taken between its first and last"
                        + " published version (model_version metrics), so start-up is excluded and"
                        + " every publish in between included");
        r.method.add(
                "bare: DL4J loops over the same prebuilt mini-batches on a fresh network of the"
                        + " same spec (fit only; predict then fit as test-then-train does; each new"
                        + " mini-batch alone or followed by the replay batches the trainer draws)"
                        + ", measured before and after the pipeline run, the faster of the two"
                        + " rounds kept (the upper median), so the ratio does not flatter the job");
        r.method.add("with replay off the job is not run here (./pipeline bench train runs both)");
        r.targets.add(
                Target.atLeast(
                                "TrainJob / bare DL4J fit of the same mini-batches",
                                r.median("TrainJob / bare fit (same)", RATIOS),
                                "",
                                0.8)
                        .withNote(
                                "test-then-train predicts every new mini-batch before fitting it;"
                                        + " the ratio to bare predict + fit is in the table"));
    }
}
