package io.streamdl.encoders.image;

import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What {@link ImageEncoder} emits and what it accepts. Immutable; built from settings keys listed
 * in {@link #OPTIONS} or directly, and validated either way with errors that name the key.
 *
 * @param channels 1 (grayscale, BT.601 luma of sRGB values) or 3 (R, G, B planes)
 * @param width output width in pixels
 * @param height output height in pixels
 * @param interpolation how the image is resized to {@code width x height}
 * @param mean per-channel mean subtracted from values in [0, 1]; one value applies to all channels
 * @param std per-channel standard deviation divided into the centred values; one value applies to
 *     all channels
 * @param maxPayloadBytes larger payloads are refused before anything is parsed
 * @param maxPixels images whose header declares more pixels (width x height) are refused before
 *     decoding, so a small file that inflates to a huge bitmap costs nothing
 */
public record ImageEncoderConfig(
        int channels,
        int width,
        int height,
        Interpolation interpolation,
        List<Double> mean,
        List<Double> std,
        int maxPayloadBytes,
        long maxPixels)
        implements Serializable {

    public static final ConfigOption<Integer> CHANNELS =
            new ConfigOption<>(
                    "image.channels",
                    "1",
                    "output channels: 1 = grayscale, 3 = RGB",
                    Integer::parseInt,
                    c -> c == 1 || c == 3,
                    "1 or 3");
    public static final ConfigOption<Integer> WIDTH =
            ConfigOption.intRange("image.width", 28, 1, 4096, "output width in pixels");
    public static final ConfigOption<Integer> HEIGHT =
            ConfigOption.intRange("image.height", 28, 1, 4096, "output height in pixels");
    public static final ConfigOption<Interpolation> INTERPOLATION =
            ConfigOption.oneOf(
                    "image.interpolation",
                    Interpolation.BILINEAR,
                    Interpolation.class,
                    "resize method (see Interpolation)");
    public static final ConfigOption<List<Double>> MEAN =
            ConfigOption.doubleList(
                    "image.mean",
                    "0.2860",
                    m -> !m.isEmpty(),
                    "a comma-separated list of numbers, one or one per channel",
                    "per-channel mean of [0,1] pixel values (default: Fashion-MNIST training set)");
    public static final ConfigOption<List<Double>> STD =
            ConfigOption.doubleList(
                    "image.std",
                    "0.3530",
                    s -> !s.isEmpty() && s.stream().allMatch(v -> v > 0),
                    "a comma-separated list of numbers greater than 0, one or one per channel",
                    "per-channel standard deviation (default: Fashion-MNIST training set)");
    public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES =
            ConfigOption.intRange(
                    "image.max.payload.bytes",
                    1 << 20,
                    1,
                    256 << 20,
                    "payloads larger than this are refused (PAYLOAD_TOO_LARGE)");
    public static final ConfigOption<Long> MAX_PIXELS =
            ConfigOption.longRange(
                    "image.max.pixels",
                    2048L * 2048L,
                    1,
                    1L << 28,
                    "images declaring more pixels are refused before decoding (IMAGE_TOO_LARGE)");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    CHANNELS,
                    WIDTH,
                    HEIGHT,
                    INTERPOLATION,
                    MEAN,
                    STD,
                    MAX_PAYLOAD_BYTES,
                    MAX_PIXELS);

    public ImageEncoderConfig {
        CHANNELS.check(channels);
        WIDTH.check(width);
        HEIGHT.check(height);
        INTERPOLATION.check(interpolation);
        mean = List.copyOf(MEAN.check(mean));
        std = List.copyOf(STD.check(std));
        MAX_PAYLOAD_BYTES.check(maxPayloadBytes);
        MAX_PIXELS.check(maxPixels);
        if (mean.size() != 1 && mean.size() != channels) {
            throw ConfigException.refused(
                    MEAN.key(), "has " + mean.size() + " values for " + channels + " channel(s)");
        }
        if (std.size() != 1 && std.size() != channels) {
            throw ConfigException.refused(
                    STD.key(), "has " + std.size() + " values for " + channels + " channel(s)");
        }
    }

    /** 1 channel, 28 x 28, bilinear, Fashion-MNIST mean 0.2860 and std 0.3530, 1 MiB, 2048². */
    public static ImageEncoderConfig defaults() {
        return from(Map.of());
    }

    /**
     * Reads the {@code image.*} keys of {@code settings}; absent keys take their defaults, other
     * keys are ignored, and unknown {@code image.*} keys are refused.
     */
    public static ImageEncoderConfig from(Map<String, String> settings) {
        io.streamdl.schemas.config.ConfigSchema.refuseUnknown(settings, "image.", OPTIONS);
        return new ImageEncoderConfig(
                CHANNELS.read(settings),
                WIDTH.read(settings),
                HEIGHT.read(settings),
                INTERPOLATION.read(settings),
                MEAN.read(settings),
                STD.read(settings),
                MAX_PAYLOAD_BYTES.read(settings),
                MAX_PIXELS.read(settings));
    }

    /** The mean of channel {@code c}, expanding a single value to all channels. */
    public double meanOf(int c) {
        return mean.size() == 1 ? mean.get(0) : mean.get(c);
    }

    /** The standard deviation of channel {@code c}, expanding a single value to all channels. */
    public double stdOf(int c) {
        return std.size() == 1 ? std.get(0) : std.get(c);
    }

    public ImageEncoderConfig withSize(int newWidth, int newHeight) {
        return new ImageEncoderConfig(
                channels,
                newWidth,
                newHeight,
                interpolation,
                mean,
                std,
                maxPayloadBytes,
                maxPixels);
    }

    public ImageEncoderConfig withChannels(
            int newChannels, List<Double> newMean, List<Double> newStd) {
        return new ImageEncoderConfig(
                newChannels,
                width,
                height,
                interpolation,
                newMean,
                newStd,
                maxPayloadBytes,
                maxPixels);
    }

    public ImageEncoderConfig withInterpolation(Interpolation newInterpolation) {
        return new ImageEncoderConfig(
                channels, width, height, newInterpolation, mean, std, maxPayloadBytes, maxPixels);
    }

    public ImageEncoderConfig withLimits(int newMaxPayloadBytes, long newMaxPixels) {
        return new ImageEncoderConfig(
                channels,
                width,
                height,
                interpolation,
                mean,
                std,
                newMaxPayloadBytes,
                newMaxPixels);
    }
}
