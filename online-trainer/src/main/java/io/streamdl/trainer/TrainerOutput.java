package io.streamdl.trainer;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;

/** Where {@link OnlineTrainer} sends what it produces. */
public interface TrainerOutput {
    /** A signed update to publish on {@code models.<model>}. */
    void update(ModelUpdate update);

    /** A metric for {@code dashboard.metrics}. */
    void metric(DashboardMetric metric);

    /** An example the trainer refused, for {@code dlq}. */
    void deadLetter(DeadLetter deadLetter);
}
