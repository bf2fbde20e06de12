package io.streamdl.ops.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the platform's services live. An empty external address means "start it embedded"; a set
 * one points every job at an existing Kafka cluster, schema registry or Flink cluster. Immutable;
 * built from key=value pairs whose keys are listed in {@link #OPTIONS}.
 */
public record PlatformConfig(
        Path dataDir,
        String bootstrapServers,
        String kafkaHost,
        int kafkaPort,
        int controllerPort,
        String registryUrl,
        String registryHost,
        int registryPort,
        String flinkJobManager,
        int flinkRestPort,
        int flinkSlots,
        int partitions,
        int ingestPort,
        Map<String, String> jobSettings) {

    /**
     * Keys under these prefixes configure the jobs (encoders, scoring, training, model signing);
     * each job validates its own keys and names a bad one at start.
     */
    public static final List<String> JOB_PREFIXES =
            List.of("image.", "audio.", "text.", "scoring.", "trainer.", "models.", "jobs.");

    public PlatformConfig {
        jobSettings = Map.copyOf(jobSettings);
    }

    public static final ConfigOption<String> DATA_DIR =
            ConfigOption.string(
                    "data.dir", "./data", "where the embedded broker and registry keep their data");
    public static final ConfigOption<String> BOOTSTRAP =
            ConfigOption.string(
                    "kafka.bootstrap.servers",
                    "",
                    "an external Kafka cluster; empty starts the embedded broker");
    public static final ConfigOption<String> KAFKA_HOST =
            ConfigOption.string(
                    "kafka.host", "127.0.0.1", "address the embedded broker listens on");
    public static final ConfigOption<Integer> KAFKA_PORT =
            ConfigOption.port("kafka.port", 9092, "port of the embedded broker");
    public static final ConfigOption<Integer> CONTROLLER_PORT =
            ConfigOption.port(
                    "kafka.controller.port", 9093, "port of the embedded KRaft controller");
    public static final ConfigOption<String> REGISTRY_URL =
            ConfigOption.string(
                    "schema.registry.url",
                    "",
                    "an external Confluent-compatible schema registry; empty starts the embedded one");
    public static final ConfigOption<String> REGISTRY_HOST =
            ConfigOption.string(
                    "registry.host",
                    "127.0.0.1",
                    "address the embedded schema registry listens on");
    public static final ConfigOption<Integer> REGISTRY_PORT =
            ConfigOption.port("registry.port", 8081, "port of the embedded schema registry");
    public static final ConfigOption<String> FLINK_JOBMANAGER =
            ConfigOption.string(
                    "flink.jobmanager",
                    "",
                    "host:port of an external Flink cluster's REST endpoint; empty starts a MiniCluster");
    public static final ConfigOption<Integer> FLINK_REST_PORT =
            ConfigOption.port(
                    "flink.rest.port", 8082, "REST port of the embedded Flink MiniCluster");
    public static final ConfigOption<Integer> FLINK_SLOTS =
            ConfigOption.positive("flink.slots", 8, "task slots of the embedded Flink MiniCluster");
    public static final ConfigOption<Integer> PARTITIONS =
            ConfigOption.positive(
                    "topics.partitions", 2, "partitions of each pipeline topic created at start");

    public static final ConfigOption<Integer> INGEST_PORT =
            ConfigOption.port(
                    "ingest.port",
                    8084,
                    "port of the HTTP ingest endpoint (POST /ingest/{image|audio|text})");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    DATA_DIR,
                    BOOTSTRAP,
                    KAFKA_HOST,
                    KAFKA_PORT,
                    CONTROLLER_PORT,
                    REGISTRY_URL,
                    REGISTRY_HOST,
                    REGISTRY_PORT,
                    FLINK_JOBMANAGER,
                    FLINK_REST_PORT,
                    FLINK_SLOTS,
                    PARTITIONS,
                    INGEST_PORT);

    /**
     * A platform on free ports with its data under {@code dataDir}, for tests and benchmarks that
     * must not clash with a running pipeline.
     */
    public static PlatformConfig ephemeral(Path dataDir, int slots) {
        return from(ephemeralSettings(dataDir, slots));
    }

    /**
     * As {@link #ephemeral(Path, int)}, with {@code partitions} per pipeline topic (1 keeps a
     * stream's order end to end, as an ordered benchmark needs).
     */
    public static PlatformConfig ephemeral(Path dataDir, int slots, int partitions) {
        Map<String, String> settings = new java.util.HashMap<>(ephemeralSettings(dataDir, slots));
        settings.put(PARTITIONS.key(), Integer.toString(partitions));
        return from(settings);
    }

    private static Map<String, String> ephemeralSettings(Path dataDir, int slots) {
        return Map.of(
                DATA_DIR.key(), dataDir.toString(),
                KAFKA_PORT.key(), "0",
                CONTROLLER_PORT.key(), "0",
                REGISTRY_PORT.key(), "0",
                FLINK_REST_PORT.key(), "0",
                INGEST_PORT.key(), "0",
                FLINK_SLOTS.key(), Integer.toString(slots));
    }

    public static PlatformConfig defaults() {
        return from(Map.of());
    }

    /** Builds a config from key=value settings; unknown keys and bad values are refused. */
    public static PlatformConfig from(Map<String, String> settings) {
        TreeSet<String> unknown = new TreeSet<>(settings.keySet());
        OPTIONS.forEach(o -> unknown.remove(o.key()));
        Map<String, String> jobSettings = new TreeMap<>();
        for (String key : List.copyOf(unknown)) {
            if (JOB_PREFIXES.stream().anyMatch(key::startsWith)) {
                jobSettings.put(key, settings.get(key));
                unknown.remove(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown config key(s) "
                            + unknown
                            + "; known keys: "
                            + OPTIONS.stream().map(ConfigOption::key).toList()
                            + " and job keys under "
                            + JOB_PREFIXES);
        }
        Map<String, String> all = new LinkedHashMap<>();
        OPTIONS.forEach(o -> all.put(o.key(), settings.getOrDefault(o.key(), o.defaultValue())));
        return new PlatformConfig(
                Path.of(DATA_DIR.parse(all.get(DATA_DIR.key()))),
                BOOTSTRAP.parse(all.get(BOOTSTRAP.key())),
                KAFKA_HOST.parse(all.get(KAFKA_HOST.key())),
                KAFKA_PORT.parse(all.get(KAFKA_PORT.key())),
                CONTROLLER_PORT.parse(all.get(CONTROLLER_PORT.key())),
                REGISTRY_URL.parse(all.get(REGISTRY_URL.key())),
                REGISTRY_HOST.parse(all.get(REGISTRY_HOST.key())),
                REGISTRY_PORT.parse(all.get(REGISTRY_PORT.key())),
                FLINK_JOBMANAGER.parse(all.get(FLINK_JOBMANAGER.key())),
                FLINK_REST_PORT.parse(all.get(FLINK_REST_PORT.key())),
                FLINK_SLOTS.parse(all.get(FLINK_SLOTS.key())),
                PARTITIONS.parse(all.get(PARTITIONS.key())),
                INGEST_PORT.parse(all.get(INGEST_PORT.key())),
                jobSettings);
    }

    public boolean embeddedKafka() {
        return bootstrapServers.isBlank();
    }

    public boolean embeddedRegistry() {
        return registryUrl.isBlank();
    }

    public boolean embeddedFlink() {
        return flinkJobManager.isBlank();
    }
}
