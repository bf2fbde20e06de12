package io.streamdl.encoders.image;

import static io.streamdl.encoders.image.ImageLimits.corrupt;
import static io.streamdl.encoders.image.ImageLimits.u32be;
import static io.streamdl.encoders.image.ImageLimits.u8;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Checks a PNG's structure without inflating anything, and keeps only what decoding needs.
 *
 * <p>The IHDR dimensions are checked against the pixel limit first, so a decompression bomb costs a
 * few bytes of parsing. Every chunk's length and CRC is then verified, so truncated and corrupted
 * files are refused here rather than half-decoded. Ancillary chunks other than {@code tRNS} are
 * dropped from the bytes handed to the decoder: compressed text ({@code zTXt}, {@code iTXt}) and
 * ICC profiles ({@code iCCP}) would otherwise be inflated whole by the JDK decoder, a second bomb
 * route that the pixel limit does not cover; none of them changes the pixel values this encoder
 * reads.
 */
final class PngInspector {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static final Set<String> KEPT = Set.of("IHDR", "PLTE", "IDAT", "IEND", "tRNS");

    /** A checked PNG: its declared size and the bytes to decode. */
    record Png(int width, int height, byte[] decodable) {}

    private PngInspector() {}

    static Png inspect(byte[] b, long maxPixels) {
        if (!startsWithSignature(b)) {
            throw corrupt("the bytes do not start with the PNG signature");
        }
        // signature, IHDR length and type, 13 data bytes, CRC
        if (b.length < 8 + 8 + 13 + 4) {
            throw corrupt("the PNG is truncated inside its IHDR header (" + b.length + " bytes)");
        }
        if (u32be(b, 8) != 13 || !"IHDR".equals(type(b, 12))) {
            throw corrupt("the PNG's first chunk is not a 13-byte IHDR");
        }
        long width = u32be(b, 16);
        long height = u32be(b, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw corrupt("the PNG declares an invalid size " + width + " x " + height);
        }
        ImageLimits.checkPixels("the PNG header", width, height, maxPixels);
        checkFormat(u8(b, 24), u8(b, 25), u8(b, 26), u8(b, 27), u8(b, 28));

        ByteArrayOutputStream kept = new ByteArrayOutputStream(b.length);
        kept.write(SIGNATURE, 0, SIGNATURE.length);
        int pos = SIGNATURE.length;
        boolean sawData = false;
        boolean sawEnd = false;
        while (pos < b.length) {
            if (b.length - pos < 12) {
                throw corrupt("the PNG is truncated: a chunk header is cut off at byte " + pos);
            }
            long length = u32be(b, pos);
            String type = type(b, pos + 4);
            if (type == null) {
                throw corrupt("the PNG has an invalid chunk type at byte " + (pos + 4));
            }
            if (length > b.length - pos - 12L) {
                throw corrupt(
                        "the PNG is truncated: chunk "
                                + type
                                + " declares "
                                + length
                                + " bytes but only "
                                + Math.max(0, b.length - pos - 12)
                                + " remain");
            }
            int dataLength = (int) length;
            CRC32 crc = new CRC32();
            crc.update(b, pos + 4, 4 + dataLength);
            if (crc.getValue() != u32be(b, pos + 8 + dataLength)) {
                throw corrupt(
                        "the PNG's " + type + " chunk at byte " + pos + " fails its CRC check");
            }
            boolean critical = Character.isUpperCase(type.charAt(0));
            if (type.equals("IHDR") && pos != SIGNATURE.length) {
                throw corrupt("the PNG has a second IHDR chunk");
            }
            if (critical && !KEPT.contains(type)) {
                throw ImageLimits.unsupported("the PNG has an unknown critical chunk " + type);
            }
            if (KEPT.contains(type)) {
                kept.write(b, pos, 12 + dataLength);
            }
            sawData |= type.equals("IDAT");
            pos += 12 + dataLength;
            if (type.equals("IEND")) {
                sawEnd = true;
                break;
            }
        }
        if (!sawData) {
            throw corrupt("the PNG has no image data (IDAT chunk)");
        }
        if (!sawEnd) {
            throw corrupt("the PNG is truncated: it has no IEND chunk");
        }
        return new Png((int) width, (int) height, kept.toByteArray());
    }

    static boolean startsWithSignature(byte[] b) {
        if (b.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /** The bit depths that PNG allows for each colour type (PNG specification, 11.2.2). */
    private static void checkFormat(
            int bitDepth, int colorType, int compression, int filter, int interlace) {
        boolean valid =
                switch (colorType) {
                    case 0 ->
                            bitDepth == 1
                                    || bitDepth == 2
                                    || bitDepth == 4
                                    || bitDepth == 8
                                    || bitDepth == 16;
                    case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
                    case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
                    default -> false;
                };
        if (!valid) {
            throw corrupt(
                    "the PNG declares colour type " + colorType + " with bit depth " + bitDepth);
        }
        if (compression != 0 || filter != 0 || interlace > 1) {
            throw corrupt(
                    "the PNG declares unknown compression, filter or interlace method ("
                            + compression
                            + ", "
                            + filter
                            + ", "
                            + interlace
                            + ")");
        }
    }

    /** The 4-letter chunk type at {@code pos}, or null if it is not 4 ASCII letters. */
    private static String type(byte[] b, int pos) {
        for (int i = pos; i < pos + 4; i++) {
            int c = u8(b, i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return null;
            }
        }
        return new String(b, pos, 4, StandardCharsets.US_ASCII);
    }
}
