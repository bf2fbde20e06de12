package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.models.codec.VerifiedModel;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.ModelUpdate;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a trainer can continue from the newest update on its model topic: only from one that
 * verifies and has this trainer's architecture. Otherwise it starts from the initial weights (with
 * a warning naming why), still numbering its versions after that update.
 */
final class WarmStart {
    private static final Logger LOG = LoggerFactory.getLogger(WarmStart.class);

    /**
     * The weights to continue from, the version they are, and their published figure (accuracy or
     * mean error, as their {@link Objective} publishes it).
     */
    record Weights(long version, double quality, float[] params) {}

    private WarmStart() {}

    /**
     * The weights of {@code newest} for a trainer of {@code spec}, or null if it cannot use them.
     */
    static Weights of(ModelSpec spec, ModelUpdateCodec codec, ModelUpdate newest) {
        VerifiedModel model;
        try {
            model = codec.decode(newest, spec);
        } catch (ModelUpdateRejected e) {
            LOG.warn(
                    "not warm-starting model '{}' from version {}: {}; starting from the initial"
                            + " weights, numbering after it",
                    spec.name(),
                    newest.getVersion(),
                    e.getMessage());
            return null;
        }
        if (!TrainableNetwork.sameArchitecture(spec, model.spec())) {
            LOG.warn(
                    "not warm-starting model '{}' from version {}: it has architecture {}, this"
                            + " trainer {}; starting from the initial weights, numbering after it",
                    spec.name(),
                    model.version(),
                    model.spec().toJson(),
                    spec.toJson());
            return null;
        }
        float[] params = model.network().params().castTo(DataType.FLOAT).dup('c').data().asFloat();
        Double quality = model.metrics().get(Objective.of(spec).updateKey());
        return new Weights(model.version(), quality == null ? Double.NaN : quality, params);
    }
}
