package io.streamdl.encoders.job;

import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Features in the wire format of {@code topic} (Confluent framing, the registered {@code Features}
 * schema), keyed by event id, encoded once for both the features topic and a scorer in the same job
 * ({@link EncodeJob#wireFeatures}). The record has no Kafka coordinates yet: partition and offset
 * are -1.
 */
final class FeaturesToWire extends ProcessFunction<Features, RawRecord> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String registryUrl;
    private final RegistryClientFactory registries;
    private transient AvroWireSerializer<Features> serializer;

    FeaturesToWire(String topic, String registryUrl, RegistryClientFactory registries) {
        this.topic = topic;
        this.registryUrl = registryUrl;
        this.registries = registries;
    }

    @Override
    public void open(OpenContext context) {
        SerdeConfig serde = SerdeConfig.forValues(registryUrl);
        serializer = new AvroWireSerializer<>(registries.create(serde), serde);
    }

    @Override
    public void processElement(Features f, Context ctx, Collector<RawRecord> out) {
        out.collect(
                new RawRecord(
                        topic,
                        -1,
                        -1,
                        f.getTs(),
                        f.getEventId().getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(topic, f)));
    }
}
