package io.streamdl.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's report as Markdown: the machine header as a list, then per scenario its method, one
 * table (a cell is the median over the runs, with the range when the runs differ), its targets with
 * figure, requirement and "met" / "not met", its notes and its plots.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /**
     * @param header the machine header, each entry one line (a map value is written as {@code k=v}
     *     pairs)
     */
    public static String render(
            String title, Map<String, Object> header, List<ScenarioResult> scenarios) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        if (header.get("warning") != null) {
            md.append("> **Warning**: ").append(text(header.get("warning"))).append("\n\n");
        }
        md.append("## Machine and run\n\n");
        header.forEach(
                (k, v) -> md.append("- **").append(k).append("**: ").append(text(v)).append('\n'));
        md.append('\n');
        md.append("## Targets\n\n");
        md.append("| scenario | target | figure | required | status |\n");
        md.append("|---|---|---|---|---|\n");
        for (ScenarioResult s : scenarios) {
            for (Target t : s.targets) {
                md.append("| ")
                        .append(s.name)
                        .append(" | ")
                        .append(escape(t.name()))
                        .append(" | ")
                        .append(figure(t))
                        .append(" | ")
                        .append(t.requirement())
                        .append(" | ")
                        .append(t.status())
                        .append(" |\n");
            }
        }
        md.append('\n');
        for (ScenarioResult s : scenarios) {
            scenario(md, s);
        }
        return md.toString();
    }

    private static void scenario(StringBuilder md, ScenarioResult s) {
        md.append("## ").append(s.name).append(": ").append(s.title).append("\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%d run%s, %.0f s in all.%s%n%n",
                        s.runs,
                        s.runs == 1 ? "" : "s",
                        s.seconds,
                        s.runs > 1 ? " Cells: median (min–max) over the runs." : ""));
        if (s.error != null) {
            md.append("**Failed**: ").append(escape(s.error)).append("\n\n");
        }
        for (String m : s.method) {
            md.append("- ").append(m).append('\n');
        }
        if (!s.method.isEmpty()) {
            md.append('\n');
        }
        List<String> columns = s.columns();
        if (!s.table.isEmpty()) {
            md.append("| |");
            columns.forEach(c -> md.append(' ').append(escape(c)).append(" |"));
            md.append("\n|---|");
            columns.forEach(c -> md.append("---:|"));
            md.append('\n');
            s.table.forEach(
                    (row, cells) -> {
                        md.append("| ").append(escape(row)).append(" |");
                        for (String c : columns) {
                            Summary v = cells.get(c);
                            md.append(' ').append(v == null ? "" : cell(v)).append(" |");
                        }
                        md.append('\n');
                    });
            md.append('\n');
        }
        if (!s.targets.isEmpty()) {
            md.append("| target | figure | required | status | note |\n");
            md.append("|---|---:|---|---|---|\n");
            for (Target t : s.targets) {
                md.append("| ")
                        .append(escape(t.name()))
                        .append(" | ")
                        .append(figure(t))
                        .append(" | ")
                        .append(t.requirement())
                        .append(" | ")
                        .append(t.status())
                        .append(" | ")
                        .append(escape(t.note()))
                        .append(" |\n");
            }
            md.append('\n');
        }
        for (String n : s.notes) {
            md.append("- ").append(n).append('\n');
        }
        if (!s.notes.isEmpty()) {
            md.append('\n');
        }
        for (String p : s.plots) {
            md.append("![").append(p).append("](").append(p).append(")\n");
        }
        if (!s.plots.isEmpty()) {
            md.append('\n');
        }
    }

    private static String figure(Target t) {
        return t.measured() ? number(t.figure()) + (t.unit().isEmpty() ? "" : " " + t.unit()) : "–";
    }

    /** A median, with its range when the runs differ; "–" if no run measured it. */
    static String cell(Summary s) {
        if (!Double.isFinite(s.median())) {
            return "–";
        }
        if (s.measuredRuns() < 2 || s.min() == s.max()) {
            return number(s.median());
        }
        return number(s.median()) + " (" + number(s.min()) + "–" + number(s.max()) + ")";
    }

    /** A number with as many digits as a benchmark figure deserves. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            // counts (and figures of 100 or more) need no decimals
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 0.001) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static String text(Object v) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder();
            m.forEach(
                    (k, x) -> {
                        if (b.length() > 0) {
                            b.append(", ");
                        }
                        b.append(k).append('=').append(x);
                    });
            return escape(b.toString());
        }
        if (v instanceof Double d) {
            return number(d);
        }
        return escape(String.valueOf(v));
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
