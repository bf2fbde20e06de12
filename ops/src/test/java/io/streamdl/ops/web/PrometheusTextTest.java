package io.streamdl.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text format as written: names made legal, values escaped, one TYPE per family. */
class PrometheusTextTest {
    @Test
    void familiesAreDeclaredOnceWithTheirSamplesTogetherAndLabelValuesEscaped() {
        PrometheusText t = new PrometheusText();
        t.family("kafka_stream-thread_process-total", "counter", "records\nprocessed")
                .sample(Map.of("app", "a\"b\\c\nd"), 12);
        t.family("streamdl_x", "gauge", "x").sample(Double.NaN);
        t.family("kafka_stream-thread_process-total", "counter", "again")
                .sample(Map.of("app", "other"), 1.5);
        t.family("streamdl_empty", "counter", "none yet");
        assertThat(t.render())
                .isEqualTo(
                        """
                        # HELP kafka_stream_thread_process_total records\\nprocessed
                        # TYPE kafka_stream_thread_process_total counter
                        kafka_stream_thread_process_total{app="a\\"b\\\\c\\nd"} 12
                        kafka_stream_thread_process_total{app="other"} 1.5
                        # HELP streamdl_x x
                        # TYPE streamdl_x gauge
                        streamdl_x NaN
                        # HELP streamdl_empty none yet
                        # TYPE streamdl_empty counter
                        """);
    }

    @Test
    void aRepeatedSeriesIsKeptOnceAndInfinitiesAreSpelledAsPrometheusDoes() {
        PrometheusText t = new PrometheusText();
        t.family("m", "gauge", "m")
                .sample(Map.of("a", "1"), Double.POSITIVE_INFINITY)
                .sample(Map.of("a", "1"), 3)
                .sample(Map.of("a", "2"), Double.NEGATIVE_INFINITY);
        assertThat(t.render()).contains("m{a=\"1\"} +Inf\n").contains("m{a=\"2\"} -Inf\n");
        assertThat(t.render()).doesNotContain("} 3");
        assertThat(PrometheusText.name("9lives-x.y")).isEqualTo("_9lives_x_y");
    }
}
