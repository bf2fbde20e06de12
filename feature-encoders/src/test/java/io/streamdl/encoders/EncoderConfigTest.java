package io.streamdl.encoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.image.Interpolation;
import io.streamdl.schemas.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncoderConfigTest {

    @Test
    void unknownKeysUnderThePrefixAreRefused() {
        assertThatThrownBy(() -> ImageEncoderConfig.from(Map.of("image.widht", "32")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "unknown config key 'image.widht'; did you mean 'image.width'?");
        // keys of other components pass through untouched
        assertThat(ImageEncoderConfig.from(Map.of("audio.frames", "3", "other", "x")).width())
                .isEqualTo(28);
    }

    @Test
    void imageConfigReadsEveryKeyAndChecksChannelCounts() {
        ImageEncoderConfig config =
                ImageEncoderConfig.from(
                        Map.of(
                                "image.channels", "3",
                                "image.width", "32",
                                "image.height", "24",
                                "image.interpolation", "area",
                                "image.mean", "0.485, 0.456, 0.406",
                                "image.std", "0.229,0.224,0.225",
                                "image.max.payload.bytes", "1000",
                                "image.max.pixels", "5000"));
        assertThat(config)
                .isEqualTo(
                        new ImageEncoderConfig(
                                3,
                                32,
                                24,
                                Interpolation.AREA,
                                List.of(0.485, 0.456, 0.406),
                                List.of(0.229, 0.224, 0.225),
                                1000,
                                5000));
        assertThat(ImageEncoderConfig.defaults())
                .isEqualTo(
                        new ImageEncoderConfig(
                                1,
                                28,
                                28,
                                Interpolation.BILINEAR,
                                List.of(0.286),
                                List.of(0.353),
                                1 << 20,
                                2048L * 2048));
        assertThatThrownBy(() -> ImageEncoderConfig.from(Map.of("image.channels", "2")))
                .hasMessageContaining("image.channels");
        assertThatThrownBy(() -> ImageEncoderConfig.from(Map.of("image.mean", "0.1,0.2")))
                .hasMessageContaining("image.mean");
        assertThatThrownBy(() -> ImageEncoderConfig.from(Map.of("image.std", "0")))
                .hasMessageContaining("image.std");
    }
}
