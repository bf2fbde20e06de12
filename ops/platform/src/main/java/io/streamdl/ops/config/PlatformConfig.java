package io.streamdl.ops.config;

import io.streamdl.schemas.config.ConfigOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the platform's services live. An empty external address means "start it embedded"; a set
 * one points every job at an existing Kafka cluster, schema registry or Flink cluster. Immutable;
 * built from key=value pairs: the platform's keys are listed in {@link #OPTIONS}, every other
 * component's key is kept in {@link #jobSettings()}.
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
        long checkpointIntervalMillis,
        String catalogue,
        SecurityMode kafkaSecurity,
        String kafkaSecurityDir,
        Map<String, String> jobSettings) {

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
            ConfigOption.positive(
                    "flink.slots",
                    16,
                    "task slots of the embedded Flink MiniCluster (the jobs need one per parallel"
                            + " instance of each job's widest operator)");
    public static final ConfigOption<Integer> PARTITIONS =
            ConfigOption.positive(
                    "topics.partitions", 2, "partitions of each pipeline topic created at start");

    public static final ConfigOption<Integer> INGEST_PORT =
            ConfigOption.port(
                    "ingest.port",
                    8084,
                    "port of the HTTP ingest endpoint (POST /ingest/{image|audio|text})");

    public static final ConfigOption<Long> CHECKPOINT_INTERVAL =
            ConfigOption.longRange(
                    "flink.checkpoint.interval-ms",
                    2000,
                    100,
                    3_600_000,
                    "Flink checkpoint interval of every job; exactly-once outputs become readable"
                            + " when a checkpoint commits their transaction (demo: 1000)");
    public static final ConfigOption<String> CATALOGUE =
            ConfigOption.string(
                    "models.catalogue",
                    "",
                    "a model catalogue file (JSON, as models/src/main/resources/catalogue.json);"
                            + " empty: the bundled catalogue");

    public static final ConfigOption<SecurityMode> KAFKA_SECURITY =
            ConfigOption.oneOf(
                    "kafka.security",
                    SecurityMode.PLAINTEXT,
                    SecurityMode.class,
                    "plaintext, or sasl_ssl: SCRAM-SHA-512 over TLS with one principal per"
                            + " component and ACLs; certificates and passwords are made in"
                            + " <data.dir>/security at first start");

    public static final ConfigOption<String> KAFKA_SECURITY_DIR =
            ConfigOption.string(
                    "kafka.security.dir",
                    "",
                    "where the certificates and SCRAM passwords of kafka.security=sasl_ssl live;"
                            + " empty: <data.dir>/security");

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
                    INGEST_PORT,
                    CHECKPOINT_INTERVAL,
                    CATALOGUE,
                    KAFKA_SECURITY,
                    KAFKA_SECURITY_DIR);

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

    /** As {@link #ephemeral(Path, int)}, with {@code extra} settings (job keys, a catalogue). */
    public static PlatformConfig ephemeral(Path dataDir, int slots, Map<String, String> extra) {
        Map<String, String> settings = new java.util.HashMap<>(ephemeralSettings(dataDir, slots));
        settings.putAll(extra);
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

    /**
     * Builds a config from key=value settings: the platform's keys of {@link #OPTIONS} are read (a
     * bad value is refused naming the key and what is allowed), every other key is kept as {@link
     * #jobSettings()}. The pipeline's CLI checks every key of every component before it calls this
     * ({@code PipelineOptions.platformConfig}), so an unknown key never gets here.
     *
     * @throws io.streamdl.schemas.config.ConfigException naming the key
     */
    public static PlatformConfig from(Map<String, String> settings) {
        Map<String, String> jobSettings = new TreeMap<>(settings);
        OPTIONS.forEach(o -> jobSettings.remove(o.key()));
        return new PlatformConfig(
                Path.of(DATA_DIR.read(settings)),
                BOOTSTRAP.read(settings),
                KAFKA_HOST.read(settings),
                KAFKA_PORT.read(settings),
                CONTROLLER_PORT.read(settings),
                REGISTRY_URL.read(settings),
                REGISTRY_HOST.read(settings),
                REGISTRY_PORT.read(settings),
                FLINK_JOBMANAGER.read(settings),
                FLINK_REST_PORT.read(settings),
                FLINK_SLOTS.read(settings),
                PARTITIONS.read(settings),
                INGEST_PORT.read(settings),
                CHECKPOINT_INTERVAL.read(settings),
                CATALOGUE.read(settings),
                KAFKA_SECURITY.read(settings),
                KAFKA_SECURITY_DIR.read(settings),
                jobSettings);
    }

    public boolean embeddedKafka() {
        return bootstrapServers.isBlank();
    }

    public boolean embeddedRegistry() {
        return registryUrl.isBlank();
    }

    /** Where the certificates and SCRAM passwords of {@code kafka.security=sasl_ssl} live. */
    public Path securityDir() {
        return kafkaSecurityDir.isBlank() ? dataDir.resolve("security") : Path.of(kafkaSecurityDir);
    }

    public boolean secured() {
        return kafkaSecurity == SecurityMode.SASL_SSL;
    }

    public boolean embeddedFlink() {
        return flinkJobManager.isBlank();
    }
}
