package io.streamdl.bench.nab;

/**
 * One file's raw NAB score at a threshold, with the row counts NAB publishes beside it. The counts
 * are of rows after the probationary period ({@code tp}: detections in a window, {@code fn}: window
 * rows without one, {@code fp}: detections outside the windows, {@code tn}: the other rows
 * outside); {@code rows} counts every row, as the published score files do.
 *
 * @param file the file's path relative to the corpus's {@code data/}, e.g. {@code
 *     realKnownCause/nyc_taxi.csv}
 * @param score the raw score: what the windows earned, less what missed windows and false positives
 *     cost
 */
public record FileScore(String file, double score, int tp, int tn, int fp, int fn, int rows) {}
