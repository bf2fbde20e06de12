package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing attempt of an {@link OnlineTrainer}: the {@link PublishGuard} judges the current
 * weights by the window's figure against the last published one; a published update is signed by
 * the codec, numbered by the {@link VersionLineage} and carries the window's metrics; a held-back
 * one is counted and reported, and non-finite weights are rolled back to the last good ones with a
 * fresh optimizer. Remembers the checksums of the last {@value #REMEMBERED} versions it published,
 * so the trainer can tell its own update read back from the topic from another one under the same
 * number. Shares the trainer's network, lineage and evaluator; not thread-safe.
 */
final class UpdatePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);
    private static final int REMEMBERED = 64;

    private final ModelSpec spec;
    private final Objective objective;
    private final ModelUpdateCodec codec;
    private final PublishGuard guard;
    private final TrainableNetwork network;
    private final VersionLineage lineage;
    private final PrequentialEvaluator evaluator;

    /** What this publisher published since it was made, oldest first; not part of a snapshot. */
    private final ArrayDeque<Published> published = new ArrayDeque<>();

    private record Published(long version, String sha256) {}

    UpdatePublisher(
            ModelSpec spec,
            Objective objective,
            ModelUpdateCodec codec,
            PublishGuard guard,
            TrainableNetwork network,
            VersionLineage lineage,
            PrequentialEvaluator evaluator) {
        this.spec = spec;
        this.objective = objective;
        this.codec = codec;
        this.guard = guard;
        this.network = network;
        this.lineage = lineage;
        this.evaluator = evaluator;
    }

    /** Judges the current weights and publishes them or holds them back, at time {@code now}. */
    void attempt(TrainerCounters counters, long now, TrainerOutput out) {
        counters.resetLearnedSinceAttempt();
        float[] params = network.params();
        double quality = objective.quality(evaluator.window());
        switch (guard.judge(
                params, quality, lineage.referenceQuality(), objective.higherIsBetter())) {
            case PUBLISH -> publish(params, quality, counters, now, out);
            case HOLD_REGRESSION -> holdBackRegression(quality, counters, now, out);
            case HOLD_NON_FINITE -> holdBackNonFinite(quality, counters, now, out);
        }
    }

    private void publish(
            float[] params, double quality, TrainerCounters counters, long now, TrainerOutput out) {
        long next = lineage.nextVersion();
        ModelUpdate update =
                codec.encode(
                        spec,
                        network.graph(),
                        next,
                        lineage.parentVersion(),
                        TrainerRecords.updateMetrics(objective, evaluator.window(), counters));
        out.update(update);
        if (published.size() == REMEMBERED) {
            published.removeFirst();
        }
        published.addLast(new Published(next, update.getSha256()));
        long version = lineage.published(quality, params);
        counters.addPublished();
        LOG.info(
                "model '{}': published version {} ({} {} over {} examples, {} learned)",
                spec.name(),
                version,
                objective.describe(),
                quality,
                evaluator.window().count(),
                counters.examplesLearned());
        out.metric(metric(TrainerMetrics.MODEL_VERSION, version, counters.examplesLearned(), now));
    }

    private void holdBackRegression(
            double quality, TrainerCounters counters, long now, TrainerOutput out) {
        counters.addHeldBackRegression();
        LOG.warn(
                "model '{}': update held back: {} {} is worse than the last published {} by more"
                        + " than the margin {}",
                spec.name(),
                objective.describe(),
                quality,
                lineage.referenceQuality(),
                guard.margin());
        out.metric(
                metric(
                        TrainerMetrics.HELD_BACK_REGRESSION,
                        quality,
                        counters.heldBackRegression(),
                        now));
    }

    private void holdBackNonFinite(
            double quality, TrainerCounters counters, long now, TrainerOutput out) {
        counters.addHeldBackNonFinite();
        LOG.warn(
                "model '{}': update held back: NaN or infinite weights; rolling back to the"
                        + " last good weights and resetting the optimizer",
                spec.name());
        network.setParams(lineage.lastGoodParams());
        network.resetOptimizer();
        out.metric(
                metric(
                        TrainerMetrics.HELD_BACK_NON_FINITE,
                        quality,
                        counters.heldBackNonFinite(),
                        now));
    }

    /**
     * The checksum of {@code version} if this publisher published it (one of the last {@value
     * #REMEMBERED}), else null.
     */
    String sha256Of(long version) {
        for (Published p : published) {
            if (p.version() == version) {
                return p.sha256();
            }
        }
        return null;
    }

    /** One {@code dashboard.metrics} record over the current window, naming the parent version. */
    DashboardMetric metric(String name, double value, long count, long now) {
        return TrainerRecords.metric(
                spec.name(), name, value, count, now, evaluator.window(), lineage.parentVersion());
    }
}
