package io.streamdl.trainer;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayList;
import java.util.List;

/** Collects everything an {@link OnlineTrainer} emits. */
final class TestingTrainerOutput implements TrainerOutput {
    final List<ModelUpdate> updates = new ArrayList<>();
    final List<DashboardMetric> metrics = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();

    @Override
    public void update(ModelUpdate update) {
        updates.add(update);
    }

    @Override
    public void metric(DashboardMetric metric) {
        metrics.add(metric);
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
    }

    List<DashboardMetric> metrics(String name) {
        return metrics.stream().filter(m -> m.getMetric().equals(name)).toList();
    }

    List<Long> versions() {
        return updates.stream().map(ModelUpdate::getVersion).toList();
    }
}
