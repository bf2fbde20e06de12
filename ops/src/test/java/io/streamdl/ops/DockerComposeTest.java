package io.streamdl.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No container engine runs here, so docker-compose.yml is checked for structure and for agreement
 * with the code: the config keys the pipeline service passes, the broker limits, the files it
 * mounts and the addresses Prometheus scrapes.
 */
class DockerComposeTest {
    private static final Path ROOT = Path.of("..");
    private final JsonNode compose = read(ROOT.resolve("docker-compose.yml"));

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (Exception e) {
            throw new AssertionError("cannot parse " + file, e);
        }
    }

    @Test
    void hasEveryServiceOfTheDesign() {
        List<String> names = new ArrayList<>();
        compose.get("services").fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .contains(
                        "kafka-1",
                        "kafka-2",
                        "kafka-3",
                        "schema-registry",
                        "jobmanager",
                        "taskmanager-1",
                        "taskmanager-2",
                        "pipeline",
                        "prometheus",
                        "grafana");
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            JsonNode env = compose.at("/services/" + broker + "/environment");
            assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
            assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText())
                    .isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
            assertThat(env.path("KAFKA_DEFAULT_REPLICATION_FACTOR").asInt()).isEqualTo(3);
            assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asInt()).isEqualTo(2);
            assertThat(compose.at("/services/" + broker + "/image").asText()).endsWith(":4.2.0");
        }
        assertThat(compose.at("/services/jobmanager/image").asText()).startsWith("flink:2.2");
    }

    @Test
    void thePipelineServiceUsesRealConfigKeysPointingAtTheOtherServices() {
        Map<String, String> settings = new HashMap<>();
        JsonNode command = compose.at("/services/pipeline/command");
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).asText().equals("-c")) {
                String[] kv = command.get(i + 1).asText().split("=", 2);
                settings.put(kv[0], kv[1]);
            }
        }
        assertThat(io.streamdl.ops.config.PipelineOptions.SCHEMA.keys())
                .containsAll(settings.keySet());
        PlatformConfig config = PlatformConfig.from(settings);
        assertThat(config.embeddedKafka()).isFalse();
        assertThat(config.embeddedRegistry()).isFalse();
        assertThat(config.embeddedFlink()).isFalse();
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
        assertThat(settings).containsKeys("models.hmac.key", "encode.parallelism");
        assertThat(config.registryUrl()).startsWith("http://schema-registry:");
        assertThat(config.flinkJobManager()).startsWith("jobmanager:");
        assertThat(compose.at("/services/pipeline/build/dockerfile").asText())
                .isEqualTo("ops/docker/Dockerfile");
        assertThat(ROOT.resolve("ops/docker/Dockerfile")).exists();
    }

    @Test
    void theBrokerAcceptsModelUpdatesAsLargeAsTheEmbeddedOne() {
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            int max =
                    compose.at("/services/" + broker + "/environment/KAFKA_MESSAGE_MAX_BYTES")
                            .asInt();
            assertThat(max).as(broker).isGreaterThanOrEqualTo(EmbeddedKafka.MAX_MESSAGE_BYTES);
        }
    }

    @Test
    void mountedFilesExistAndPrometheusScrapesComposeServices() throws Exception {
        for (String service : List.of("prometheus", "grafana")) {
            for (JsonNode volume : compose.at("/services/" + service + "/volumes")) {
                Path source = ROOT.resolve(volume.asText().split(":")[0]);
                assertThat(source).as(volume.asText()).exists();
            }
        }
        JsonNode prometheus = read(ROOT.resolve("ops/prometheus/prometheus.yml"));
        List<String> targets = new java.util.ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode target : job.at("/static_configs/0/targets")) {
                String host = target.asText().split(":")[0];
                assertThat(compose.get("services").has(host)).as(target.asText()).isTrue();
                targets.add(target.asText());
            }
        }
        // the pipeline's /metrics, on the port its service publishes
        assertThat(targets).contains("pipeline:8080");
        assertThat(compose.at("/services/pipeline/ports").toString()).contains("8080:8080");
        // Grafana loads the dashboard from the mounted folder its provider names
        assertThat(compose.at("/services/grafana/volumes").toString())
                .contains("./ops/grafana/dashboards:/var/lib/grafana/dashboards");
        assertThat(
                        Files.readString(
                                ROOT.resolve("ops/grafana/provisioning/dashboards/streamdl.yml")))
                .contains("path: /var/lib/grafana/dashboards");
        JsonNode dashboard =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(ROOT.resolve("ops/grafana/dashboards/streamdl.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(10);
        assertThat(
                        Files.readString(
                                ROOT.resolve(
                                        "ops/grafana/provisioning/datasources/prometheus.yml")))
                .contains("http://prometheus:9090");
    }
}
