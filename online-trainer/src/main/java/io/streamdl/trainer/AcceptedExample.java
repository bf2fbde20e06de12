package io.streamdl.trainer;

import io.streamdl.schemas.avro.Features;

/**
 * An example the trainer accepted for learning: its label mapped to a class index, its features
 * known to fit the model, and the processing time it arrived at.
 */
record AcceptedExample(String eventId, int label, long arrivedAt, Features features) {}
