package io.streamdl.ingest;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;

/** Turns grey pixel arrays into the byte forms events carry: PNG, or a one-image IDX3. */
public final class ImageCodecs {
    private ImageCodecs() {}

    public static byte[] png(byte[] grey, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(grey, 0, target, 0, width * height);
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A single image as an IDX3 file: magic 0x00000803, count 1, rows, columns, pixels. */
    public static byte[] idx(byte[] grey, int width, int height) {
        return ByteBuffer.allocate(16 + width * height)
                .putInt(0x803)
                .putInt(1)
                .putInt(height)
                .putInt(width)
                .put(grey, 0, width * height)
                .array();
    }
}
