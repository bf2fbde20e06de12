package io.streamdl.trainer;

import io.streamdl.schemas.avro.ModelUpdate;
import java.io.Serializable;

/**
 * Finds the newest update already published for a model, once, when a trainer starts: a fresh
 * trainer warm-starts from it, and any trainer numbers its versions after it.
 */
@FunctionalInterface
public interface ModelUpdateLookup extends Serializable {
    /**
     * The committed update with the highest version, or null if there is none.
     *
     * @throws RuntimeException if the topic cannot be read: the trainer must not guess
     */
    ModelUpdate newest();

    /** A lookup that never finds anything: the trainer starts fresh at version 1. */
    static ModelUpdateLookup none() {
        return () -> null;
    }
}
