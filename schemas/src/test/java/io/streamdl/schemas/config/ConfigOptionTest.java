package io.streamdl.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigOptionTest {
    enum Mode {
        RESET_OPTIMIZER,
        NONE
    }

    @Test
    void badValuesFailInOneLineNamingKeyValueAndWhatIsAllowed() {
        ConfigOption<Integer> width = ConfigOption.intRange("x.width", 5, 1, 10, "width");
        assertThat(width.parse(" 7 ")).isEqualTo(7);
        assertThat(width.defaultValue()).isEqualTo(5);
        assertThatThrownBy(() -> width.parse("eleven"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "invalid value 'eleven' for config key 'x.width': expected an integer"
                                + " from 1 to 10")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("x.width"));
        assertThatThrownBy(() -> width.check(0)).hasMessageContaining("'x.width'");
        assertThatThrownBy(() -> ConfigOption.positiveDouble("x.d", 1, "").parse("NaN"))
                .hasMessageContaining("x.d");
        assertThatThrownBy(() -> ConfigOption.port("x.p", 1, "").parse("70000"))
                .hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> ConfigOption.doubleAbove("x.lr", 0.1, 0, 10, "").parse("0"))
                .hasMessageContaining("above 0");
    }

    @Test
    void booleansAreTrueOrFalseOnly() {
        ConfigOption<Boolean> on = ConfigOption.bool("x.on", false, "");
        assertThat(on.parse("TRUE")).isTrue();
        for (String bad : List.of("yes", "1", "on", "")) {
            assertThatThrownBy(() -> on.parse(bad))
                    .as(bad)
                    .hasMessageContaining("expected true or false");
        }
    }

    @Test
    void enumsReadTheirWireNameOrTheirConstantName() {
        ConfigOption<Mode> mode = ConfigOption.oneOf("x.mode", Mode.NONE, Mode.class, "");
        assertThat(mode.defaultText()).isEqualTo("none");
        assertThat(mode.parse("reset-optimizer")).isEqualTo(Mode.RESET_OPTIMIZER);
        assertThat(mode.parse("RESET_OPTIMIZER")).isEqualTo(Mode.RESET_OPTIMIZER);
        assertThatThrownBy(() -> mode.parse("reset"))
                .hasMessageContaining("one of reset-optimizer, none");
    }

    @Test
    void readTakesTheDefaultWhenAbsentAndSecretsAreMarked() {
        ConfigOption<String> name = ConfigOption.string("x.name", "a", "");
        assertThat(name.read(Map.of())).isEqualTo("a");
        assertThat(name.read(Map.of("x.name", "b"))).isEqualTo("b");
        assertThat(ConfigOption.secret("x.key", "").secret()).isTrue();
        assertThat(name.secret()).isFalse();
        assertThat(name.withDefault("z").defaultValue()).isEqualTo("z");
    }
}
