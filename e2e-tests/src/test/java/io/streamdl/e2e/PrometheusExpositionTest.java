package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The strict text-format reader the metrics test relies on: what it takes and what it refuses. */
class PrometheusExpositionTest {
    /** Writes {@code '} for a double quote, to keep the cases readable. */
    private static PrometheusExposition parse(String text) {
        return PrometheusExposition.parse(text.replace('\'', '"'));
    }

    @Test
    void readsWhatPrometheusClientsWrite() {
        PrometheusExposition p =
                parse(
                        """
                        # HELP a_total things
                        # TYPE a_total counter
                        a_total{x='1',y='q\\\\\\'\\n'} 3
                        a_total{x='2',} 1.5E7
                        # TYPE lat summary
                        lat{quantile='0.5',} NaN
                        lat_count 4
                        lat_sum +Inf
                        plain -Inf 1700000000000
                        """);
        assertThat(p.families).containsOnlyKeys("a_total", "lat", "plain");
        assertThat(p.families.get("a_total").get(0).labels()).containsEntry("y", "q\\\"\n");
        assertThat(p.families.get("lat")).hasSize(3);
        assertThat(p.types).containsEntry("lat", "summary");
    }

    @Test
    void refusesWhatPrometheusRefuses() {
        for (String bad :
                new String[] {
                    "a{x='1'y='2'} 1", // no comma between labels
                    "a{x='1} 1", // unterminated value
                    "a{x='\\q'} 1", // bad escape
                    "a 1f", // a Java float, not a Prometheus number
                    "9a 1", // bad name
                    "a{x='1',y='2'} 1\na{y='2',x='1'} 2", // the same series twice
                    "a 1\nb 1\na 2", // a family's samples apart
                    "lat_count 1\n# TYPE lat summary\nlat 2", // TYPE after its samples
                    "# TYPE a counter\n# TYPE a gauge\na 1", // TYPE twice
                }) {
            assertThatThrownBy(() -> parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
