package io.streamdl.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A prequential learning curve as a PNG: accuracy per block of training events against events
 * learned, a tick per published version, and optional horizontal lines for a baseline and the final
 * test accuracy.
 */
final class LearnCurvePlot {
    private static final int W = 900;
    private static final int H = 420;
    private static final int LEFT = 60;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private LearnCurvePlot() {}

    /**
     * @param curve accuracy samples, each over {@code every} training events
     * @param versions {version, examples learned} of each published version
     * @param baseline accuracy drawn as a grey dashed line, or NaN for none
     * @param test accuracy drawn as a green line, or NaN for none
     */
    static Path write(
            List<Double> curve,
            int every,
            List<double[]> versions,
            double baseline,
            double test,
            String title,
            Path file)
            throws IOException {
        PngCanvas canvas = new PngCanvas(W, H);
        Graphics2D g = canvas.g;
        int plotW = W - LEFT - 20;
        int plotH = H - BOTTOM - TOP;
        double maxX = Math.max(1, curve.size() * (double) every);
        for (double[] v : versions) {
            maxX = Math.max(maxX, v[1]);
        }
        for (int i = 0; i <= 10; i++) {
            int y = TOP + plotH - plotH * i / 10;
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.1f", i / 10.0), 25, y + 4);
        }
        g.setColor(new Color(200, 120, 0));
        for (double[] v : versions) {
            int x = LEFT + (int) (plotW * Math.min(1, v[1] / maxX));
            g.drawLine(x, TOP, x, TOP + plotH);
        }
        if (!Double.isNaN(baseline)) {
            int y = TOP + plotH - (int) (plotH * baseline);
            g.setColor(Color.GRAY);
            g.setStroke(
                    new BasicStroke(
                            1.5f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {6f, 4f},
                            0f));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.drawString(String.format("majority-class baseline %.3f", baseline), LEFT + 6, y - 4);
        }
        if (!Double.isNaN(test)) {
            int y = TOP + plotH - (int) (plotH * test);
            g.setColor(new Color(0, 140, 60));
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.drawString(
                    String.format("test accuracy of the last version %.3f", test),
                    LEFT + 6,
                    y + 14);
        }
        g.setColor(new Color(0, 70, 160));
        g.setStroke(new BasicStroke(2));
        for (int i = 1; i < curve.size(); i++) {
            int x1 = LEFT + (int) (plotW * (i * (double) every) / maxX);
            int x2 = LEFT + (int) (plotW * ((i + 1) * (double) every) / maxX);
            int y1 = TOP + plotH - (int) (plotH * curve.get(i - 1));
            int y2 = TOP + plotH - (int) (plotH * curve.get(i));
            g.drawLine(x1, y1, x2, y2);
        }
        if (curve.size() == 1) {
            int x = LEFT + (int) (plotW * every / maxX);
            int y = TOP + plotH - (int) (plotH * curve.get(0));
            g.fillOval(x - 3, y - 3, 6, 6);
        }
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 18);
        g.drawString("0", LEFT, H - 15);
        g.drawString(String.format("%,.0f events learned", maxX), LEFT + plotW - 120, H - 15);
        return canvas.write(file);
    }
}
