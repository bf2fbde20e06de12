package io.streamdl.ops.cli;

import io.streamdl.ops.config.Durations;
import io.streamdl.ops.config.PipelineOptions;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.LifecycleJobs;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.platform.TopicAdmin;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.ops.web.LivePage;
import io.streamdl.schemas.config.ConfigGroup;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.lifecycle.LifecycleController;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.RecommenderApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code ./pipeline} command line. */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        version = "streamdl 0.1.0-SNAPSHOT",
        description =
                "Streaming deep learning on Kafka: Avro events in, tensors, scores and fresh weights out.",
        subcommands = {
            PipelineCli.Up.class,
            PipelineCli.TopicsCommand.class,
            PipelineCli.ConfigCommand.class,
            DemoCommand.class,
            IngestCommand.class,
            LoadCommand.class,
            ModelsCommand.class,
            ClusterCommand.class,
            PipelineCli.Bench.class
        },
        footer = {
            "",
            "Config keys (set with -c key=value or --config FILE): run './pipeline config'."
        })
public final class PipelineCli {

    /** Options every command shares. */
    static final class Common {
        @Option(
                names = "--data-dir",
                description = "Where embedded services keep their data (default ./data).")
        Path dataDir;

        @Option(
                names = {"-c", "--conf"},
                description = "Set a config key, e.g. -c kafka.port=19092.")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(
                names = "--models",
                description =
                        "A model catalogue file (JSON, like models/src/main/resources/catalogue.json): a ScoreJob and a TrainJob per enabled entry (key models.catalogue; default: the bundled catalogue).")
        Path models;

        @Option(
                names = "--config",
                description = "A properties file of config keys; -c wins over it.")
        Path configFile;

        PlatformConfig platformConfig() {
            return platformConfig(Map.of());
        }

        /** Where a client command reaches Kafka: the embedded broker's address or the external. */
        static String bootstrap(PlatformConfig config) {
            return config.embeddedKafka()
                    ? config.kafkaHost() + ":" + config.kafkaPort()
                    : config.bootstrapServers();
        }

        /**
         * How a client command authenticates to Kafka as {@code principal}: with {@code
         * kafka.security=sasl_ssl}, with the credentials and trust store the platform made in
         * {@code <data.dir>/security}.
         */
        static KafkaClientSecurity kafkaSecurity(PlatformConfig config, Principal principal) {
            return config.secured()
                    ? SecurityMaterial.existing(config.securityDir()).client(principal)
                    : KafkaClientSecurity.PLAINTEXT;
        }

        /** Where a client command reaches the schema registry: https on a secured platform. */
        static String registry(PlatformConfig config) {
            return config.embeddedRegistry()
                    ? (config.secured() ? "https://" : "http://")
                            + config.registryHost()
                            + ":"
                            + config.registryPort()
                    : config.registryUrl();
        }

        /**
         * How a client command reaches the schema registry: trusting the platform's CA as its HTTP
         * user on a secured platform's embedded registry, with Confluent's client keys of the
         * settings on an external one (see {@link Platform#registrySettings(PlatformConfig,
         * SecurityMaterial)}).
         */
        static RegistryClientSettings registrySettings(PlatformConfig config) {
            return Platform.registrySettings(
                    config,
                    config.secured() && config.embeddedRegistry()
                            ? SecurityMaterial.existing(config.securityDir())
                            : null);
        }

        /**
         * The config of the given settings over {@code commandDefaults} (a command's own defaults,
         * which any setting given by the user overrides); every key is checked.
         */
        PlatformConfig platformConfig(Map<String, String> commandDefaults) {
            return PipelineOptions.platformConfig(settings(commandDefaults));
        }

        /** The effective key=value settings: command defaults, then the file, then -c. */
        Map<String, String> settings(Map<String, String> commandDefaults) {
            Map<String, String> all = new LinkedHashMap<>(commandDefaults);
            if (configFile != null) {
                Properties props = new Properties();
                try (InputStream in = Files.newInputStream(configFile)) {
                    props.load(in);
                } catch (IOException e) {
                    throw new PlatformException(
                            "cannot read config file " + configFile + ": " + e.getMessage());
                }
                props.stringPropertyNames().forEach(k -> all.put(k, props.getProperty(k)));
            }
            all.putAll(settings);
            if (dataDir != null) {
                all.put(PlatformConfig.DATA_DIR.key(), dataDir.toString());
            }
            if (models != null) {
                all.put(PlatformConfig.CATALOGUE.key(), models.toString());
            }
            return all;
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description =
                    "Start Kafka (KRaft), the schema registry and a Flink MiniCluster in this JVM (or check the external ones configured), create the topics, run the EncodeJob and a ScoreJob and TrainJob per model, and run until Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();

        @Option(
                names = "--dev-insecure-key",
                description =
                        "Sign and verify model updates with the built-in development key when models.hmac.key is not set (anyone who reads the source can forge an update: for a local try-out only).")
        boolean devInsecureKey;

        @Override
        public Integer call() throws InterruptedException {
            PlatformConfig config = common.platformConfig();
            // every job's config is built (and a bad value refused) before anything starts
            PipelineJobs.plan(config, "http://registry.invalid");
            if (!devInsecureKey && !PipelineJobs.hasSigningKey(config)) {
                throw new PlatformException(
                        PipelineJobs.HMAC_KEY
                                + " is not set: give the model signing key (-c "
                                + PipelineJobs.HMAC_KEY
                                + "=<16 bytes or more>, or in --config FILE), or pass"
                                + " --dev-insecure-key to use the built-in development key");
            }
            PrintWriter out = new PrintWriter(System.out, true);
            out.println(
                    "Starting the platform (data in "
                            + config.dataDir().toAbsolutePath().normalize()
                            + ") ...");
            Platform platform = Platform.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            AtomicReference<AnomalyDetectorApp> detector = new AtomicReference<>();
            AtomicReference<RecommenderApp> recommender = new AtomicReference<>();
            AtomicReference<ItemEmbedderApp> embedder = new AtomicReference<>();
            AtomicReference<DashboardAggregatesApp> dashboard = new AtomicReference<>();
            AtomicReference<LivePage> page = new AtomicReference<>();
            AtomicReference<LifecycleController> lifecycle = new AtomicReference<>();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        out.println("Stopping ...");
                                        if (page.get() != null) {
                                            try {
                                                page.get().close();
                                            } catch (Exception e) {
                                                out.println("live page: " + e);
                                            }
                                        }
                                        if (lifecycle.get() != null) {
                                            try {
                                                lifecycle.get().close();
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        }
                                        // the Streams app first: it needs the broker to leave
                                        // its group cleanly
                                        if (recommender.get() != null) {
                                            recommender.get().close();
                                        }
                                        if (embedder.get() != null) {
                                            embedder.get().close();
                                        }
                                        if (dashboard.get() != null) {
                                            dashboard.get().close();
                                        }
                                        if (detector.get() != null) {
                                            detector.get().close();
                                        }
                                        platform.close();
                                        out.println("Stopped.");
                                        stopped.countDown();
                                    },
                                    "pipeline-shutdown"));
            platform.addresses()
                    .forEach((name, address) -> out.printf("  %-16s %s%n", name, address));
            JobRunner runner = new JobRunner(platform);
            PipelineJobs pipelineJobs = new PipelineJobs(platform);
            List<String> jobs = new ArrayList<>(pipelineJobs.submitEncodeAndScore(runner));
            jobs.addAll(pipelineJobs.submitTrainers(runner));
            out.printf("  %-16s %s%n", "Flink jobs", String.join(", ", jobs));
            detector.set(pipelineJobs.startAnomalyDetector());
            out.printf(
                    "  %-16s %s%n",
                    "Streams apps",
                    "AnomalyDetector ("
                            + String.join(", ", detector.get().config().scoreTopics())
                            + " -> anomalies)");
            dashboard.set(pipelineJobs.startDashboardAggregates());
            out.printf(
                    "  %-16s %s%n",
                    "",
                    "DashboardAggregates (scores.*, dlq -> dashboard.metrics, windows "
                            + dashboard.get().config().windowsMillis()
                            + " ms)");
            lifecycle.set(LifecycleJobs.start(platform, pipelineJobs));
            if (lifecycle.get() != null) {
                out.printf(
                        "  %-16s %s%n",
                        "Lifecycle",
                        "controller (trials of "
                                + LifecycleJobs.shadowModels(
                                        PipelineJobs.catalogue(config), pipelineJobs.settings())
                                + " -> models.events)");
            }
            pipelineJobs.startItemEmbedder().ifPresent(embedder::set);
            pipelineJobs.startRecommender().ifPresent(recommender::set);
            if (recommender.get() != null) {
                out.printf(
                        "  %-16s %s%n",
                        "",
                        "Recommender (interactions -> recommendations, model "
                                + recommender.get().config().model().name()
                                + "; GET "
                                + platform.ingestUrl()
                                + "/recommendations/{userId}), ItemEmbedder ("
                                + embedder.get().config().modelTopic()
                                + " -> items.embeddings)");
            }
            page.set(
                    LivePage.startFor(
                            platform,
                            dashboard.get(),
                            detector.get(),
                            recommender.get(),
                            embedder.get()));
            out.printf(
                    "  %-16s %s (Prometheus: %smetrics)%n",
                    "Live page", page.get().url(), page.get().url());
            out.println("Ready. Press Ctrl-C to stop.");
            stopped.await();
            return 0;
        }
    }

    @Command(
            name = "topics",
            mixinStandardHelpOptions = true,
            description =
                    "List the topics of the running platform (or of kafka.bootstrap.servers) with their partitions and message counts.")
    static final class TopicsCommand implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();

        @Override
        public Integer call() {
            PlatformConfig config = common.platformConfig();
            String bootstrap =
                    config.embeddedKafka()
                            ? config.kafkaHost() + ":" + config.kafkaPort()
                            : config.bootstrapServers();
            try (TopicAdmin admin =
                    new TopicAdmin(bootstrap, Common.kafkaSecurity(config, Principal.ADMIN))) {
                admin.checkReachable();
                System.out.printf("%-24s %10s %12s%n", "TOPIC", "PARTITIONS", "MESSAGES");
                for (TopicAdmin.TopicInfo t : admin.describe()) {
                    System.out.printf("%-24s %10d %12d%n", t.name(), t.partitions(), t.messages());
                }
            }
            System.out.println(
                    "(messages = offsets held; topics written in transactions also count their commit markers)");
            return 0;
        }
    }

    @Command(
            name = "config",
            mixinStandardHelpOptions = true,
            description = "Print every config key with its current value and what it means.")
    static final class ConfigCommand implements Callable<Integer> {
        @CommandLine.Mixin Common common = new Common();

        @Override
        public Integer call() {
            Map<String, String> given = common.settings(Map.of());
            PlatformConfig config = PipelineOptions.platformConfig(given);
            PipelineJobs.plan(config, "http://registry.invalid");
            if (common.configFile != null) {
                System.out.println("(settings from " + common.configFile + " and -c)");
            }
            for (ConfigGroup group : PipelineOptions.SCHEMA.groups()) {
                System.out.println();
                System.out.println(group.title() + ":");
                for (ConfigOption<?> option : group.options()) {
                    String value = given.getOrDefault(option.key(), option.defaultText());
                    if (option == PlatformConfig.DATA_DIR) {
                        value = config.dataDir().toString();
                    }
                    String shown =
                            option.secret()
                                    ? (given.containsKey(option.key()) ? "<set>" : "<unset>")
                                    : value.isEmpty() ? "\"\"" : value;
                    String marker = given.containsKey(option.key()) ? "*" : " ";
                    System.out.printf(
                            "  %-42s %s%-16s %s (default %s; %s)%n",
                            option.key(),
                            marker,
                            shown,
                            option.description(),
                            option.secret() || option.defaultText().isEmpty()
                                    ? "none"
                                    : option.defaultText(),
                            option.expected());
                }
            }
            System.out.println();
            System.out.println(
                    "* = set by -c or --config; set keys with -c KEY=VALUE or --config FILE");
            return 0;
        }
    }

    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            description =
                    "Without a name (or with 'all'): the benchmark harness, every scenario (kafka, encode, score, latency, propagation, train, scale, learn) repeated --runs times, median and range of each number beside its target, a machine header, written to --out as report.json, report.md and PNG plots; --quick takes about 3 minutes. With a name: run that benchmark and write its numbers to reports/: serde (registry serde vs plain Avro), encode (bare encoders vs the EncodeJob), score (bare DL4J and ONNX Runtime vs the ScoreJob, latency, update propagation), learn (Fashion-MNIST learned online, then the test set scored), learn-audio and learn-text (spoken keywords or Debian descriptions learned the same way, test accuracy against the majority-class baseline), train (TrainJob examples/s vs bare DL4J fit loops over the same mini-batches), nab-numenta (the NAB scorer on the Numenta detector's published output, against its published scores), nab (every NAB series streamed through the pipeline's metric forecaster, learned online, scored by the NAB rules), anomaly-images (Fashion-MNIST one-class: the autoencoder learns one class online, the test set is scored, AUROC per class), anomaly-latency (open-loop metric events with injected spikes: send to score and send to Anomaly record, p50/p99), recs (simulated users' interactions through the item embedder, the recommender and its online trainer: prequential HR@10 and NDCG@10 against popularity, random and the true tastes, with a taste drift halfway), recs-latency (the recommender's maximum sustained rate and, at half of it, send to readable Recommendation p50/p99, at-least-once and exactly-once).")
    static final class Bench implements Callable<Integer> {
        @CommandLine.Parameters(
                index = "0",
                arity = "0..1",
                description =
                        "Which benchmark: ${COMPLETION-CANDIDATES} (default all: the harness).")
        BenchRequest.Which which = BenchRequest.Which.all;

        @Option(
                names = "--quick",
                description =
                        "Harness: short runs (fewer events, 1 run, fewer batch sizes), about 3 minutes in all.")
        boolean quick;

        @Option(
                names = "--scenario",
                split = ",",
                paramLabel = "NAME",
                description =
                        "Harness: run only these scenarios (kafka, encode, score, latency, propagation, train, scale, learn); repeatable or comma-separated.")
        List<String> scenarios = new ArrayList<>();

        @Option(
                names = "--runs",
                description = "Harness: repetitions of each scenario (default 3; --quick 1).")
        int runs;

        @Option(
                names = "--out",
                description =
                        "Harness: directory for report.json, report.md and the plots (default target/bench).")
        Path out = Path.of("target", "bench");

        @Option(
                names = "--reports",
                description = "Directory for the JSON report (default reports).")
        Path reports = Path.of("reports");

        @Option(
                names = "--events",
                description =
                        "Events for the pipeline runs; learn*: training events (default 30000, more than the keyword and text training splits hold); train: labelled examples, at most 4096; recs: interactions (default 200000).")
        int events = BenchRequest.DEFAULT_EVENTS;

        @Option(
                names = "--batch",
                description = "score: the ScoreJob's maximum batch size (default 32).")
        int batch = 32;

        @Option(
                names = "--drift-at",
                description = "learn: permute the labels from this training event on (0 = never).")
        int driftAt = 0;

        @Option(
                names = "--rate",
                description =
                        "Events per second sent: learn* training events (default 300), anomaly-images images (default 1000), nab metric points (default 2500), anomaly-latency metric points (default 100), recs interactions (default 1000), recs-latency interactions (default: half the measured maximum).")
        double rate;

        @Option(
                names = "--data",
                description =
                        "learn-audio: a directory made by ops/scripts/make-keywords.sh (default data/keywords if it exists, else the bundled sample); learn-text: a JSONL corpus made by ops/scripts/make-debian-text.sh (default data/debian-text.jsonl if it exists, else the bundled sample); nab-numenta and nab: the NAB corpus (default ingest/data/nab).")
        Path data;

        @Option(
                names = "--passes",
                description =
                        "learn-audio, learn-text: send the training events this many times, in the same order (default 1; later passes are no longer unseen data, so the prequential accuracy then overstates).")
        int passes = 1;

        @Option(
                names = "--target",
                description =
                        "anomaly-latency: BOOTSTRAP,REGISTRY_URL of a pipeline started with './pipeline up' in another process, to measure it from this one (default: an embedded pipeline in this process).")
        String target;

        @Override
        public Integer call() throws Exception {
            BenchRequest request =
                    new BenchRequest(
                            which, reports, events, batch, driftAt, rate, data, passes, target,
                            quick, scenarios, runs, out);
            benchRunner().run(request, System.out);
            return 0;
        }

        /** The benchmarks' entry point, found by name: ops cannot depend on their module. */
        private static BenchRunner benchRunner() throws ReflectiveOperationException {
            Class<?> implementation;
            try {
                implementation = Class.forName(BenchRunner.IMPLEMENTATION);
            } catch (ClassNotFoundException e) {
                throw new PlatformException(
                        "the benchmarks ("
                                + BenchRunner.IMPLEMENTATION
                                + ", module e2e-tests/bench) are not on the class path; run them"
                                + " with ./pipeline bench, which builds them",
                        e);
            }
            return implementation
                    .asSubclass(BenchRunner.class)
                    .getDeclaredConstructor()
                    .newInstance();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code, which {@link #main} exits with. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new PipelineCli());
        cli.registerConverter(Duration.class, Durations::parse);
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof PlatformException || e instanceof IllegalArgumentException) {
                        // ConfigException included: one line naming the key
                        commandLine.getErr().println("error: " + e.getMessage());
                        return 2;
                    }
                    if (e instanceof IllegalStateException) {
                        // a Kafka or registry call that failed: the message says which
                        commandLine.getErr().println("error: " + e.getMessage());
                        return 1;
                    }
                    throw e;
                });
        if (args.length == 0) {
            cli.usage(System.out);
            return 0;
        }
        return cli.execute(args);
    }
}
