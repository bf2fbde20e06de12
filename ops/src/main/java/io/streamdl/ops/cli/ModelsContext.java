package io.streamdl.ops.cli;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.security.Principal;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.scoring.lifecycle.LifecyclePublisher;
import io.streamdl.scoring.lifecycle.ModelEvents;
import io.streamdl.scoring.lifecycle.ModelTopicReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every {@code ./pipeline models} command needs: the addresses, the catalogue (a command about
 * a model no scorer serves is refused), the signing key (as {@code up} defaults it) and who acts.
 */
final class ModelsContext {
    final String bootstrap;
    final String registry;
    final RegistryClientSettings registrySettings;
    final ModelCatalogue catalogue;
    final Map<String, String> settings;
    final KafkaClientSecurity security;

    private ModelsContext(
            String bootstrap,
            String registry,
            RegistryClientSettings registrySettings,
            ModelCatalogue catalogue,
            Map<String, String> settings,
            KafkaClientSecurity security) {
        this.security = security;
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.registrySettings = registrySettings;
        this.catalogue = catalogue;
        this.settings = settings;
    }

    static ModelsContext of(PipelineCli.Common common) {
        PlatformConfig config = common.platformConfig();
        Map<String, String> settings = new LinkedHashMap<>(common.settings(Map.of()));
        settings.putIfAbsent(PipelineJobs.HMAC_KEY, PipelineJobs.DEVELOPMENT_KEY);
        return new ModelsContext(
                PipelineCli.Common.bootstrap(config),
                PipelineCli.Common.registry(config),
                PipelineCli.Common.registrySettings(config),
                PipelineJobs.catalogue(config),
                settings,
                // promotions and rollbacks are the operator's: the platform's admin
                PipelineCli.Common.kafkaSecurity(config, Principal.ADMIN));
    }

    /**
     * Checks that {@code model} is one the pipeline scores.
     *
     * @throws IllegalArgumentException naming the known models if it is not
     */
    ModelCatalogue.Entry entry(String model) {
        for (ModelCatalogue.Entry e : catalogue.enabled()) {
            if (e.name().equals(model)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "unknown model '"
                        + model
                        + "': the pipeline serves "
                        + catalogue.enabled().stream().map(ModelCatalogue.Entry::name).toList()
                        + " ("
                        + catalogue.origin()
                        + ")");
    }

    ModelUpdateCodec codec() {
        return new ModelUpdateCodec(ModelUpdateCodec.Config.from(settings));
    }

    ModelTopicReader reader() {
        return new ModelTopicReader(bootstrap, registry, registrySettings, security);
    }

    LifecyclePublisher publisher() {
        return new LifecyclePublisher(
                bootstrap, registry, registrySettings, "pipeline-models", security);
    }

    /** Who runs the command: {@code cli:user@host}. */
    static String actor() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return "cli:" + System.getProperty("user.name", "unknown") + "@" + host;
    }

    ModelEvent event(String model, String kind, Long version, Long from, String reason) {
        return ModelEvents.of(
                model, kind, version, from, reason, Map.of(), actor(), System.currentTimeMillis());
    }
}
