package io.streamdl.encoders.image;

import static io.streamdl.encoders.image.ImageLimits.corrupt;
import static io.streamdl.encoders.image.ImageLimits.u16be;
import static io.streamdl.encoders.image.ImageLimits.u8;
import static io.streamdl.encoders.image.ImageLimits.unsupported;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;

/**
 * Walks a JPEG's marker segments without decoding anything.
 *
 * <p>The frame header (SOF) gives the size, checked against the pixel limit as soon as it is read.
 * The walk goes on through every scan to the end-of-image marker, because the JDK decoder fills a
 * truncated JPEG with grey and only warns; here a missing EOI is a corrupt image. The number of
 * scans is capped as well: a progressive JPEG with thousands of tiny scans costs far more decoding
 * time than its size suggests.
 */
final class JpegInspector {
    /** More scans than any ordinary encoder writes (progressive JPEGs use about 10). */
    static final int MAX_SCANS = 64;

    private static final int SOF0 = 0xC0;
    private static final int SOF1 = 0xC1;
    private static final int SOF2 = 0xC2;
    private static final int DHT = 0xC4;
    private static final int JPG = 0xC8;
    private static final int DAC = 0xCC;
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;
    private static final int SOI = 0xD8;
    private static final int TEM = 0x01;

    /** A checked JPEG frame: its size and number of colour components. */
    record Jpeg(int width, int height, int components) {}

    private JpegInspector() {}

    static boolean startsWithSoi(byte[] b) {
        return b.length >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == SOI && u8(b, 2) == 0xFF;
    }

    static Jpeg inspect(byte[] b, long maxPixels) {
        if (!startsWithSoi(b)) {
            throw corrupt("the bytes do not start with the JPEG SOI marker");
        }
        int pos = 2;
        Jpeg frame = null;
        int scans = 0;
        while (true) {
            if (pos >= b.length) {
                throw corrupt("the JPEG is truncated: it ends before its EOI marker");
            }
            if (u8(b, pos) != 0xFF) {
                throw corrupt("the JPEG has no marker where one is expected, at byte " + pos);
            }
            while (pos < b.length && u8(b, pos) == 0xFF) {
                pos++; // fill bytes may precede any marker
            }
            if (pos >= b.length) {
                throw corrupt("the JPEG is truncated: it ends before its EOI marker");
            }
            int marker = u8(b, pos++);
            if (marker == EOI) {
                if (frame == null || scans == 0) {
                    throw corrupt("the JPEG ends before it has a frame header and a scan");
                }
                return frame;
            }
            if (marker == TEM || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // standalone markers carry no length
            }
            if (marker == SOI || marker == 0x00) {
                throw corrupt(
                        String.format(
                                "the JPEG has an unexpected marker 0x%02X at byte %d",
                                marker, pos));
            }
            if (b.length - pos < 2) {
                throw corrupt("the JPEG is truncated inside a segment header");
            }
            int length = u16be(b, pos);
            if (length < 2 || length > b.length - pos) {
                throw corrupt(
                        String.format(
                                "the JPEG is truncated or corrupt: segment 0x%02X declares %d bytes, %d remain",
                                marker, length, b.length - pos));
            }
            if (isFrameHeader(marker)) {
                if (frame != null) {
                    throw unsupported(
                            "the JPEG has more than one frame header (hierarchical JPEG)");
                }
                frame = readFrame(b, pos, length, marker, maxPixels);
            }
            pos += length;
            if (marker == SOS) {
                if (frame == null) {
                    throw corrupt("the JPEG has a scan before its frame header");
                }
                if (++scans > MAX_SCANS) {
                    throw new EncodeException(
                            Reason.IMAGE_TOO_LARGE,
                            "the JPEG has more than " + MAX_SCANS + " scans");
                }
                pos = skipEntropyCodedData(b, pos);
            }
        }
    }

    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != JPG && marker != DAC;
    }

    private static Jpeg readFrame(byte[] b, int pos, int length, int marker, long maxPixels) {
        if (length < 8) {
            throw corrupt("the JPEG frame header is too short");
        }
        int precision = u8(b, pos + 2);
        int height = u16be(b, pos + 3);
        int width = u16be(b, pos + 5);
        int components = u8(b, pos + 7);
        if (width == 0) {
            throw corrupt("the JPEG frame header declares width 0");
        }
        if (height == 0) {
            throw unsupported("the JPEG defers its height to a DNL marker");
        }
        ImageLimits.checkPixels("the JPEG frame header", width, height, maxPixels);
        if (marker != SOF0 && marker != SOF1 && marker != SOF2) {
            throw unsupported(
                    String.format(
                            "the JPEG uses frame type SOF%d (lossless, arithmetic-coded or"
                                    + " hierarchical); only baseline, extended and progressive"
                                    + " Huffman JPEGs are decoded",
                            marker - 0xC0));
        }
        if (precision != 8) {
            throw unsupported("the JPEG has " + precision + "-bit samples; only 8-bit is decoded");
        }
        if (components != 1 && components != 3) {
            throw unsupported(
                    "the JPEG has "
                            + components
                            + " colour components; only grayscale (1) and YCbCr/RGB (3) are"
                            + " decoded");
        }
        if (length != 8 + 3 * components) {
            throw corrupt("the JPEG frame header length does not match its component count");
        }
        return new Jpeg(width, height, components);
    }

    /**
     * Returns the position of the 0xFF that starts the first marker after a scan's data. Inside the
     * data, 0xFF is followed by a stuffed 0x00 or by a restart marker.
     */
    private static int skipEntropyCodedData(byte[] b, int pos) {
        while (pos < b.length) {
            if (u8(b, pos) != 0xFF) {
                pos++;
                continue;
            }
            int next = pos + 1;
            while (next < b.length && u8(b, next) == 0xFF) {
                next++;
            }
            if (next >= b.length) {
                break;
            }
            int code = u8(b, next);
            if (code == 0x00 || (code >= 0xD0 && code <= 0xD7)) {
                pos = next + 1;
            } else {
                return next - 1;
            }
        }
        throw corrupt("the JPEG is truncated inside its scan data (no EOI marker)");
    }
}
