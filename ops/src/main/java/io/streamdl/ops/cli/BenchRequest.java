package io.streamdl.ops.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code ./pipeline bench} was asked to run, as the command line parsed it: the benchmark and
 * every option, defaults filled in. The CLI checks nothing beyond the types; each benchmark refuses
 * the values it cannot use with an {@link IllegalArgumentException} naming the option.
 *
 * @param which the benchmark, or {@link Which#all} for the harness (every scenario, repeated, one
 *     report)
 * @param reports directory for the JSON report (and any plot)
 * @param events events for the pipeline runs; learn*: training events; train: labelled examples;
 *     dashboard: events of the backlog
 * @param batch score: the ScoreJob's maximum batch size
 * @param driftAt learn: permute the labels from this training event on (0 = never)
 * @param rate events per second sent (learn*, anomaly-images, nab; dashboard: scores per second to
 *     follow), or 0 for the benchmark's own default
 * @param data learn-audio, learn-text: the data set, or null for the default
 * @param passes learn-audio, learn-text: how many times the training events are sent
 * @param target anomaly-latency: {@code bootstrap,registryUrl} of a running pipeline ({@code
 *     ./pipeline up}) to measure from this process, or null to start an embedded one
 * @param quick all: the short sizes (about 3 minutes in all)
 * @param scenarios all: the scenarios to run, empty for every one
 * @param runs all: repetitions of each scenario, or 0 for the mode's default
 * @param out all: directory for report.json, report.md and the plots
 */
public record BenchRequest(
        Which which,
        Path reports,
        int events,
        int batch,
        int driftAt,
        double rate,
        Path data,
        int passes,
        String target,
        boolean quick,
        List<String> scenarios,
        int runs,
        Path out) {

    public BenchRequest {
        scenarios = List.copyOf(scenarios);
    }

    /** What {@code --events} is when not given. */
    public static final int DEFAULT_EVENTS = 30_000;

    /** {@link #events}, or {@code fallback} when none was given. */
    public int eventsOr(int fallback) {
        return events == DEFAULT_EVENTS ? fallback : events;
    }

    /** {@link #rate}, or {@code fallback} when none was given. */
    public double rateOr(double fallback) {
        return rate > 0 ? rate : fallback;
    }

    /** The benchmarks, by the name given on the command line. */
    public enum Which {
        /** The harness: every scenario (or those --scenario names), repeated, in one report. */
        all,
        serde,
        encode,
        score,
        learn,
        learnAudio("learn-audio"),
        learnText("learn-text"),
        train,
        nabNumenta("nab-numenta"),
        nab,
        anomalyImages("anomaly-images"),
        anomalyLatency("anomaly-latency"),
        recs,
        recsLatency("recs-latency"),
        dashboard;

        private final String id;

        Which() {
            this.id = null;
        }

        Which(String id) {
            this.id = id;
        }

        /** The name on the command line (picocli also matches enum values by this). */
        @Override
        public String toString() {
            return id == null ? name() : id;
        }
    }
}
