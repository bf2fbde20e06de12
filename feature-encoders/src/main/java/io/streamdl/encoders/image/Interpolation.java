package io.streamdl.encoders.image;

/**
 * How {@link ImageEncoder} resizes. All three treat a pixel as a unit square and map output pixel
 * centres onto the input with half-pixel offsets (the convention of OpenCV and of PyTorch's {@code
 * interpolate} with {@code align_corners=False}); none applies an anti-aliasing filter beyond what
 * is stated.
 */
public enum Interpolation {
    /**
     * The input sample at {@code floor((x + 0.5) * in / out)}: no new values, blocky when
     * enlarging.
     */
    NEAREST,
    /**
     * Linear in x then y between the two nearest input samples around {@code (x + 0.5) * in / out -
     * 0.5}, with edge samples repeated beyond the border. Equals PyTorch's {@code
     * interpolate(mode="bilinear", align_corners=False, antialias=False)}. Aliases when shrinking
     * by much more than 2x; use {@link #AREA} for that.
     */
    BILINEAR,
    /**
     * Each output pixel is the average of the input area it covers, input pixels weighted by their
     * overlap (a box filter); best for shrinking large images.
     */
    AREA
}
