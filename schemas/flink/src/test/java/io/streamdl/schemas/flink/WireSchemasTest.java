package io.streamdl.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import org.junit.jupiter.api.Test;

class WireSchemasTest {
    @Test
    void flinkSchemasRoundTripThroughTheGivenRegistry() throws Exception {
        TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
        SerdeConfig config = SerdeConfig.forValues("http://unused");
        RegistryClientFactory sameRegistry = c -> registry;
        Label label = new Label("e9", "2", 3L);

        WireSerializationSchema<Label> out =
                new WireSerializationSchema<>("lbl", config, sameRegistry);
        WireDeserializationSchema<Label> in =
                new WireDeserializationSchema<>("lbl", Label.class, config, sameRegistry);

        assertThat(in.deserialize(out.serialize(label))).isEqualTo(label);
        assertThat(in.getProducedType().getTypeClass()).isEqualTo(Label.class);
        assertThat(registry.calls()).isPositive();
    }
}
