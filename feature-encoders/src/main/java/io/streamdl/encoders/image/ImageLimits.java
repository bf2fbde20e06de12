package io.streamdl.encoders.image;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;

/** Shared checks and errors of the image parsers. */
final class ImageLimits {
    private ImageLimits() {}

    /** Refuses {@code width x height} above {@code maxPixels}; call before any decoding. */
    static void checkPixels(String what, long width, long height, long maxPixels) {
        if (width * height > maxPixels) {
            throw new EncodeException(
                    Reason.IMAGE_TOO_LARGE,
                    what
                            + " declares "
                            + width
                            + " x "
                            + height
                            + " = "
                            + width * height
                            + " pixels, more than the limit of "
                            + maxPixels);
        }
    }

    static EncodeException corrupt(String message) {
        return new EncodeException(Reason.CORRUPT_IMAGE, message);
    }

    static EncodeException unsupported(String message) {
        return new EncodeException(Reason.UNSUPPORTED_IMAGE_FORMAT, message);
    }

    static int u8(byte[] b, int pos) {
        return b[pos] & 0xFF;
    }

    static int u16be(byte[] b, int pos) {
        return (u8(b, pos) << 8) | u8(b, pos + 1);
    }

    static long u32be(byte[] b, int pos) {
        return ((long) u16be(b, pos) << 16) | u16be(b, pos + 2);
    }
}
