package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.config.ConfigException;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.anomaly.AnomalyDetectorConfig;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesConfig;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code pipeline.delivery} reaches every Streams app; {@code recs.delivery} still overrides it.
 */
class DeliveryTest {
    private static final String B = "broker.test:9092";
    private static final String R = "http://registry.test";

    private static String guarantee(java.util.Properties p) {
        return p.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    }

    @Test
    void exactlyOnceByDefaultAndAtLeastOnceWhenAsked() {
        Map<String, String> none = Map.of();
        Map<String, String> alo = Map.of("pipeline.delivery", "at-least-once");
        assertThat(
                        guarantee(
                                AnomalyDetectorApp.streamsProperties(
                                        AnomalyDetectorConfig.of(B, R, none))))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(
                        guarantee(
                                AnomalyDetectorApp.streamsProperties(
                                        AnomalyDetectorConfig.of(B, R, alo))))
                .isEqualTo(StreamsConfig.AT_LEAST_ONCE);
        assertThat(
                        guarantee(
                                DashboardAggregatesApp.streamsProperties(
                                        DashboardAggregatesConfig.of(B, R, none))))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(
                        guarantee(
                                DashboardAggregatesApp.streamsProperties(
                                        DashboardAggregatesConfig.of(B, R, alo))))
                .isEqualTo(StreamsConfig.AT_LEAST_ONCE);
    }

    @Test
    void anUnknownDeliveryIsRefusedNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                AnomalyDetectorConfig.of(
                                        B, R, Map.of("pipeline.delivery", "at-most-once")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipeline.delivery");
    }
}
