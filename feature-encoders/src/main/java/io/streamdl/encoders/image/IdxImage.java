package io.streamdl.encoders.image;

import static io.streamdl.encoders.image.ImageLimits.corrupt;
import static io.streamdl.encoders.image.ImageLimits.u32be;

/**
 * Reads one grayscale image in IDX form, as Fashion-MNIST stores them. Two layouts are accepted:
 *
 * <ul>
 *   <li>an IDX3 file holding exactly one image: magic {@code 0x00000803} (unsigned bytes, three
 *       dimensions), the big-endian dimensions 1, rows and columns, then rows x columns pixel
 *       bytes;
 *   <li>the bare pixel bytes of one image in row-major order, as cut from a data-set file: exactly
 *       width x height bytes when the payload declares both, otherwise exactly 784 (28 x 28).
 * </ul>
 *
 * A file that is a complete IDX3 single image is read as such even if its length would also fit the
 * bare layout. Pixel bytes are intensities 0..255 as stored (in Fashion-MNIST, 0 is the
 * background).
 */
final class IdxImage {
    static final int MAGIC_UBYTE_3D = 0x00000803;
    static final int HEADER_BYTES = 16;
    static final int DEFAULT_SIDE = 28;

    /** A decoded image: intensities scaled to [0, 1], row-major. */
    record Gray(int width, int height, float[] pixels) {}

    private IdxImage() {}

    static Gray decode(byte[] b, Integer declaredWidth, Integer declaredHeight, long maxPixels) {
        boolean hasMagic = b.length >= HEADER_BYTES && u32be(b, 0) == MAGIC_UBYTE_3D;
        if (hasMagic) {
            long count = u32be(b, 4);
            long rows = u32be(b, 8);
            long cols = u32be(b, 12);
            if (count == 1
                    && rows > 0
                    && cols > 0
                    && rows * cols == (long) b.length - HEADER_BYTES) {
                ImageLimits.checkPixels("the IDX header", cols, rows, maxPixels);
                return gray(b, HEADER_BYTES, (int) cols, (int) rows);
            }
        }
        boolean declared = declaredWidth != null && declaredHeight != null;
        long width = declared ? declaredWidth : DEFAULT_SIDE;
        long height = declared ? declaredHeight : DEFAULT_SIDE;
        if (b.length == width * height) {
            ImageLimits.checkPixels("the payload", width, height, maxPixels);
            return gray(b, 0, (int) width, (int) height);
        }
        if (hasMagic) {
            long count = u32be(b, 4);
            if (count != 1) {
                throw ImageLimits.unsupported(
                        "the IDX file holds " + count + " images; one image per event is expected");
            }
            ImageLimits.checkPixels("the IDX header", u32be(b, 12), u32be(b, 8), maxPixels);
            throw corrupt(
                    "the IDX file declares "
                            + u32be(b, 8)
                            + " x "
                            + u32be(b, 12)
                            + " pixels but holds "
                            + (b.length - HEADER_BYTES)
                            + " pixel bytes");
        }
        throw corrupt(
                "the "
                        + b.length
                        + " bytes are neither an IDX3 single image (magic 0x00000803) nor "
                        + width
                        + " x "
                        + height
                        + " raw pixel bytes");
    }

    private static Gray gray(byte[] b, int offset, int width, int height) {
        float[] pixels = new float[width * height];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (b[offset + i] & 0xFF) / 255f;
        }
        return new Gray(width, height, pixels);
    }
}
