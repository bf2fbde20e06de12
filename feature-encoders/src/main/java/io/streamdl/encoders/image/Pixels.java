package io.streamdl.encoders.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Reads a decoded image into planar float channels in [0, 1].
 *
 * <p>Grayscale images are read from their raster, not through {@link BufferedImage#getRGB}: the
 * JDK's gray colour space is linear, so {@code getRGB} would gamma-convert the stored values.
 * Colour and palette images are read as sRGB through {@code getRGB}. Transparent pixels are
 * composited over black (value 0), which is the background of Fashion-MNIST-like data. Grayscale
 * output from colour input is the ITU-R BT.601 luma {@code 0.299 R + 0.587 G + 0.114 B} of the sRGB
 * values, without linearisation; colour output from grayscale input repeats the gray plane.
 */
final class Pixels {
    private Pixels() {}

    /** The image as {@code channels} planes of {@code height x width} values, C-H-W order. */
    static float[] planes(BufferedImage image, int channels) {
        int width = image.getWidth();
        int height = image.getHeight();
        int area = width * height;
        float[] out = new float[channels * area];
        ColorModel model = image.getColorModel();
        if (!(model instanceof IndexColorModel)
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            readGray(image.getRaster(), model, width, height, out);
            for (int c = 1; c < channels; c++) {
                System.arraycopy(out, 0, out, c * area, area);
            }
            return out;
        }
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                float alpha = ((argb >>> 24) & 0xFF) / 255f;
                float r = ((argb >>> 16) & 0xFF) / 255f * alpha;
                float g = ((argb >>> 8) & 0xFF) / 255f * alpha;
                float b = (argb & 0xFF) / 255f * alpha;
                int i = y * width + x;
                if (channels == 1) {
                    out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    out[i] = r;
                    out[area + i] = g;
                    out[2 * area + i] = b;
                }
            }
        }
        return out;
    }

    private static void readGray(
            Raster raster, ColorModel model, int width, int height, float[] out) {
        double grayMax = (1L << model.getComponentSize(0)) - 1;
        boolean alpha = model.hasAlpha() && raster.getNumBands() > 1;
        double alphaMax = alpha ? (1L << model.getComponentSize(1)) - 1 : 1;
        int[] gray = new int[width];
        int[] opacity = new int[width];
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, width, 1, 1, opacity);
            }
            for (int x = 0; x < width; x++) {
                double value = gray[x] / grayMax;
                if (alpha) {
                    value *= opacity[x] / alphaMax;
                }
                out[y * width + x] = (float) value;
            }
        }
    }
}
