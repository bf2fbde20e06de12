package io.streamdl.bench;

/**
 * A target of the benchmark issue beside the figure measured for it: met when the figure is on the
 * right side of the threshold. A figure that could not be measured (NaN) is "not measured", never
 * met; {@code note} says why a figure misses or what limits it on this machine.
 *
 * @param name what is compared, e.g. "ScoreJob / bare ONNX Runtime at batch 32"
 * @param figure the median over the runs
 * @param atLeast whether the figure must be at least ({@code true}) or at most the threshold
 */
public record Target(
        String name, double figure, String unit, boolean atLeast, double threshold, String note) {

    public static Target atLeast(String name, double figure, String unit, double threshold) {
        return new Target(name, figure, unit, true, threshold, "");
    }

    public static Target atMost(String name, double figure, String unit, double threshold) {
        return new Target(name, figure, unit, false, threshold, "");
    }

    public Target withNote(String text) {
        return new Target(name, figure, unit, atLeast, threshold, text);
    }

    public boolean measured() {
        return Double.isFinite(figure);
    }

    public boolean met() {
        return measured() && (atLeast ? figure >= threshold : figure <= threshold);
    }

    /** "met", "not met" or "not measured". */
    public String status() {
        return !measured() ? "not measured" : met() ? "met" : "not met";
    }

    /** The threshold as written in the issue, e.g. "≥ 0.8" or "≤ 25 ms". */
    public String requirement() {
        return (atLeast ? "≥ " : "≤ ")
                + MarkdownReport.number(threshold)
                + (unit.isEmpty() ? "" : " " + unit);
    }
}
