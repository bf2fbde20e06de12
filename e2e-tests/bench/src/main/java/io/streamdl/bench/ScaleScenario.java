package io.streamdl.bench;

import io.streamdl.schemas.avro.Features;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The image ScoreJob at parallelism 1 and then 2 over the same number of waiting features (the
 * platform's two partitions per topic): scores out against events in, repeats, losses, and the rate
 * of each.
 */
final class ScaleScenario implements Scenario {
    static final int[] PARALLELISM = {1, 2};
    static final String IN = "events in";
    static final String OUT = "distinct scores out";
    static final String DUPLICATES = "duplicates";
    static final String LOST = "lost";
    static final String RATE = "scores/s";
    static final String SPEEDUP = "speed-up vs parallelism 1";

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public String title() {
        return "ScoreJob at parallelism 1 and 2";
    }

    static String row(int p) {
        return "parallelism " + p;
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int n = c.size(8000, 30_000);
        c.setting(name(), "eventsPerParallelism", n);
        RunTable t = new RunTable();
        try (ScoringRig rig = new ScoringRig(2, Duration.ofMillis(500))) {
            c.setting(name(), "partitions", rig.bench.platform.config().partitions());
            List<Features> features = rig.features("image", 512);
            rig.publishFresh("image");
            for (int p : PARALLELISM) {
                String prefix = "scale-" + p + "-";
                try (KafkaConsumer<byte[], byte[]> scores =
                        rig.bench.consumer("scores.image", true)) {
                    // one group for both: the second job starts where the first committed
                    JobID job =
                            rig.scoreJob("image", ScoreScenario.JOB_BATCH, p, true, "bench-scale");
                    rig.awaitServing("image", features, "p" + p);
                    rig.send("image", features, prefix, n);
                    ScoringRig.Readout r = rig.read(scores, prefix, n, Duration.ofMinutes(5));
                    // a checkpoint after the last score commits the source offsets
                    Thread.sleep(1500);
                    ScoringRig.Readout late =
                            rig.read(scores, prefix, Integer.MAX_VALUE, Duration.ofMillis(500));
                    rig.runner.cancel(job);
                    t.put(row(p), IN, n)
                            .put(row(p), OUT, r.distinct())
                            .put(row(p), DUPLICATES, r.duplicates() + late.distinct())
                            .put(row(p), LOST, n - r.distinct())
                            .put(row(p), RATE, r.scoredPerSecond());
                    c.out.printf(
                            "parallelism %d: %d in, %d out, %d repeated, %,.0f scores/s%n",
                            p,
                            n,
                            r.distinct(),
                            r.duplicates() + late.distinct(),
                            r.scoredPerSecond());
                }
            }
            t.put(row(2), SPEEDUP, t.get(row(2), RATE) / t.get(row(1), RATE));
        }
        return t;
    }

    @Override
    public void finish(ScenarioResult r, Context c) {
        r.method.add(
                "image ScoreJob (batch "
                        + ScoreScenario.JOB_BATCH
                        + ", exactly-once, checkpoints every 500 ms), first at parallelism 1, then,"
                        + " after cancelling it, at parallelism 2 from the same group's committed"
                        + " offsets; each, once serving (a few warm-up events scored), gets a"
                        + " backlog of features sent to features.image (two partitions) faster"
                        + " than it scores them; scores counted by event id with a"
                        + " read_committed consumer, rate between the smallest and largest"
                        + " scoredTs");
        r.notes.add(
                "2 cores run the broker, both scorer instances and the measuring clients: a"
                        + " speed-up near 1 is the machine, not the job");
        for (int p : PARALLELISM) {
            r.targets.add(
                    Target.atMost(row(p) + ": lost scores", r.max(row(p), LOST), "", 0)
                            .withNote("largest over the runs: every event in has its score out"));
            r.targets.add(
                    Target.atMost(row(p) + ": repeated scores", r.max(row(p), DUPLICATES), "", 0)
                            .withNote(
                                    "largest over the runs; exactly-once: no event scored twice"));
        }
    }
}
