package io.streamdl.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricCsvTest {
    @TempDir Path dir;

    @Test
    void readsNabStyleCsvsKeepingFileOrderAndReportingUnreadableLines() throws Exception {
        Path file = dir.resolve("machine_temperature.csv");
        Files.writeString(
                file,
                "timestamp,value\n"
                        + "2013-12-02 21:15:00,73.96732207\n"
                        + "2013-12-02 21:20:00,74.935882\n"
                        + "2013-12-02 21:25:00,n/a\n"
                        + "yesterday,1.0\n"
                        + "2013-12-02 21:10:00,NaN\n"
                        + "1386019500000,75.0\n"
                        + "2013-12-02T21:00:00Z,70.5\n");
        MetricCsv.Series series = MetricCsv.read(file);
        assertThat(series.points())
                .extracting(MetricCsv.Point::value)
                .containsExactly(73.96732207, 74.935882, 75.0, 70.5);
        assertThat(series.points().get(0).ts()).isEqualTo(1386018900000L);
        // a timestamp going backwards is kept, in file order: the EncodeJob refuses it
        assertThat(series.points().get(3).ts()).isLessThan(series.points().get(2).ts());
        assertThat(series.skipped())
                .hasSize(3)
                .anySatisfy(s -> assertThat(s).contains(":4:", "'n/a' is not a number"))
                .anySatisfy(s -> assertThat(s).contains(":5:", "unreadable timestamp"))
                .anySatisfy(s -> assertThat(s).contains(":6:", "not finite"));
    }
}
