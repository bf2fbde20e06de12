package io.streamdl.scoring;

import io.streamdl.schemas.avro.ModelUpdate;
import java.io.Serializable;

/** Decides whether a model update may be served. */
@FunctionalInterface
public interface UpdateVerifier extends Serializable {
    /** Why {@code update} must not be served, or null if it may. */
    Refusal check(ModelUpdate update);

    /** A stable reason code and a sentence for a person. */
    record Refusal(String reason, String message) {}
}
