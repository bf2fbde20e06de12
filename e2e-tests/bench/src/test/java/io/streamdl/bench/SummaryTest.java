package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    @Test
    void anOddNumberOfRunsHasTheMiddleValueAsMedian() {
        Summary s = Summary.of(List.of(3.0, 1.0, 2.0));
        assertThat(s.median()).isEqualTo(2.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(3.0);
        assertThat(s.values()).containsExactly(3.0, 1.0, 2.0);
    }

    @Test
    void anEvenNumberOfRunsAveragesTheMiddleTwo() {
        assertThat(Summary.of(List.of(4.0, 1.0, 3.0, 10.0)).median()).isEqualTo(3.5);
    }

    @Test
    void aRunThatMeasuredNothingIsKeptButLeftOutOfMedianAndRange() {
        Summary s = Summary.of(List.of(5.0, Double.NaN, 7.0));
        assertThat(s.median()).isEqualTo(6.0);
        assertThat(s.min()).isEqualTo(5.0);
        assertThat(s.max()).isEqualTo(7.0);
        assertThat(s.measuredRuns()).isEqualTo(2);
        assertThat(s.values()).hasSize(3);
    }

    @Test
    void noMeasuredRunGivesNaN() {
        Summary s = Summary.of(List.of(Double.NaN));
        assertThat(s.median()).isNaN();
        assertThat(s.min()).isNaN();
        assertThat(s.max()).isNaN();
        assertThat(Summary.of(List.of()).median()).isNaN();
    }

    @Test
    void runTablesLineUpByRowAndColumnWithMissingCellsAsNaN() {
        RunTable a = new RunTable().put("r1", "x", 1).put("r1", "y", 10).put("r2", "x", 5);
        RunTable b = new RunTable().put("r1", "x", 3).put("r2", "x", 7).put("r2", "z", 1);
        var table = RunTable.aggregate(List.of(a, b));
        assertThat(table.keySet()).containsExactly("r1", "r2");
        assertThat(table.get("r1").keySet()).containsExactly("x", "y");
        assertThat(table.get("r2").keySet()).containsExactly("x", "z");
        assertThat(table.get("r1").get("x").median()).isEqualTo(2.0);
        assertThat(table.get("r1").get("y").values()).containsExactly(10.0, Double.NaN);
        assertThat(table.get("r1").get("y").median()).isEqualTo(10.0);
        assertThat(table.get("r2").get("z").measuredRuns()).isEqualTo(1);
    }
}
