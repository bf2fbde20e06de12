package io.streamdl.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** ROC curves, one per class, on the unit square, as a PNG. */
final class RocPlot {
    private static final int SIZE = 560;
    private static final int LEGEND = 170;
    private static final int MARGIN = 50;

    private RocPlot() {}

    /**
     * @param curves per class, {false positive rate, true positive rate} points in order
     * @param names the classes' names, aligned with {@code curves}
     */
    static Path write(List<double[][]> curves, List<String> names, String title, Path file)
            throws IOException {
        int w = SIZE + LEGEND;
        PngCanvas canvas = new PngCanvas(w, SIZE);
        Graphics2D g = canvas.g;
        int side = SIZE - 2 * MARGIN;
        g.setColor(Color.LIGHT_GRAY);
        for (int i = 0; i <= 10; i++) {
            int p = MARGIN + side * i / 10;
            g.drawLine(MARGIN, p, MARGIN + side, p);
            g.drawLine(p, MARGIN, p, MARGIN + side);
        }
        g.setColor(Color.GRAY);
        g.drawLine(MARGIN, MARGIN + side, MARGIN + side, MARGIN);
        g.setStroke(new BasicStroke(1.6f));
        for (int c = 0; c < curves.size(); c++) {
            g.setColor(Color.getHSBColor(c / (float) curves.size(), 0.85f, 0.8f));
            double[][] points = curves.get(c);
            // at most one segment per pixel column keeps the file small
            int lastX = Integer.MIN_VALUE;
            int px = MARGIN;
            int py = MARGIN + side;
            for (double[] p : points) {
                int x = MARGIN + (int) Math.round(p[0] * side);
                int y = MARGIN + side - (int) Math.round(p[1] * side);
                if (x != lastX || p == points[points.length - 1]) {
                    g.drawLine(px, py, x, y);
                    px = x;
                    py = y;
                    lastX = x;
                }
            }
            g.drawString(names.get(c), SIZE + 10, MARGIN + 18 * c + 12);
        }
        g.setColor(Color.BLACK);
        g.drawString(title, MARGIN, 30);
        g.drawString("false positive rate", MARGIN + side / 2 - 50, SIZE - 15);
        g.drawString("TPR", 10, MARGIN + side / 2);
        return canvas.write(file);
    }
}
