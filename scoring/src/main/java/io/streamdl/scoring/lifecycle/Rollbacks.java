package io.streamdl.scoring.lifecycle;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.HashMap;
import java.util.Map;

/**
 * Publishes a rollback: a signed copy of an earlier version's weights as a new version (the newest
 * on the topic plus one) whose parent is that earlier version, so every scorer and the trainer move
 * to it and version numbers only grow.
 */
public final class Rollbacks {
    private Rollbacks() {}

    /** What was published. */
    public record Published(ModelUpdate copy, long rolledBackTo, long previousNewest) {}

    /**
     * @throws IllegalArgumentException if {@code model} has no version {@code version} on its topic
     *     (never published, or compacted away)
     */
    public static Published publishCopy(
            ModelTopicReader reader,
            LifecyclePublisher publisher,
            ModelUpdateCodec codec,
            String model,
            long version,
            Map<String, Double> extraMetrics) {
        ModelUpdate newest = reader.newest(model);
        if (newest == null) {
            throw new IllegalArgumentException(
                    "model '" + model + "' has no version on its topic to roll back to");
        }
        ModelUpdate source = reader.find(model, version);
        if (source == null) {
            throw new IllegalArgumentException(
                    "model '"
                            + model
                            + "' has no version "
                            + version
                            + " on its topic (versions there: "
                            + ModelVersions.describe(reader.updates(model, u -> true))
                            + ")");
        }
        Map<String, Double> metrics = new HashMap<>(source.getMetrics());
        metrics.remove(ModelEvents.ROLLBACK_OF);
        metrics.putAll(extraMetrics);
        metrics.put(ModelEvents.ROLLBACK_OF, (double) version);
        ModelUpdate copy = codec.copyAs(source, newest.getVersion() + 1, version, metrics);
        codec.verify(copy); // a copy the scorers would refuse is never published
        publisher.publish(copy);
        return new Published(copy, version, newest.getVersion());
    }
}
