package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.models.codec.VerifiedUpdate;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an {@link OnlineTrainer} does with each update it reads back from its own {@code
 * models.<model>} topic, so that a version another publisher puts there (a rollback's signed copy
 * of older weights, an imported model) moves the trainer as it moves every scorer, and version
 * numbers stay unique and monotonic:
 *
 * <ul>
 *   <li>An update numbered at or below the trainer's newest version is ignored: the trainer's own,
 *       read back once committed, or an older one. The exception is a <em>collision</em>, another
 *       update under a number this trainer itself published lately (same number, other checksum): a
 *       rollback numbered "newest committed + 1" gets the number of the trainer's version still
 *       waiting for its checkpoint. It is taken like a newer one, without lowering the numbering.
 *   <li>A newer update must pass the codec's {@link ModelUpdateCodec#verify verification} (both
 *       formats, the pipeline's key and the accepted ones). If it has DL4J parameters and its
 *       architecture is the trainer's, the trainer {@linkplain OnlineTrainer#adopt adopts} it, its
 *       reference figure the update's {@link Objective#updateKey} metric (NaN without one);
 *       otherwise the trainer only fences its numbering above it and keeps learning its own
 *       weights.
 *   <li>A serve-only update (an imported ONNX model) has nothing the trainer can load: the trainer
 *       fences its numbering above it and keeps learning its own weights.
 *   <li>An update for another model, or one that fails a check, is refused: nothing changes, and
 *       the caller logs, dead-letters and counts it, as it does a record that does not decode.
 * </ul>
 *
 * <p>Counts every outcome. Not thread-safe: the trainer's thread drives it.
 */
final class ModelTopicFollower {
    private static final Logger LOG = LoggerFactory.getLogger(ModelTopicFollower.class);

    /** The {@code ModelUpdate.metrics} key of a rollback's copy: the version it copies. */
    static final String ROLLBACK_OF = "rollbackOf";

    /** What became of one record of the model topic. */
    enum Outcome {
        /** A tombstone, the trainer's own update, or one not newer than its versions. */
        IGNORED,
        /** The trainer continues from the update's weights. */
        ADOPTED,
        /** The trainer numbers its versions above the update and keeps its own weights. */
        FENCED,
        /** The record did not decode, is for another model, or failed verification. */
        REFUSED
    }

    /**
     * An outcome, with a stable reason code and a sentence for a refused record (null otherwise).
     */
    record Result(Outcome outcome, String reason, String message) {
        private static final Result IGNORED = new Result(Outcome.IGNORED, null, null);
        private static final Result ADOPTED = new Result(Outcome.ADOPTED, null, null);
        private static final Result FENCED = new Result(Outcome.FENCED, null, null);
    }

    private final ModelSpec spec;
    private final Objective objective;
    private final ModelUpdateCodec codec;

    private long adopted;
    private long fenced;
    private long ignored;
    private long refused;

    /**
     * @param spec the trainer's model
     * @param config the trainer's signing settings, which updates of the topic are checked with
     */
    ModelTopicFollower(ModelSpec spec, ModelUpdateCodec.Config config) {
        this.spec = spec;
        this.objective = Objective.of(spec);
        this.codec = new ModelUpdateCodec(config);
    }

    /** A record without a value: a compaction tombstone, which carries no version. */
    Result tombstone() {
        ignored++;
        return Result.IGNORED;
    }

    /** A record that did not decode as a {@code ModelUpdate}. */
    Result undecodable(String reason, String message) {
        return refuse(reason, message);
    }

    /**
     * Takes one decoded update of the model topic, read at processing time {@code now}: adopts,
     * fences or ignores it (see the class comment); an adoption is reported to {@code out}.
     */
    Result take(OnlineTrainer trainer, ModelUpdate update, long now, TrainerOutput out) {
        if (!spec.name().equals(update.getModel())) {
            return refuse(
                    "WRONG_MODEL",
                    "update for model '" + update.getModel() + "' on the topic of " + spec.name());
        }
        long version = update.getVersion();
        boolean collision = false;
        if (version <= trainer.version()) {
            String ours = trainer.publishedSha256(version);
            if (ours == null || ours.equalsIgnoreCase(update.getSha256())) {
                ignored++;
                LOG.debug(
                        "model '{}': version {} read back, not newer than {}",
                        spec.name(),
                        version,
                        trainer.version());
                return Result.IGNORED;
            }
            collision = true;
            LOG.warn(
                    "model '{}': version {} on the topic is not the update this trainer published"
                            + " under that number (another publisher numbered it before this"
                            + " trainer's was committed); taking it as another publisher's",
                    spec.name(),
                    version);
        }
        VerifiedUpdate verified;
        try {
            verified = codec.verify(update, null);
        } catch (ModelUpdateRejected e) {
            return refuse(e.reason().name(), e.getMessage());
        } catch (RuntimeException e) {
            return refuse("VERIFICATION_FAILED", "version " + version + ": " + e);
        }
        if (verified.isServeOnly()) {
            return fence(
                    trainer,
                    version,
                    "is serve-only (format '" + update.getFormat() + "', an imported ONNX model)");
        }
        if (!TrainableNetwork.sameArchitecture(spec, verified.spec())) {
            return fence(
                    trainer,
                    version,
                    "is a "
                            + verified.spec().kind()
                            + " with "
                            + verified.spec().params()
                            + ", this trainer's model a "
                            + spec.kind()
                            + " with "
                            + spec.params());
        }
        Double figure = verified.metrics().get(objective.updateKey());
        double quality = figure != null && Double.isFinite(figure) ? figure : Double.NaN;
        Long parentBefore = trainer.parentVersion();
        trainer.adopt(version, quality, verified.params(), now, out);
        adopted++;
        Double rollbackOf = verified.metrics().get(ROLLBACK_OF);
        LOG.info(
                "model '{}': adopted version {} from the topic{} (parent {}, published {} {}) in"
                        + " place of its own weights (descending from {}); optimizer, prequential"
                        + " window, drift detector and replay buffer start afresh; next version {}"
                        + " with parent {}{}",
                spec.name(),
                version,
                rollbackOf == null ? "" : ", a rollback to version " + rollbackOf.longValue(),
                verified.parentVersion().isPresent() ? verified.parentVersion().getAsLong() : null,
                objective.describe(),
                quality,
                parentBefore,
                trainer.version() + 1,
                version,
                collision ? " (numbered after this trainer's own versions)" : "");
        return Result.ADOPTED;
    }

    private Result fence(OnlineTrainer trainer, long version, String why) {
        trainer.fence(version);
        fenced++;
        LOG.warn(
                "model '{}': version {} on the topic {}; the trainer keeps learning its own weights"
                        + " (descending from {}) because the update carries no DL4J parameters it"
                        + " can load, and numbers its next version {}",
                spec.name(),
                version,
                why,
                trainer.parentVersion(),
                trainer.version() + 1);
        return Result.FENCED;
    }

    private Result refuse(String reason, String message) {
        refused++;
        return new Result(Outcome.REFUSED, reason, message);
    }

    /** Updates adopted so far. */
    long adopted() {
        return adopted;
    }

    /** Updates that only fenced the numbering so far. */
    long fenced() {
        return fenced;
    }

    /** Tombstones, the trainer's own updates and older ones, so far. */
    long ignored() {
        return ignored;
    }

    /** Records that did not decode or verify, or were for another model, so far. */
    long refused() {
        return refused;
    }
}
