package io.streamdl.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * HR@K over the stream as a PNG: one line per method (pipeline, popularity, random, recent, oracle)
 * of the hit rate per window, the drift as a red vertical line and a tick at the top where each
 * model version first served a recommendation.
 */
final class RecsHitPlot {
    private static final int W = 1100;
    private static final int H = 460;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int PLOT_H = 340;
    private static final Color[] COLORS = {
        new Color(0, 90, 200),
        new Color(230, 130, 0),
        new Color(140, 140, 140),
        new Color(150, 60, 170),
        new Color(0, 150, 70)
    };

    private RecsHitPlot() {}

    static Path write(
            List<double[]> windows,
            int window,
            long driftAt,
            Map<Long, Long> versionFirstServed,
            Path file)
            throws IOException {
        PngCanvas canvas = new PngCanvas(W, H);
        Graphics2D g = canvas.g;
        int n = windows.size();
        long total = (long) n * window;
        int plotW = W - LEFT - 160;
        double max = 0;
        for (double[] w : windows) {
            for (double v : w) {
                max = Math.max(max, v);
            }
        }
        max = max <= 0 ? 1 : Math.ceil(max * 20) / 20;
        g.setColor(Color.BLACK);
        g.drawString(
                "prequential HR@10 per " + window + " interactions (full catalogue)", LEFT, 20);
        g.drawLine(LEFT, TOP, LEFT, TOP + PLOT_H);
        g.drawLine(LEFT, TOP + PLOT_H, LEFT + plotW, TOP + PLOT_H);
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = TOP + PLOT_H - (int) (PLOT_H * v / max);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT + 1, y, LEFT + plotW, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.2f", v), 10, y + 4);
        }
        g.drawString("0", LEFT, TOP + PLOT_H + 16);
        g.drawString(
                String.format("%,d interactions", total), LEFT + plotW - 110, TOP + PLOT_H + 16);
        if (total > 0 && driftAt > 0 && driftAt < total) {
            int x = LEFT + (int) ((double) plotW * driftAt / total);
            g.setColor(new Color(200, 0, 0));
            g.drawLine(x, TOP, x, TOP + PLOT_H);
            g.drawString("taste drift", x + 4, TOP + 12);
        }
        g.setColor(new Color(90, 90, 90));
        for (Map.Entry<Long, Long> v : versionFirstServed.entrySet()) {
            if (v.getKey() <= 0 || total == 0) {
                continue;
            }
            int x = LEFT + (int) ((double) plotW * v.getValue() / total);
            g.drawLine(x, TOP - 10, x, TOP - 2);
        }
        g.drawString("model versions", LEFT + plotW + 10, TOP - 2);
        g.setStroke(new BasicStroke(2f));
        for (int m = 0; m < RecsEvaluation.METHODS.length; m++) {
            g.setColor(COLORS[m]);
            for (int i = 1; i < n; i++) {
                g.drawLine(
                        x(i - 1, n, plotW),
                        y(windows.get(i - 1)[m], max),
                        x(i, n, plotW),
                        y(windows.get(i)[m], max));
            }
            g.drawString(RecsEvaluation.METHODS[m], LEFT + plotW + 10, TOP + 30 + 18 * m);
        }
        return canvas.write(file);
    }

    private static int x(int i, int n, int plotW) {
        return LEFT + (int) ((i + 0.5) * plotW / Math.max(1, n));
    }

    private static int y(double v, double max) {
        return TOP + PLOT_H - (int) (PLOT_H * v / max);
    }
}
