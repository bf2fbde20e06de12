package io.streamdl.encoders.image;

import static io.streamdl.encoders.image.ImageLimits.corrupt;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.Fingerprints;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Encodes an {@link ImagePayload} (PNG, JPEG or IDX) into a float32 tensor of shape {@code [1, C,
 * H, W]} (NCHW with a batch of one), C-order little-endian.
 *
 * <p>Steps: check the payload size; check the payload's declared width and height, if any, against
 * the pixel limit; read the format's own header and refuse a bomb from its dimensions before
 * decoding (see {@link PngInspector}, {@link JpegInspector}); decode with the JDK's decoders,
 * treating any decoder warning as corruption; convert to the configured channels (see {@link
 * Pixels}); resize with the configured {@link Interpolation}; scale to [0, 1] and normalise each
 * channel as {@code (v - mean[c]) / std[c]}.
 *
 * <p>The format comes from the content type ({@code image/png}, {@code image/jpeg}, {@code
 * application/x-idx}); with no content type or {@code application/octet-stream} it is sniffed from
 * the PNG and JPEG signatures. The bytes must match the content type. EXIF orientation and embedded
 * colour profiles are ignored.
 *
 * <p>The {@link #version()} is {@value #IMPLEMENTATION_VERSION} followed by a hash of every
 * configuration value that changes the output (channels, size, interpolation, mean, std), so
 * differently configured encoders never share an {@code encodedBy}. Thread-safe.
 */
public final class ImageEncoder implements Encoder<ImagePayload> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "image";

    /** Bumped whenever this class's output for the same input and configuration changes. */
    public static final String IMPLEMENTATION_VERSION = "1";

    public static final String PNG = "image/png";
    public static final String JPEG = "image/jpeg";
    public static final String IDX = "application/x-idx";

    private enum Format {
        PNG,
        JPEG,
        IDX
    }

    private final ImageEncoderConfig config;
    private final transient String version;
    private final transient int[] shape;

    public ImageEncoder(ImageEncoderConfig config) {
        this.config = config;
        StringBuilder canonical =
                new StringBuilder("channels=")
                        .append(config.channels())
                        .append(";width=")
                        .append(config.width())
                        .append(";height=")
                        .append(config.height())
                        .append(";interpolation=")
                        .append(config.interpolation());
        for (int c = 0; c < config.channels(); c++) {
            canonical.append(";mean").append(c).append('=').append(config.meanOf(c));
            canonical.append(";std").append(c).append('=').append(config.stdOf(c));
        }
        this.version = IMPLEMENTATION_VERSION + "-" + Fingerprints.shortHash(canonical.toString());
        this.shape = new int[] {1, config.channels(), config.height(), config.width()};
    }

    public ImageEncoderConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Class<ImagePayload> payloadType() {
        return ImagePayload.class;
    }

    /** {@code [1, channels, height, width]}. */
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public Features encode(String eventId, long ts, ImagePayload payload) {
        if (payload == null) {
            throw new EncodeException(Reason.NO_ENCODER, "the event has no image payload");
        }
        float[] values =
                encode(
                        payload.getData(),
                        payload.getContentType(),
                        payload.getWidth(),
                        payload.getHeight());
        return Tensors.floatFeatures(eventId, ts, encodedBy(), shape, values);
    }

    /**
     * The core of {@link #encode(String, long, ImagePayload)}: the normalised NCHW values.
     *
     * @param data the image bytes (read from position to limit; the buffer is not modified)
     * @param contentType the payload's content type, may be null
     * @param declaredWidth the width the sender declared, or null
     * @param declaredHeight the height the sender declared, or null
     */
    public float[] encode(
            ByteBuffer data, String contentType, Integer declaredWidth, Integer declaredHeight) {
        if (data == null) {
            throw corrupt("the image payload has no data");
        }
        if (data.remaining() > config.maxPayloadBytes()) {
            throw new EncodeException(
                    Reason.PAYLOAD_TOO_LARGE,
                    "the image payload has "
                            + data.remaining()
                            + " bytes, more than the limit of "
                            + config.maxPayloadBytes());
        }
        if (!data.hasRemaining()) {
            throw corrupt("the image payload is empty");
        }
        checkDeclared(declaredWidth, declaredHeight);
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);

        int width;
        int height;
        float[] planes;
        switch (format(contentType, bytes)) {
            case PNG -> {
                PngInspector.Png png = PngInspector.inspect(bytes, config.maxPixels());
                width = png.width();
                height = png.height();
                checkMatches(declaredWidth, declaredHeight, width, height);
                planes =
                        Pixels.planes(
                                decode(Spis.PNG, "PNG", png.decodable(), width, height),
                                config.channels());
            }
            case JPEG -> {
                JpegInspector.Jpeg jpeg = JpegInspector.inspect(bytes, config.maxPixels());
                width = jpeg.width();
                height = jpeg.height();
                checkMatches(declaredWidth, declaredHeight, width, height);
                planes =
                        Pixels.planes(
                                decode(Spis.JPEG, "JPEG", bytes, width, height), config.channels());
            }
            case IDX -> {
                IdxImage.Gray gray =
                        IdxImage.decode(bytes, declaredWidth, declaredHeight, config.maxPixels());
                width = gray.width();
                height = gray.height();
                checkMatches(declaredWidth, declaredHeight, width, height);
                planes = new float[config.channels() * width * height];
                for (int c = 0; c < config.channels(); c++) {
                    System.arraycopy(gray.pixels(), 0, planes, c * width * height, width * height);
                }
            }
            default -> throw new IllegalStateException("unhandled format");
        }
        float[] out =
                Resizer.resize(
                        planes,
                        config.channels(),
                        width,
                        height,
                        config.width(),
                        config.height(),
                        config.interpolation());
        int area = config.width() * config.height();
        for (int c = 0; c < config.channels(); c++) {
            float mean = (float) config.meanOf(c);
            float invStd = (float) (1.0 / config.stdOf(c));
            for (int i = c * area; i < (c + 1) * area; i++) {
                out[i] = (out[i] - mean) * invStd;
            }
        }
        return out;
    }

    private void checkDeclared(Integer declaredWidth, Integer declaredHeight) {
        if (declaredWidth != null && declaredWidth <= 0) {
            throw new EncodeException(
                    Reason.IMAGE_DIMENSION_MISMATCH,
                    "the payload declares width " + declaredWidth + ", which is not positive");
        }
        if (declaredHeight != null && declaredHeight <= 0) {
            throw new EncodeException(
                    Reason.IMAGE_DIMENSION_MISMATCH,
                    "the payload declares height " + declaredHeight + ", which is not positive");
        }
        if (declaredWidth != null && declaredHeight != null) {
            ImageLimits.checkPixels(
                    "the payload", declaredWidth, declaredHeight, config.maxPixels());
        }
    }

    private static void checkMatches(
            Integer declaredWidth, Integer declaredHeight, int width, int height) {
        if ((declaredWidth != null && declaredWidth != width)
                || (declaredHeight != null && declaredHeight != height)) {
            throw new EncodeException(
                    Reason.IMAGE_DIMENSION_MISMATCH,
                    "the payload declares "
                            + declaredWidth
                            + " x "
                            + declaredHeight
                            + " but the image is "
                            + width
                            + " x "
                            + height);
        }
    }

    private static Format format(String contentType, byte[] bytes) {
        String type =
                contentType == null
                        ? ""
                        : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case PNG:
                return Format.PNG;
            case JPEG:
            case "image/jpg":
            case "image/pjpeg":
                return Format.JPEG;
            case IDX:
            case "application/x-idx3":
                return Format.IDX;
            case "":
            case "application/octet-stream":
                if (PngInspector.startsWithSignature(bytes)) {
                    return Format.PNG;
                }
                if (JpegInspector.startsWithSoi(bytes)) {
                    return Format.JPEG;
                }
                throw ImageLimits.unsupported(
                        "the image has no content type and is neither PNG nor JPEG");
            default:
                throw ImageLimits.unsupported(
                        "content type '"
                                + contentType
                                + "' is not one of "
                                + List.of(PNG, JPEG, IDX));
        }
    }

    /**
     * Decodes with a fresh JDK reader on an in-memory stream (never ImageIO's file cache). The JDK
     * decoders report damage they can work around as warnings and return an image anyway; such an
     * image is refused as corrupt.
     */
    private static BufferedImage decode(
            ImageReaderSpi spi, String what, byte[] bytes, int width, int height) {
        ImageReader reader;
        try {
            reader = spi.createReaderInstance();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the JDK " + what + " reader", e);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            if (!warnings.isEmpty()) {
                throw corrupt("the " + what + " decoder reported: " + warnings.get(0));
            }
            if (image.getWidth() != width || image.getHeight() != height) {
                throw corrupt(
                        "the "
                                + what
                                + " decoded to "
                                + image.getWidth()
                                + " x "
                                + image.getHeight()
                                + " instead of its declared "
                                + width
                                + " x "
                                + height);
            }
            return image;
        } catch (IOException e) {
            throw new EncodeException(
                    Reason.CORRUPT_IMAGE,
                    "the " + what + " cannot be decoded: " + e.getMessage(),
                    e);
        } catch (EncodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // the JDK decoders throw unchecked exceptions (IllegalArgumentException,
            // ArrayIndexOutOfBoundsException, ...) on some malformed streams
            throw new EncodeException(
                    Reason.CORRUPT_IMAGE, "the " + what + " cannot be decoded: " + e, e);
        } finally {
            reader.dispose();
        }
    }

    /** Rebuilds the derived fields after deserialization. */
    private Object readResolve() throws ObjectStreamException {
        return new ImageEncoder(config);
    }

    /** The JDK reader providers, looked up once. */
    private static final class Spis {
        static final ImageReaderSpi PNG = spi("png");
        static final ImageReaderSpi JPEG = spi("jpeg");

        private static ImageReaderSpi spi(String format) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            if (!readers.hasNext()) {
                throw new IllegalStateException("the JDK has no " + format + " reader");
            }
            return readers.next().getOriginatingProvider();
        }
    }
}
