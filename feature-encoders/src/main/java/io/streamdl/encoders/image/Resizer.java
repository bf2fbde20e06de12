package io.streamdl.encoders.image;

/**
 * Separable resampling of planar float images: each axis gets a list of (input index, weight) taps
 * per output index, applied along x and then along y. See {@link Interpolation} for the methods'
 * definitions.
 */
final class Resizer {
    private Resizer() {}

    /** Input sample taps of one output index along one axis. */
    private record Taps(int[][] index, float[][] weight) {}

    /**
     * Resizes {@code channels} planes of {@code inWidth x inHeight} to {@code outWidth x
     * outHeight}.
     */
    static float[] resize(
            float[] planes,
            int channels,
            int inWidth,
            int inHeight,
            int outWidth,
            int outHeight,
            Interpolation method) {
        if (inWidth == outWidth && inHeight == outHeight) {
            return planes.clone();
        }
        Taps xTaps = taps(inWidth, outWidth, method);
        Taps yTaps = taps(inHeight, outHeight, method);
        float[] out = new float[channels * outWidth * outHeight];
        float[] rows = new float[inHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            int inBase = c * inWidth * inHeight;
            for (int y = 0; y < inHeight; y++) {
                int rowBase = inBase + y * inWidth;
                for (int x = 0; x < outWidth; x++) {
                    int[] idx = xTaps.index[x];
                    float[] w = xTaps.weight[x];
                    float sum = 0;
                    for (int t = 0; t < idx.length; t++) {
                        sum += w[t] * planes[rowBase + idx[t]];
                    }
                    rows[y * outWidth + x] = sum;
                }
            }
            int outBase = c * outWidth * outHeight;
            for (int y = 0; y < outHeight; y++) {
                int[] idx = yTaps.index[y];
                float[] w = yTaps.weight[y];
                for (int x = 0; x < outWidth; x++) {
                    float sum = 0;
                    for (int t = 0; t < idx.length; t++) {
                        sum += w[t] * rows[idx[t] * outWidth + x];
                    }
                    out[outBase + y * outWidth + x] = sum;
                }
            }
        }
        return out;
    }

    private static Taps taps(int in, int out, Interpolation method) {
        int[][] index = new int[out][];
        float[][] weight = new float[out][];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            switch (method) {
                case NEAREST -> {
                    index[o] = new int[] {Math.min((int) Math.floor((o + 0.5) * scale), in - 1)};
                    weight[o] = new float[] {1f};
                }
                case BILINEAR -> {
                    double x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), in - 1);
                    int x0 = (int) Math.floor(x);
                    int x1 = Math.min(x0 + 1, in - 1);
                    float f = (float) (x - x0);
                    index[o] = new int[] {x0, x1};
                    weight[o] = new float[] {1f - f, f};
                }
                case AREA -> {
                    double start = o * scale;
                    double end = (o + 1) * scale;
                    int first = (int) Math.floor(start);
                    int last = Math.min((int) Math.ceil(end) - 1, in - 1);
                    int n = last - first + 1;
                    index[o] = new int[n];
                    weight[o] = new float[n];
                    for (int i = 0; i < n; i++) {
                        int p = first + i;
                        double overlap = Math.min(end, p + 1) - Math.max(start, p);
                        index[o][i] = p;
                        weight[o][i] = (float) (overlap / scale);
                    }
                }
            }
        }
        return new Taps(index, weight);
    }
}
