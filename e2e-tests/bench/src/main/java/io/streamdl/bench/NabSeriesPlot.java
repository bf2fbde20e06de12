package io.streamdl.bench;

import io.streamdl.bench.nab.NabCorpus;
import io.streamdl.bench.nab.NabWindow;
import io.streamdl.bench.nab.ScoredSeries;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

/**
 * One NAB series as a PNG: its values (top), the detector score under the threshold (bottom), the
 * labelled anomaly windows shaded, and the points at or above the threshold marked.
 */
final class NabSeriesPlot {
    private static final int W = 1200;
    private static final int H = 520;
    private static final int LEFT = 50;
    private static final int PANEL = 200;

    private NabSeriesPlot() {}

    static Path write(
            NabCorpus corpus,
            String file,
            double[] values,
            ScoredSeries scores,
            double threshold,
            Path out)
            throws IOException {
        PngCanvas canvas = new PngCanvas(W, H);
        Graphics2D g = canvas.g;
        int n = values.length;
        int plotW = W - LEFT - 20;
        List<LocalDateTime> times = corpus.timestamps(file);
        int top1 = 40;
        int top2 = top1 + PANEL + 40;
        g.setColor(new Color(255, 225, 225));
        for (NabWindow window : corpus.windows(file)) {
            int from = x(indexOf(times, window.start()), n, plotW);
            int to = x(indexOf(times, window.end()), n, plotW);
            g.fillRect(from, top1, Math.max(1, to - from), top2 + PANEL - top1);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double span = max > min ? max - min : 1;
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(0, 70, 160));
        for (int i = 1; i < n; i++) {
            g.drawLine(
                    x(i - 1, n, plotW),
                    top1 + PANEL - (int) (PANEL * (values[i - 1] - min) / span),
                    x(i, n, plotW),
                    top1 + PANEL - (int) (PANEL * (values[i] - min) / span));
        }
        // the highest score of the points under each pixel column: thousands of points share one
        g.setColor(new Color(90, 90, 90));
        double[] columnMax = new double[plotW + 1];
        java.util.Arrays.fill(columnMax, Double.NaN);
        for (int i = 0; i < n; i++) {
            int c = x(i, n, plotW) - LEFT;
            columnMax[c] =
                    Double.isNaN(columnMax[c])
                            ? scores.score(i)
                            : Math.max(columnMax[c], scores.score(i));
        }
        int previous = -1;
        for (int c = 0; c <= plotW; c++) {
            if (Double.isNaN(columnMax[c])) {
                continue;
            }
            if (previous >= 0) {
                g.drawLine(
                        LEFT + previous,
                        top2 + PANEL - (int) (PANEL * columnMax[previous]),
                        LEFT + c,
                        top2 + PANEL - (int) (PANEL * columnMax[c]));
            }
            previous = c;
        }
        int ty = top2 + PANEL - (int) (PANEL * Math.min(1, threshold));
        g.setColor(new Color(0, 150, 60));
        g.drawLine(LEFT, ty, LEFT + plotW, ty);
        g.setColor(Color.RED);
        for (int i = 0; i < n; i++) {
            if (scores.score(i) >= threshold) {
                int px = x(i, n, plotW);
                g.fillOval(px - 3, top1 + PANEL + 12, 6, 6);
            }
        }
        g.setColor(Color.BLACK);
        g.drawString(file + ": values, labelled windows (shaded) and detections (red)", LEFT, 25);
        g.drawString(
                String.format(
                        "detector score (percentile rank of the forecast error; highest per pixel"
                                + " column), threshold %.4f (green)",
                        threshold),
                LEFT,
                top2 - 8);
        return canvas.write(out);
    }

    private static int x(int i, int n, int plotW) {
        return LEFT + (int) ((long) plotW * i / Math.max(1, n - 1));
    }

    private static int indexOf(List<LocalDateTime> times, LocalDateTime t) {
        int i = 0;
        while (i < times.size() - 1 && times.get(i).isBefore(t)) {
            i++;
        }
        return i;
    }
}
