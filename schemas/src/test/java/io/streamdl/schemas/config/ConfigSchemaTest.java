package io.streamdl.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {
    private final ConfigSchema schema =
            ConfigSchema.of(
                    List.of(
                            ConfigGroup.of(
                                    "scorers",
                                    List.of(
                                            ConfigOption.intRange(
                                                    "scoring.batch.max-size", 64, 1, 4096, ""),
                                            ConfigOption.intRange(
                                                    "scoring.batch.max-wait-ms", 5, 0, 60000, ""),
                                            ConfigOption.positive(
                                                    "scoring.hold.max-events", 100000, ""))),
                            ConfigGroup.of(
                                    "trainers",
                                    List.of(
                                            ConfigOption.intRange(
                                                    "trainer.batch-size", 32, 1, 4096, ""),
                                            ConfigOption.bool(
                                                    "models.allow-unsigned", false, "")))));

    @Test
    void unknownKeysAreRefusedWithTheNearestKnownKey() {
        assertThatThrownBy(() -> schema.check(Map.of("scoring.max-batch", "abc")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "unknown config key 'scoring.max-batch'; did you mean"
                                + " 'scoring.batch.max-size'?");
        assertThat(schema.nearest("trainer.batchsize")).isEqualTo("trainer.batch-size");
        assertThat(schema.nearest("models.allow-unsinged")).isEqualTo("models.allow-unsigned");
        assertThat(schema.nearest("completely.different")).isNull();
        assertThatThrownBy(() -> schema.check(Map.of("completely.different", "1")))
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void everyValueIsParsedBeforeAnythingStarts() {
        schema.check(Map.of("scoring.batch.max-size", "32", "models.allow-unsigned", "true"));
        assertThatThrownBy(() -> schema.check(Map.of("models.allow-unsigned", "yes")))
                .hasMessage(
                        "invalid value 'yes' for config key 'models.allow-unsigned': expected"
                                + " true or false");
    }

    @Test
    void keysAreDeclaredOnceAndListedInGroupOrder() {
        assertThat(schema.keys())
                .containsExactly(
                        "scoring.batch.max-size",
                        "scoring.batch.max-wait-ms",
                        "scoring.hold.max-events",
                        "trainer.batch-size",
                        "models.allow-unsigned");
        ConfigOption<Integer> twice = ConfigOption.positive("a.b", 1, "");
        assertThatThrownBy(
                        () ->
                                ConfigSchema.of(
                                        List.of(
                                                ConfigGroup.of("one", List.of(twice)),
                                                ConfigGroup.of("two", List.of(twice)))))
                .hasMessageContaining("'a.b' is declared twice");
    }

    @Test
    void aComponentRefusesUnknownKeysUnderItsOwnPrefixOnly() {
        List<ConfigOption<?>> image = List.of(ConfigOption.positive("image.width", 28, ""));
        ConfigSchema.refuseUnknown(
                Map.of("audio.frames", "3", "image.width", "5"), "image.", image);
        assertThatThrownBy(
                        () ->
                                ConfigSchema.refuseUnknown(
                                        Map.of("image.widht", "5"), "image.", image))
                .hasMessageStartingWith(
                        "unknown config key 'image.widht'; did you mean 'image.width'?");
    }
}
