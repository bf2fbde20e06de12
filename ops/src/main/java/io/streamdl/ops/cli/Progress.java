package io.streamdl.ops.cli;

import java.io.PrintStream;

/** A one-line progress bar on a terminal, redrawn at most every 200 ms. */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String what;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(PrintStream out, String what, long total) {
        this.out = out;
        this.what = what;
        this.total = total;
    }

    void update(long done, String extra) {
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        int filled = total > 0 ? (int) Math.min(WIDTH, WIDTH * done / total) : 0;
        out.printf(
                "\r[%s%s] %,d/%,d %s  %,.0f/s %s",
                "#".repeat(filled),
                " ".repeat(WIDTH - filled),
                done,
                total,
                what,
                done / seconds,
                extra == null ? "" : extra);
        out.flush();
    }

    void finish(long done) {
        lastDraw = 0;
        update(done, "");
        out.println();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
