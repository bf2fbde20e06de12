package io.streamdl.bench.nab;

import java.time.LocalDateTime;

/**
 * One labelled anomaly window of a NAB file: the rows from the first at or after {@code start} up
 * to the first, from there on, at {@code end} (or the last before it). In NAB's files both limits
 * are rows' timestamps, and a few timestamps repeat, so "up to the first row at the end" matters.
 *
 * @param start the first timestamp in the window
 * @param end the last timestamp in the window, not before {@code start}
 */
public record NabWindow(LocalDateTime start, LocalDateTime end) {
    public NabWindow {
        if (start == null || end == null) {
            throw new IllegalArgumentException("a window needs a start and an end");
        }
        if (end.isBefore(start)) {
            throw new IllegalArgumentException(
                    "window ends (" + end + ") before it starts (" + start + ")");
        }
    }
}
