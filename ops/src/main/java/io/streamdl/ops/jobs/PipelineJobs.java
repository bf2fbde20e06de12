package io.streamdl.ops.jobs;

import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.encoders.job.EncodeJobConfig;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.http.AnomalyQueries;
import io.streamdl.ops.http.RecommendationQueries;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.platform.TopicAdmin;
import io.streamdl.ops.security.Principal;
import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.TopicSpec;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.FusedScoreJob;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.anomaly.AnomalyDetectorConfig;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesConfig;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.ItemEmbedderConfig;
import io.streamdl.scoring.recs.RecommenderApp;
import io.streamdl.scoring.recs.RecommenderConfig;
import io.streamdl.trainer.TrainJob;
import io.streamdl.trainer.TrainJobConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's Flink jobs with their configs: the EncodeJob, and a ScoreJob and a TrainJob per
 * enabled model of the catalogue ({@code models.catalogue}, or the bundled one). {@link #plan}
 * builds every job's config record from the settings without starting anything, so a bad value
 * fails before Kafka, the registry or Flink are up.
 */
public final class PipelineJobs {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJobs.class);

    /**
     * HMAC key used when {@code models.hmac.key} is not set: fine for a demo, not for production.
     */
    public static final String DEVELOPMENT_KEY = "streamdl-development-key-change-me";

    public static final String HMAC_KEY = ModelUpdateCodec.Config.HMAC_KEY;
    public static final String BUNDLED_VOCAB = "/vocab/debian-wordpiece.txt";

    /**
     * Every job's config, built from one settings map.
     *
     * @param encode the EncodeJob's
     * @param scorers one per model
     * @param trainers one per model
     * @param signing what scorers verify updates with
     */
    public record Plan(
            EncodeJobConfig encode,
            List<ScoreJobConfig> scorers,
            List<TrainJobConfig> trainers,
            ModelUpdateCodec.Config signing) {
        /**
         * Task slots the jobs take together: each job (slot sharing within it) as many as its
         * widest operator's parallelism.
         */
        public int slotsNeeded() {
            int slots = encode.parallelism();
            for (ScoreJobConfig s : scorers) {
                slots += s.parallelism();
            }
            for (TrainJobConfig t : trainers) {
                slots += t.parallelism();
            }
            return slots;
        }
    }

    private final Platform platform;
    private final Map<String, String> settings;
    private Map<String, String> withDefaults;

    public PipelineJobs(Platform platform) {
        this.platform = platform;
        this.settings = new HashMap<>(platform.config().jobSettings());
    }

    /**
     * Builds every job's config from {@code config}'s settings; nothing is started or written.
     *
     * @param registryUrl the registry the jobs will use (only recorded in the configs)
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad value
     */
    public static Plan plan(PlatformConfig config, String registryUrl) {
        Map<String, String> settings = withDefaults(config.jobSettings(), "(bundled vocabulary)");
        // the vocabulary is only a name here: the text encoder is built with the EncodeJob, from
        // the file written into the data directory
        EncodeJobConfig encode = EncodeJobConfig.of(settings);
        ModelCatalogue catalogue = catalogue(config);
        List<ScoreJobConfig> scorers = new ArrayList<>();
        List<TrainJobConfig> trainers = new ArrayList<>();
        for (ModelCatalogue.Entry entry : catalogue.enabled()) {
            if (!servedByRecommender(entry)) {
                scorers.add(scorerConfig(entry, registryUrl, settings));
            }
            trainers.add(trainerConfig(catalogue, entry, registryUrl, settings));
        }
        OnnxRuntimeBackend.Config.from(settings);
        DashboardAggregatesConfig.of(
                "127.0.0.1:1", registryUrl, JobSettings.prefixed(settings, "dashboard."));
        if (recommenderConfig(catalogue, "127.0.0.1:1", registryUrl, settings).isPresent()) {
            ItemEmbedderConfig.of("127.0.0.1:1", registryUrl, settings);
        }
        AnomalyDetectorConfig.of(
                "127.0.0.1:1", registryUrl, JobSettings.detector(settings, catalogue));
        FusedModels.of(catalogue, settings, encode.encoderNames());
        Plan plan = new Plan(encode, scorers, trainers, ModelUpdateCodec.Config.from(settings));
        if (config.embeddedFlink() && plan.slotsNeeded() > config.flinkSlots()) {
            throw new ConfigException(
                    PlatformConfig.FLINK_SLOTS.key(),
                    (scorers.size() + trainers.size() + 1)
                            + " jobs (the EncodeJob, a TrainJob per enabled model and a ScoreJob per"
                            + " enabled model but the recommender's, of "
                            + catalogue.origin()
                            + ") need "
                            + plan.slotsNeeded()
                            + " task slots, the embedded Flink has "
                            + config.flinkSlots()
                            + "; set -c flink.slots="
                            + plan.slotsNeeded()
                            + " or more, or disable models");
        }
        return plan;
    }

    /** Whether the settings give a model signing key ({@code models.hmac.key}) of their own. */
    public static boolean hasSigningKey(PlatformConfig config) {
        String key = config.jobSettings().get(HMAC_KEY);
        return key != null && !key.isBlank();
    }

    /**
     * The settings with the pipeline's own defaults: the development signing key when none is set,
     * the text model's length and {@code vocabulary} as the text encoder's vocabulary.
     */
    private static Map<String, String> withDefaults(Map<String, String> given, String vocabulary) {
        Map<String, String> settings = new LinkedHashMap<>(given);
        settings.putIfAbsent(HMAC_KEY, DEVELOPMENT_KEY);
        settings.putIfAbsent(TextEncoderConfig.MAX_LENGTH.key(), "64");
        settings.putIfAbsent(TextEncoderConfig.VOCAB_PATH.key(), vocabulary);
        return settings;
    }

    /** The enabled models whose scores are anomaly scores: neither classifiers nor recommenders. */
    public static List<String> anomalyModels(ModelCatalogue catalogue) {
        List<String> models = new ArrayList<>();
        for (ModelCatalogue.Entry e : catalogue.enabled()) {
            if (!e.spec().isClassifier() && e.spec().kind() != ArchitectureKind.RECS) {
                models.add(e.name());
            }
        }
        return models;
    }

    /**
     * Whether the {@code Recommender} app, not a ScoreJob, serves {@code entry}: a next-item model,
     * whose features are the user profiles the recommender writes.
     */
    public static boolean servedByRecommender(ModelCatalogue.Entry entry) {
        return entry.spec().kind() == ArchitectureKind.NEXT_ITEM;
    }

    /** The enabled next-item model the recommender serves, if the catalogue has one. */
    public static Optional<ModelCatalogue.Entry> recommendationModel(ModelCatalogue catalogue) {
        List<ModelCatalogue.Entry> models =
                catalogue.enabled().stream().filter(PipelineJobs::servedByRecommender).toList();
        if (models.size() > 1) {
            throw new ConfigException(
                    PlatformConfig.CATALOGUE.key(),
                    catalogue.origin()
                            + " enables "
                            + models.size()
                            + " next-item models; the recommender serves one");
        }
        return models.stream().findFirst();
    }

    /** The recommender's config, if the catalogue enables a next-item model. */
    static Optional<RecommenderConfig> recommenderConfig(
            ModelCatalogue catalogue,
            String bootstrapServers,
            String registryUrl,
            Map<String, String> settings) {
        return recommendationModel(catalogue)
                .map(
                        entry ->
                                RecommenderConfig.of(
                                        entry.spec(),
                                        entry.encoder(),
                                        bootstrapServers,
                                        registryUrl,
                                        settings));
    }

    /** The catalogue {@code models.catalogue} names, or the bundled one. */
    public static ModelCatalogue catalogue(PlatformConfig config) {
        return config.catalogue().isBlank()
                ? ModelCatalogue.bundled()
                : ModelCatalogue.load(Path.of(config.catalogue()));
    }

    private static ScoreJobConfig scorerConfig(
            ModelCatalogue.Entry entry, String registryUrl, Map<String, String> settings) {
        return ScoreJobConfig.of(entry.name(), entry.encoder(), registryUrl, settings);
    }

    /**
     * The trainer of {@code entry}: the global settings with the entry's own trainer keys over
     * them. All classifiers' trainers read {@code events.labels}: each skips the labels of the
     * other models' classes, and the first classifier's trainer alone dead-letters a label of no
     * model's.
     */
    static TrainJobConfig trainerConfig(
            ModelCatalogue catalogue,
            ModelCatalogue.Entry entry,
            String registryUrl,
            Map<String, String> settings) {
        Map<String, String> merged = new LinkedHashMap<>(settings);
        merged.putAll(entry.trainer());
        Set<String> others = new HashSet<>();
        for (ModelCatalogue.Entry other : catalogue.enabled()) {
            if (other != entry) {
                others.addAll(other.spec().labels());
            }
        }
        // the first classifier reports; anomaly models read no labels
        boolean reportsUnknown =
                catalogue.enabled().stream()
                                .filter(e -> e.spec().isClassifier())
                                .findFirst()
                                .orElse(null)
                        == entry;
        try {
            return TrainJobConfig.of(entry.name(), entry.encoder(), registryUrl, merged)
                    .sharingLabelsWith(others, reportsUnknown);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "model '" + entry.name() + "' of " + catalogue.origin() + ": " + e.getMessage(),
                    e);
        }
    }

    /** As {@link #kafka(String, Principal)} as the admin: for benchmarks' and tools' own jobs. */
    public KafkaSettings kafka(String group) {
        return kafka(group, Principal.ADMIN);
    }

    /**
     * Where a job reads and writes, and how ({@code pipeline.delivery}), as {@code principal}: its
     * group and transactional ids are {@code group}, which that principal's ACLs cover. Its
     * registry clients reach the platform's registry with {@link Platform#registrySettings()}.
     */
    public KafkaSettings kafka(String group, Principal principal) {
        return new KafkaSettings(
                platform.bootstrapServers(),
                platform.registryUrl(),
                group,
                io.streamdl.schemas.config.Delivery.exactlyOnce(jobSettings()),
                group,
                io.streamdl.schemas.serde.RegistryClientFactory.rest(platform.registrySettings()),
                platform.kafkaSecurity(principal));
    }

    /** The job settings with the pipeline's defaults, as every job reads them. */
    public Map<String, String> settings() {
        return jobSettings();
    }

    public byte[] hmacKey() {
        return jobSettings().get(HMAC_KEY).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The job settings with the pipeline's defaults (see {@link #withDefaults}), made once: the
     * bundled vocabulary is written to the data directory and the development-key warning logged
     * the first time only.
     */
    private Map<String, String> jobSettings() {
        if (withDefaults == null) {
            if (!settings.containsKey(HMAC_KEY)) {
                LOG.warn(
                        "{} is not set: model updates are signed with the built-in development"
                                + " key",
                        HMAC_KEY);
            }
            Map<String, String> all = withDefaults(settings, bundledVocabulary().toString());
            all.putIfAbsent(
                    TrainJobConfig.SNAPSHOT_DIR.key(),
                    platform.config()
                            .dataDir()
                            .resolve("trainer-snapshots")
                            .toAbsolutePath()
                            .toString());
            all.putIfAbsent(
                    ScoreJobConfig.STATE_DIR.key(),
                    platform.config()
                            .dataDir()
                            .resolve("scorer-state")
                            .toAbsolutePath()
                            .toString());
            withDefaults = Map.copyOf(all);
        }
        return withDefaults;
    }

    /**
     * Encoder settings, with the bundled Debian vocabulary and the text model's length by default.
     */
    public Map<String, String> encoderSettings() {
        Map<String, String> encoders = new LinkedHashMap<>();
        jobSettings()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("image.")
                                    || k.startsWith("audio.")
                                    || k.startsWith("text.")
                                    || k.startsWith("metric.")
                                    || k.startsWith("encode.")) {
                                encoders.put(k, v);
                            }
                        });
        return encoders;
    }

    private Path bundledVocabulary() {
        Path target = platform.config().dataDir().resolve("vocab").resolve("debian-wordpiece.txt");
        try (InputStream in = PipelineJobs.class.getResourceAsStream(BUNDLED_VOCAB)) {
            if (in == null) {
                throw new PlatformException(
                        "the bundled text vocabulary "
                                + BUNDLED_VOCAB
                                + " is missing from the class path");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot write the text vocabulary to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the model and score topics of the catalogue's models that the platform does not
     * create itself (a user's models), configured like the default ones (compacted, large messages
     * for updates).
     */
    private void ensureModelTopics(ModelCatalogue catalogue) {
        List<TopicSpec<?>> topics = new ArrayList<>();
        for (ModelCatalogue.Entry entry : catalogue.enabled()) {
            topics.add(Topics.models(entry.name()));
            topics.add(Topics.scores(entry.name()));
            topics.add(Topics.shadowScores(entry.name()));
            if (servedByRecommender(entry)) {
                // the recommender writes the training examples of its model
                topics.add(Topics.features(entry.encoder()));
            }
        }
        try (TopicAdmin admin = admin()) {
            List<String> created = admin.ensure(topics, platform.config().partitions());
            if (!created.isEmpty()) {
                LOG.info("created topics of catalogue models {}", created);
            }
        }
    }

    /**
     * Starts the {@code AnomalyDetector} Kafka Streams app on the platform (its state under the
     * data directory unless {@code anomalies.state-dir} is set): {@code scores.<model>} of the
     * models in {@code anomalies.models} to {@code anomalies}; its queries are served at {@code GET
     * /anomalies/{model}[/{series}]} on the platform's HTTP port.
     */
    public AnomalyDetectorApp startAnomalyDetector() {
        Map<String, String> all = JobSettings.detector(jobSettings(), catalogue(platform.config()));
        all.putIfAbsent(
                AnomalyDetectorConfig.STATE_DIR.key(),
                platform.config().dataDir().resolve("streams").toAbsolutePath().toString());
        AnomalyDetectorConfig config =
                AnomalyDetectorConfig.of(platform.bootstrapServers(), platform.registryUrl(), all);
        try (TopicAdmin admin = admin()) {
            List<TopicSpec<?>> inputs = new ArrayList<>();
            config.models().forEach(m -> inputs.add(Topics.scores(m)));
            admin.ensure(inputs, platform.config().partitions());
        }
        AnomalyDetectorApp app =
                AnomalyDetectorApp.start(config, platform.registryClient(), streams());
        platform.route(AnomalyQueries.PATH, new AnomalyQueries(app::series));
        return app;
    }

    /**
     * Starts the {@code Recommender} Kafka Streams app on the platform when the catalogue enables a
     * next-item model (its state under the data directory unless {@code recs.state-dir} is set):
     * {@code interactions} to {@code recommendations}, served with the model the trainer publishes;
     * its queries are answered at {@code GET /recommendations/{userId}} on the platform's HTTP
     * port.
     *
     * @return empty when the catalogue has no recommendation model
     */
    public Optional<RecommenderApp> startRecommender() {
        Map<String, String> all = new LinkedHashMap<>(jobSettings());
        all.putIfAbsent(
                RecommenderConfig.STATE_DIR.key(),
                platform.config().dataDir().resolve("streams").toAbsolutePath().toString());
        Optional<RecommenderConfig> config =
                recommenderConfig(
                        catalogue(platform.config()),
                        platform.bootstrapServers(),
                        platform.registryUrl(),
                        all);
        if (config.isEmpty()) {
            return Optional.empty();
        }
        ModelUpdateCodec.Config signing = ModelUpdateCodec.Config.from(all);
        RecommenderApp app =
                RecommenderApp.start(
                        config.get(),
                        platform.registryClient(),
                        new CodecVerifier(signing),
                        ModelLoader.onnxRuntime(JobSettings.onnx(all)),
                        streams());
        platform.route(RecommendationQueries.PATH, new RecommendationQueries(app::recommendations));
        return Optional.of(app);
    }

    /**
     * Starts the {@code ItemEmbedder} Kafka Streams app when the catalogue enables a next-item
     * model: every catalogue item embedded by the newest image model onto {@code items.embeddings},
     * re-embedded in the background as new versions arrive (at most every {@code
     * items.reembed.min-interval-ms}).
     *
     * @return empty when the catalogue has no recommendation model
     */
    public Optional<ItemEmbedderApp> startItemEmbedder() {
        if (recommendationModel(catalogue(platform.config())).isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> all = new LinkedHashMap<>();
        jobSettings()
                .forEach(
                        (k, v) -> {
                            if (!k.startsWith("recs.") && !k.startsWith("anomalies.")) {
                                all.put(k, v);
                            }
                        });
        all.putIfAbsent(
                ItemEmbedderConfig.STATE_DIR.key(),
                platform.config().dataDir().resolve("streams").toAbsolutePath().toString());
        ItemEmbedderConfig config =
                ItemEmbedderConfig.of(platform.bootstrapServers(), platform.registryUrl(), all);
        return Optional.of(ItemEmbedderApp.start(config, platform.registryClient(), streams()));
    }

    /**
     * Starts the {@code DashboardAggregates} Kafka Streams app (its state under the data directory
     * unless {@code dashboard.state-dir} is set): every {@code scores.<model>} and {@code dlq} to
     * windowed throughput, latency percentiles and dead letters on {@code dashboard.metrics}.
     */
    public DashboardAggregatesApp startDashboardAggregates() {
        Map<String, String> all = JobSettings.prefixed(jobSettings(), "dashboard.");
        all.putIfAbsent(
                DashboardAggregatesConfig.STATE_DIR.key(),
                platform.config().dataDir().resolve("streams").toAbsolutePath().toString());
        return DashboardAggregatesApp.start(
                DashboardAggregatesConfig.of(
                        platform.bootstrapServers(), platform.registryUrl(), all),
                platform.registryClient(),
                streams());
    }

    private KafkaClientSecurity streams() {
        return platform.kafkaSecurity(Principal.STREAMS);
    }

    /** The platform's topic admin, as the admin principal (topics are the platform's). */
    private TopicAdmin admin() {
        return new TopicAdmin(platform.bootstrapServers(), platform.kafkaSecurity(Principal.ADMIN));
    }

    /**
     * Submits the EncodeJob, with the scorers of {@code scoring.fused} inside it, and a ScoreJob
     * for every other model; returns their names.
     */
    public List<String> submitEncodeAndScore(JobRunner runner) {
        ModelCatalogue catalogue = catalogue(platform.config());
        ensureModelTopics(catalogue);
        List<String> names = new ArrayList<>();
        Map<String, String> all = jobSettings();
        EncodeJobConfig encodeConfig = EncodeJobConfig.of(encoderSettings());
        EncodeJob encode =
                EncodeJob.onKafka(
                        kafka("streamdl-encode", Principal.ENCODER),
                        encodeConfig.encoders(),
                        encodeConfig.metric());
        Set<String> fused = FusedModels.of(catalogue, all, encodeConfig.encoderNames());
        ModelUpdateCodec.Config signing = ModelUpdateCodec.Config.from(all);
        List<ScoreJob> inEncodeJob = new ArrayList<>();
        List<ScoreJob> separate = new ArrayList<>();
        for (ModelCatalogue.Entry entry : catalogue.enabled()) {
            if (servedByRecommender(entry)) {
                continue;
            }
            ScoreJobConfig config = scorerConfig(entry, platform.registryUrl(), all);
            // a fused scorer runs in the EncodeJob, under its principal
            KafkaSettings kafka =
                    kafka(
                            "streamdl-score-" + entry.name(),
                            fused.contains(entry.name()) ? Principal.ENCODER : Principal.SCORER);
            CodecVerifier verifier = new CodecVerifier(signing);
            ModelLoader loader = ModelLoader.onnxRuntime(JobSettings.onnx(all));
            if (fused.contains(entry.name())) {
                inEncodeJob.add(ScoreJob.fusedOnKafka(kafka, config, verifier, loader));
            } else {
                separate.add(ScoreJob.onKafka(kafka, config, verifier, loader));
            }
        }
        Duration interval = runner.scoringCheckpointInterval();
        if (inEncodeJob.isEmpty()) {
            runner.submit(encode, encodeConfig.parallelism(), interval);
            names.add(encode.name());
        } else {
            Map<String, List<String>> encoders = new LinkedHashMap<>();
            inEncodeJob.forEach(
                    j ->
                            encoders.computeIfAbsent(j.config().encoder(), e -> new ArrayList<>())
                                    .add(j.config().model()));
            FusedScoreJob job =
                    new FusedScoreJob(
                            encode.withWireFeaturesOnKafka(
                                    kafka("streamdl-encode", Principal.ENCODER), encoders),
                            inEncodeJob);
            runner.submit(job, encodeConfig.parallelism(), interval);
            names.add(job.name() + " (scoring " + String.join(", ", job.models()) + ")");
        }
        for (ScoreJob job : separate) {
            runner.submit(job, job.config().parallelism(), interval);
            names.add(job.name());
        }
        return names;
    }

    /**
     * Submits one TrainJob per model, signing with the same key the scorers verify with; returns
     * their names.
     */
    public List<String> submitTrainers(JobRunner runner) {
        Map<String, String> all = jobSettings();
        List<String> names = new ArrayList<>();
        ModelCatalogue catalogue = catalogue(platform.config());
        for (ModelCatalogue.Entry entry : catalogue.enabled()) {
            TrainJobConfig config = trainerConfig(catalogue, entry, platform.registryUrl(), all);
            TrainJob job =
                    TrainJob.onKafka(
                            kafka("streamdl-train-" + entry.name(), Principal.TRAINER),
                            config,
                            entry.spec());
            runner.submit(job, 1);
            names.add(job.name());
        }
        return names;
    }
}
