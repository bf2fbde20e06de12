package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anomaly path end to end, started the way {@code ./pipeline up --models FILE} starts it:
 * metric events of one series → the EncodeJob's windows → the forecaster's ScoreJob, while its
 * TrainJob learns online from the same windows with no labels → the AnomalyDetector → {@code
 * anomalies}. Injected spikes come out as anomalies naming the model version that scored them; a
 * NaN value, an empty series key and a time going backwards are dead-lettered with their reasons;
 * every event sent is a score or a dead letter.
 */
class AnomalyPipelineE2ECase {
    private static final int POINTS = 1500;
    private static final Set<Integer> SPIKES = Set.of(700, 1000, 1300);

    @TempDir Path dataDir;

    @Test
    void spikesInAMetricSeriesBecomeAnomaliesAndBadPointsDeadLetters() throws Exception {
        try (CataloguePipeline pipeline =
                CataloguePipeline.start(
                        dataDir,
                        """
                        {"models": [{
                          "name": "metric", "encoder": "metric", "family": "forecaster",
                          "params": {"hiddenUnits": [16]},
                          "trainer": {"trainer.publish.every-examples": "200",
                                      "trainer.publish.every-seconds": "600"}
                        }]}
                        """)) {
            String url = pipeline.registryUrl();
            String bootstrap = pipeline.bootstrap();
            PipelineJobs jobs = pipeline.jobs();
            List<String> names = pipeline.jobNames();
            assertThat(names).containsExactly("EncodeJob", "ScoreJob-metric", "TrainJob-metric");
            try (AnomalyDetectorApp detector = jobs.startAnomalyDetector()) {
                assertThat(detector.config().models()).containsExactly("metric");

                Set<String> sent = new HashSet<>();
                Map<String, String> badReason = new HashMap<>();
                Random random = new Random(3);
                long t0 = 1_700_000_000_000L;
                try (EventSender sender = new EventSender(bootstrap, url, Duration.ZERO)) {
                    for (int i = 0; i < POINTS; i++) {
                        double value =
                                20
                                        + Math.sin(2 * Math.PI * i / 50)
                                        + 0.05 * random.nextGaussian()
                                        + (SPIKES.contains(i) ? 6 : 0);
                        String id = "cpu-" + i;
                        send(
                                sender,
                                sent,
                                Events.metric(id, t0 + i * 60_000L, "t", "cpu", value, Map.of()));
                        if (i == 400) {
                            badReason.put(
                                    send(
                                            sender,
                                            sent,
                                            Events.metric(
                                                    "bad-nan",
                                                    t0 + i * 60_000L,
                                                    "t",
                                                    "cpu",
                                                    Double.NaN,
                                                    Map.of())),
                                    "NON_FINITE_METRIC");
                            badReason.put(
                                    send(
                                            sender,
                                            sent,
                                            Events.metric(
                                                    "bad-series", t0, "t", "", 1.0, Map.of())),
                                    "MISSING_SERIES");
                            badReason.put(
                                    send(
                                            sender,
                                            sent,
                                            Events.metric(
                                                    "bad-late", t0, "t", "cpu", 20.0, Map.of())),
                                    "OUT_OF_ORDER");
                        }
                    }
                    sender.flush();
                }
                int good = POINTS;

                List<ConsumerRecord<byte[], byte[]>> scoreRecords =
                        TestingKafka.readCommitted(
                                bootstrap,
                                "scores.metric",
                                r -> r.size() >= good,
                                Duration.ofSeconds(180),
                                Duration.ofSeconds(1));
                List<ConsumerRecord<byte[], byte[]>> deadRecords =
                        TestingKafka.readCommitted(
                                bootstrap,
                                "dlq",
                                r -> r.size() >= badReason.size(),
                                Duration.ofSeconds(60),
                                Duration.ofSeconds(1));
                try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url)) {
                    AvroWireDeserializer<Score> scores =
                            AvroWireDeserializer.specific(registry, Score.class);
                    AvroWireDeserializer<DeadLetter> dead =
                            AvroWireDeserializer.specific(registry, DeadLetter.class);
                    AvroWireDeserializer<RawEvent> raw =
                            AvroWireDeserializer.specific(registry, RawEvent.class);
                    AvroWireDeserializer<Anomaly> anomalies =
                            AvroWireDeserializer.specific(registry, Anomaly.class);
                    // until the last spike's anomaly (the detector reads the scores in order)
                    List<ConsumerRecord<byte[], byte[]>> anomalyRecords =
                            TestingKafka.readCommitted(
                                    bootstrap,
                                    "anomalies",
                                    r ->
                                            r.stream()
                                                    .anyMatch(
                                                            a ->
                                                                    anomalies
                                                                            .deserialize(
                                                                                    a.topic(),
                                                                                    a.value())
                                                                            .getEventId()
                                                                            .equals("cpu-1300")),
                                    Duration.ofSeconds(60),
                                    Duration.ofSeconds(3));

                    Set<String> scored = new HashSet<>();
                    for (ConsumerRecord<byte[], byte[]> r : scoreRecords) {
                        Score s = scores.deserialize(r.topic(), r.value());
                        assertThat(s.getModelVersion()).isPositive();
                        assertThat(s.getSeries()).isEqualTo("cpu");
                        assertThat(Double.isFinite(s.getScore())).isTrue();
                        assertThat(scored.add(s.getEventId())).as("scored once").isTrue();
                    }
                    Map<String, String> deadReason = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> r : deadRecords) {
                        DeadLetter d = dead.deserialize(r.topic(), r.value());
                        byte[] value = new byte[d.getValue().remaining()];
                        d.getValue().duplicate().get(value);
                        deadReason.put(raw.deserialize("events.raw", value).getId(), d.getError());
                        assertThat(d.getMessage()).isNotBlank();
                    }
                    assertThat(deadReason).isEqualTo(badReason);
                    Set<String> accounted = new HashSet<>(scored);
                    accounted.addAll(deadReason.keySet());
                    assertThat(accounted).isEqualTo(sent);
                    assertThat(scored).hasSize(good);

                    List<String> flagged = new ArrayList<>();
                    for (ConsumerRecord<byte[], byte[]> r : anomalyRecords) {
                        Anomaly a = anomalies.deserialize(r.topic(), r.value());
                        assertThat(a.getModel()).isEqualTo("metric");
                        assertThat(a.getSeries()).isEqualTo("cpu");
                        assertThat(a.getModelVersion()).isPositive();
                        assertThat(a.getScore()).isGreaterThan(a.getThreshold());
                        flagged.add(a.getEventId());
                    }
                    for (int spike : SPIKES) {
                        assertThat(flagged).contains("cpu-" + spike);
                    }
                    // a 0.99 quantile over the recent scores: few false alerts among 1,500 points
                    assertThat(flagged).hasSizeLessThan(40);
                    assertThat(detector.series("metric", "cpu"))
                            .hasValueSatisfying(v -> assertThat(v.seen()).isEqualTo(good));
                }
            }
        }
    }

    private static String send(EventSender sender, Set<String> sent, RawEvent event) {
        sender.send(event);
        sent.add(event.getId());
        return event.getId();
    }
}
