package io.streamdl.ops.platform;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.HttpIngestServer;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.registry.SchemaRegistryServer;
import io.streamdl.ops.security.BrokerSecurity;
import io.streamdl.ops.security.HttpSecurity;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, the schema registry and Flink, each either started here or reached at a configured
 * address, plus the pipeline's topics. Closing it stops what it started, in reverse order.
 */
public final class Platform implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);

    private final PlatformConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String bootstrapServers;
    private String registryUrl;
    private URI flinkRest;
    private EmbeddedFlink flink;
    private String ingestUrl;
    private HttpIngestServer http;
    private SecurityMaterial security;
    private HttpSecurity httpSecurity;
    private RegistryClientSettings registrySettings = RegistryClientSettings.NONE;

    /** Largest body the HTTP ingest endpoint accepts; the encoders apply their own limits. */
    static final int MAX_INGEST_BYTES = 16 * 1024 * 1024;

    private Platform(PlatformConfig config) {
        this.config = config;
    }

    /** Starts or checks every service; on failure, stops what was started and throws. */
    public static Platform start(PlatformConfig config) {
        Platform platform = new Platform(config);
        try {
            platform.startKafka();
            platform.startRegistry();
            platform.startFlink();
            platform.startIngest();
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private void startKafka() {
        if (config.embeddedKafka()) {
            if (config.secured()) {
                security = SecurityMaterial.prepare(config.securityDir(), config.kafkaHost());
            }
            Path logDir = config.dataDir().resolve("kafka");
            EmbeddedKafka kafka =
                    EmbeddedKafka.start(
                            logDir,
                            config.kafkaHost(),
                            config.kafkaPort(),
                            config.controllerPort(),
                            config.partitions(),
                            security);
            started.push(kafka);
            bootstrapServers = kafka.bootstrapServers();
        } else {
            bootstrapServers = config.bootstrapServers();
            if (config.secured()) {
                security = SecurityMaterial.existing(config.securityDir());
            }
        }
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers, kafkaSecurity(Principal.ADMIN))) {
            admin.checkReachable();
            if (security != null) {
                BrokerSecurity.install(bootstrapServers, security);
            }
            var created = admin.ensure(Topics.all(), config.partitions());
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
        }
    }

    private void startRegistry() {
        if (config.embeddedRegistry()) {
            int port =
                    Ports.claim(
                            config.registryHost(),
                            config.registryPort(),
                            "registry.port",
                            "The schema registry");
            try {
                SchemaRegistryServer server =
                        SchemaRegistryServer.startOnKafka(
                                config.registryHost(),
                                port,
                                bootstrapServers,
                                kafkaSecurity(Principal.REGISTRY),
                                httpSecurity());
                started.push(server);
                registryUrl = server.url();
                registrySettings = registrySettings(config, security);
            } catch (IOException e) {
                throw new PlatformException(
                        "the schema registry cannot listen on port " + port + ": " + e.getMessage(),
                        e);
            }
        } else {
            try {
                registrySettings = registrySettings(config, security);
            } catch (IllegalArgumentException e) {
                throw new PlatformException(e.getMessage(), e);
            }
            // user info in the URL is in the settings now; the URL goes into logs and job configs
            registryUrl = RegistryClientSettings.withoutUserInfo(config.registryUrl());
            try (RestSchemaRegistryClient client =
                    new RestSchemaRegistryClient(
                            registryUrl, Duration.ofSeconds(5), registrySettings)) {
                client.subjects();
            } catch (RegistryException | IllegalArgumentException e) {
                boolean answered = e instanceof RegistryException r && r.httpStatus() != 0;
                throw new PlatformException(
                        "the schema registry at "
                                + registryUrl
                                + " (schema.registry.url) "
                                + (answered ? "refuses the platform: " : "is unreachable: ")
                                + e.getMessage());
            }
        }
    }

    private void startFlink() {
        if (config.embeddedFlink()) {
            flink =
                    EmbeddedFlink.start(
                            config.kafkaHost(), config.flinkRestPort(), config.flinkSlots());
            started.push(flink);
            flinkRest = flink.restAddress();
        } else {
            flinkRest = URI.create("http://" + config.flinkJobManager());
            checkFlink(flinkRest);
        }
    }

    private static void checkFlink(URI rest) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<Void> reply =
                    http.send(
                            HttpRequest.newBuilder(rest.resolve("/overview"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            if (reply.statusCode() != 200) {
                throw new PlatformException(
                        "Flink at "
                                + rest
                                + " (flink.jobmanager) answered HTTP "
                                + reply.statusCode());
            }
        } catch (IOException e) {
            throw new PlatformException(
                    "Flink at " + rest + " (flink.jobmanager) is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted contacting Flink at " + rest);
        }
    }

    private void startIngest() {
        int port =
                Ports.claim(
                        config.kafkaHost(),
                        config.ingestPort(),
                        "ingest.port",
                        "The HTTP ingest endpoint");
        EventSender sender =
                new EventSender(
                        bootstrapServers,
                        registryUrl,
                        registrySettings,
                        Duration.ZERO,
                        kafkaSecurity(Principal.INGEST));
        started.push(sender);
        try {
            HttpIngestServer server =
                    HttpIngestServer.start(
                            config.kafkaHost(),
                            port,
                            sender::send,
                            MAX_INGEST_BYTES,
                            httpSecurity());
            started.push(server);
            http = server;
            ingestUrl = server.url();
        } catch (IOException e) {
            throw new PlatformException(
                    "the HTTP ingest endpoint cannot listen on port "
                            + port
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Serves {@code path} and below with {@code handler} on the platform's HTTP port (the one of
     * the ingest endpoint), e.g. the queries of the Streams apps.
     */
    public void route(String path, com.sun.net.httpserver.HttpHandler handler) {
        http.route(path, handler);
    }

    public String ingestUrl() {
        return ingestUrl;
    }

    public PlatformConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * How {@code principal} authenticates to this platform's Kafka: as its own SCRAM user with
     * {@code kafka.security=sasl_ssl}, else {@link KafkaClientSecurity#PLAINTEXT}.
     */
    public KafkaClientSecurity kafkaSecurity(Principal principal) {
        return security == null ? KafkaClientSecurity.PLAINTEXT : security.client(principal);
    }

    /** The certificates and passwords of a secured platform; null in plaintext. */
    public SecurityMaterial securityMaterial() {
        return security;
    }

    /**
     * How the pipeline's own HTTP endpoints (the embedded schema registry, ingest, the live page
     * and its {@code /metrics}) are served: over TLS with the broker's certificate, behind basic
     * authentication of the HTTP user of {@code credentials.properties}, on a secured platform;
     * plain HTTP otherwise.
     */
    public synchronized HttpSecurity httpSecurity() {
        if (httpSecurity == null) {
            httpSecurity = security == null ? HttpSecurity.NONE : HttpSecurity.of(security);
        }
        return httpSecurity;
    }

    /**
     * The schema registry's URL, without user info (that is in {@link #registrySettings()}): {@code
     * https} on a secured platform's embedded registry.
     */
    public String registryUrl() {
        return registryUrl;
    }

    /**
     * How clients reach this platform's schema registry: see {@link
     * #registrySettings(PlatformConfig, SecurityMaterial)}. Holds passwords: never print it whole.
     */
    public RegistryClientSettings registrySettings() {
        return registrySettings;
    }

    /** A new client of this platform's schema registry, with {@link #registrySettings()}. */
    public RestSchemaRegistryClient registryClient() {
        return new RestSchemaRegistryClient(registryUrl, registrySettings);
    }

    /**
     * How a client reaches the schema registry of {@code config}: the embedded one of a secured
     * platform trusts the CA of {@code material}'s trust store and authenticates as {@link
     * SecurityMaterial#HTTP_USER}; an external one takes Confluent's client keys from the settings
     * ({@code schema.registry.ssl.truststore.*}, {@code basic.auth.*}, see {@link
     * RegistryClientSettings#from}); a plain embedded one needs nothing.
     *
     * @param material the secured platform's material; null in plaintext
     * @throws IllegalArgumentException naming the key of a bad client setting
     */
    public static RegistryClientSettings registrySettings(
            PlatformConfig config, SecurityMaterial material) {
        if (!config.embeddedRegistry()) {
            Map<String, Object> all = new LinkedHashMap<>(config.jobSettings());
            all.put(PlatformConfig.REGISTRY_URL.key(), config.registryUrl());
            return RegistryClientSettings.from(all);
        }
        if (material == null) {
            return RegistryClientSettings.NONE;
        }
        return RegistryClientSettings.trusting(
                        material.truststore(), material.storePassword(), "PKCS12")
                .withBasicAuth(SecurityMaterial.HTTP_USER, material.httpPassword());
    }

    public URI flinkRestAddress() {
        return flinkRest;
    }

    /** The embedded Flink cluster, or null when jobs go to an external one. */
    public EmbeddedFlink embeddedFlink() {
        return flink;
    }

    /** What runs where, for printing. */
    public Map<String, String> addresses() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(
                "Kafka",
                bootstrapServers
                        + (config.embeddedKafka()
                                ? " (embedded, data in " + config.dataDir().resolve("kafka") + ")"
                                : " (external)")
                        + (security == null
                                ? ""
                                : ", SASL_SSL/SCRAM-SHA-512 with ACLs, credentials in "
                                        + security.dir()));
        out.put(
                "Schema registry",
                registryUrl
                        + (config.embeddedRegistry()
                                ? " (embedded, state in topic _schemas)"
                                : " (external)")
                        + (registrySettings.hasBasicAuth()
                                ? ", basic auth as " + registrySettings.user()
                                : ""));
        out.put(
                "Flink REST",
                flinkRest
                        + (config.embeddedFlink()
                                ? " (embedded MiniCluster, " + config.flinkSlots() + " slots)"
                                : " (external)"));
        out.put("HTTP ingest", ingestUrl + "/ingest/{image|audio|text}");
        return out;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable service = started.pop();
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("error stopping {}: {}", service.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
