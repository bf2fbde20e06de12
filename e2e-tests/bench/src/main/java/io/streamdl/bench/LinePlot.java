package io.streamdl.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Named series of (x, y) points as lines with markers on one pair of axes, written as a PNG: the
 * harness's throughput, latency and propagation plots. The x axis may be logarithmic (batch sizes);
 * the y axis starts at 0. Points with a non-finite coordinate are skipped.
 */
final class LinePlot {
    private static final int W = 820;
    private static final int H = 460;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 36;
    private static final int BOTTOM = 50;

    /** One line of the plot. */
    record Series(String name, List<double[]> points) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();

    LinePlot(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    LinePlot add(String name, List<double[]> points) {
        series.add(new Series(name, List.copyOf(points)));
        return this;
    }

    Path write(Path file) throws IOException {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = 0;
        for (Series s : series) {
            for (double[] p : s.points) {
                if (usable(p)) {
                    minX = Math.min(minX, x(p[0]));
                    maxX = Math.max(maxX, x(p[0]));
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        if (!(minX < maxX)) {
            minX = Double.isFinite(minX) ? minX - 1 : 0;
            maxX = minX + 2;
        }
        maxY = maxY > 0 ? maxY * 1.1 : 1;
        PngCanvas canvas = new PngCanvas(W, H);
        Graphics2D g = canvas.g;
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(MarkdownReport.number(maxY * i / 5), 8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            double xv = minX + (maxX - minX) * i / 5;
            int x = LEFT + plotW * i / 5;
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x, TOP, x, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            g.drawString(MarkdownReport.number(logX ? Math.pow(2, xv) : xv), x - 12, H - 32);
        }
        g.setStroke(new BasicStroke(2));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(Color.getHSBColor(k / (float) Math.max(1, series.size()), 0.85f, 0.75f));
            int px = Integer.MIN_VALUE;
            int py = 0;
            for (double[] p : s.points) {
                if (!usable(p)) {
                    continue;
                }
                int x = LEFT + (int) Math.round(plotW * (x(p[0]) - minX) / (maxX - minX));
                int y = TOP + plotH - (int) Math.round(plotH * p[1] / maxY);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (px != Integer.MIN_VALUE) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(LEFT + plotW + 14, TOP + 18 * k + 4, 12, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name, LEFT + plotW + 32, TOP + 18 * k + 10);
        }
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 20);
        g.drawString(xLabel + (logX ? " (log scale)" : ""), LEFT + plotW / 2 - 60, H - 10);
        g.drawString(yLabel, 8, TOP - 8);
        return canvas.write(file);
    }

    private double x(double v) {
        return logX ? Math.log(v) / Math.log(2) : v;
    }

    private boolean usable(double[] p) {
        return Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!logX || p[0] > 0);
    }
}
