package io.streamdl.bench;

import io.streamdl.ops.cli.BenchRequest;
import io.streamdl.ops.cli.BenchRunner;
import java.io.PrintStream;

/**
 * The benchmarks behind {@code ./pipeline bench}: the CLI in ops parses the options and loads this
 * class by name ({@link BenchRunner#IMPLEMENTATION}); each benchmark writes its JSON report to the
 * request's reports directory and prints the report's path last; {@code all} (no name) runs the
 * {@link BenchHarness}.
 */
public final class BenchMain implements BenchRunner {
    /** The most labelled examples the train benchmark takes. */
    static final int MAX_TRAIN_EXAMPLES = 4096;

    /** Training events per second of the learn* benchmarks unless --rate is given. */
    static final double LEARN_RATE = 300;

    @Override
    public void run(BenchRequest r, PrintStream out) throws Exception {
        if (r.which() != BenchRequest.Which.all
                && (r.quick() || !r.scenarios().isEmpty() || r.runs() != 0)) {
            throw new IllegalArgumentException(
                    "--quick, --scenario and --runs are options of the harness (./pipeline bench"
                            + " without a benchmark name), not of '"
                            + r.which()
                            + "'");
        }
        switch (r.which()) {
            case all ->
                    BenchHarness.run(
                            new BenchHarness.Options(
                                    r.quick(), r.scenarios(), r.runs(), r.out(), command(r)),
                            out);
            case serde -> SerdeBenchmark.runAndWrite(r.reports(), out);
            case encode -> EncodeBenchmark.runAndWrite(r.reports(), out, r.events());
            case score -> ScoreBenchmark.runAndWrite(r.reports(), out, r.events(), r.batch());
            case learn ->
                    LearnBenchmark.runAndWrite(
                            r.reports(), out, r.events(), r.driftAt(), r.rateOr(LEARN_RATE));
            case learnAudio ->
                    LearnCorpusBenchmark.runAndWrite(
                            r.reports(),
                            out,
                            LearnCorpusBenchmark.Modality.AUDIO,
                            r.data(),
                            r.events(),
                            r.passes(),
                            r.rateOr(LEARN_RATE));
            case learnText ->
                    LearnCorpusBenchmark.runAndWrite(
                            r.reports(),
                            out,
                            LearnCorpusBenchmark.Modality.TEXT,
                            r.data(),
                            r.events(),
                            r.passes(),
                            r.rateOr(LEARN_RATE));
            case nabNumenta -> NabNumentaBenchmark.runAndWrite(r.reports(), out, r.data());
            case nab ->
                    NabPipelineBenchmark.runAndWrite(r.reports(), out, r.data(), r.rateOr(2500));
            case anomalyLatency ->
                    AnomalyLatencyBenchmark.runAndWrite(
                            r.reports(), out, r.rateOr(100), r.target());
            case recs ->
                    RecsBenchmark.runAndWrite(
                            r.reports(),
                            out,
                            r.eventsOr(RecsBenchmark.DEFAULT_INTERACTIONS),
                            r.rateOr(RecsBenchmark.DEFAULT_RATE));
            case recsLatency -> RecsLatencyBenchmark.runAndWrite(r.reports(), out, r.rate());
            case anomalyImages ->
                    AnomalyImagesBenchmark.runAndWrite(r.reports(), out, r.rateOr(1000));
            case dashboard ->
                    DashboardBenchmark.runAndWrite(
                            r.reports(),
                            out,
                            r.eventsOr(DashboardBenchmark.DEFAULT_EVENTS),
                            r.rateOr(DashboardBenchmark.SCORE_JOB_MAX_RATE));
            case train ->
                    TrainThroughputBenchmark.runAndWrite(
                            r.reports(), out, Math.min(r.events(), MAX_TRAIN_EXAMPLES));
        }
    }

    /** The harness's command line as the report states it. */
    static String command(BenchRequest r) {
        StringBuilder c = new StringBuilder("./pipeline bench");
        if (r.quick()) {
            c.append(" --quick");
        }
        if (!r.scenarios().isEmpty()) {
            c.append(" --scenario ").append(String.join(",", r.scenarios()));
        }
        if (r.runs() > 0) {
            c.append(" --runs ").append(r.runs());
        }
        c.append(" --out ").append(r.out());
        return c.toString();
    }
}
