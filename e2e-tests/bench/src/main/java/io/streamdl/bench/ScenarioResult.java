package io.streamdl.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's report: its runs' tables summarised cell by cell, the method (how each number was
 * measured), the targets with their figures, notes, and the plots written for it (file names
 * relative to the report's directory). Mutable while the harness finishes the scenario.
 */
public final class ScenarioResult {
    final String name;
    final String title;
    final int runs;
    final double seconds;
    final Map<String, Map<String, Summary>> table;
    final List<String> method = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<Target> targets = new ArrayList<>();
    final List<String> plots = new ArrayList<>();
    String error;

    ScenarioResult(String name, String title, List<RunTable> runs, double seconds) {
        this.name = name;
        this.title = title;
        this.runs = runs.size();
        this.seconds = seconds;
        this.table = RunTable.aggregate(runs);
        for (RunTable run : runs) {
            for (String n : run.notes()) {
                if (!notes.contains(n)) {
                    notes.add(n);
                }
            }
        }
    }

    /** The median of a cell over the runs, or NaN if no run measured it. */
    double median(String row, String column) {
        Map<String, Summary> r = table.get(row);
        Summary s = r == null ? null : r.get(column);
        return s == null ? Double.NaN : s.median();
    }

    /** The largest value of a cell over the runs, or NaN if no run measured it. */
    double max(String row, String column) {
        Map<String, Summary> r = table.get(row);
        Summary s = r == null ? null : r.get(column);
        return s == null ? Double.NaN : s.max();
    }

    /** Every column of any row, in order of first appearance. */
    List<String> columns() {
        List<String> columns = new ArrayList<>();
        table.values()
                .forEach(
                        r ->
                                r.keySet()
                                        .forEach(
                                                c -> {
                                                    if (!columns.contains(c)) {
                                                        columns.add(c);
                                                    }
                                                }));
        return columns;
    }

    /** The report's JSON form: plain maps and lists. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("title", title);
        json.put("runs", runs);
        json.put("seconds", seconds);
        json.put("method", method);
        json.put("columns", columns());
        List<Map<String, Object>> rows = new ArrayList<>();
        table.forEach(
                (row, cells) -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("row", row);
                    Map<String, Object> values = new LinkedHashMap<>();
                    cells.forEach(
                            (c, s) -> {
                                Map<String, Object> v = new LinkedHashMap<>();
                                v.put("median", finiteOrNull(s.median()));
                                v.put("min", finiteOrNull(s.min()));
                                v.put("max", finiteOrNull(s.max()));
                                v.put(
                                        "runs",
                                        s.values().stream()
                                                .map(ScenarioResult::finiteOrNull)
                                                .toList());
                                values.put(c, v);
                            });
                    r.put("values", values);
                    rows.add(r);
                });
        json.put("rows", rows);
        List<Map<String, Object>> t = new ArrayList<>();
        for (Target target : targets) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", target.name());
            m.put("figure", finiteOrNull(target.figure()));
            m.put("unit", target.unit());
            m.put("comparison", target.atLeast() ? ">=" : "<=");
            m.put("threshold", target.threshold());
            m.put("status", target.status());
            m.put("met", target.met());
            m.put("note", target.note());
            t.add(m);
        }
        json.put("targets", t);
        json.put("notes", notes);
        json.put("plots", plots);
        json.put("error", error);
        return json;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
