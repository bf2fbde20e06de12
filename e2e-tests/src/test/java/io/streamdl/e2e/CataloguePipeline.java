package io.streamdl.e2e;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An embedded platform running the jobs of a catalogue file, started the way {@code ./pipeline up
 * --models FILE} starts them (PipelineJobs from the settings), with 500 ms checkpoints.
 *
 * @param runner what submitted the jobs (their ids)
 * @param jobNames the submitted Flink jobs, in submission order
 */
record CataloguePipeline(
        Platform platform, PipelineJobs jobs, JobRunner runner, List<String> jobNames)
        implements AutoCloseable {

    /** Writes {@code catalogueJson} under {@code dataDir}, starts the platform and every job. */
    static CataloguePipeline start(Path dataDir, String catalogueJson) throws IOException {
        return start(dataDir, catalogueJson, Map.of());
    }

    /** As {@link #start(Path, String)}, with {@code extra} settings. */
    static CataloguePipeline start(Path dataDir, String catalogueJson, Map<String, String> extra)
            throws IOException {
        Path catalogue = dataDir.resolve("catalogue.json");
        Files.writeString(catalogue, catalogueJson);
        Map<String, String> settings = new java.util.HashMap<>(extra);
        settings.put("models.catalogue", catalogue.toString());
        settings.putIfAbsent("flink.checkpoint.interval-ms", "500");
        PlatformConfig config = PlatformConfig.ephemeral(dataDir, 4, settings);
        Platform platform = Platform.start(config);
        JobRunner runner = new JobRunner(platform);
        PipelineJobs jobs = new PipelineJobs(platform);
        List<String> names = new ArrayList<>(jobs.submitEncodeAndScore(runner));
        names.addAll(jobs.submitTrainers(runner));
        return new CataloguePipeline(platform, jobs, runner, List.copyOf(names));
    }

    String bootstrap() {
        return platform.bootstrapServers();
    }

    String registryUrl() {
        return platform.registryUrl();
    }

    @Override
    public void close() {
        platform.close();
    }
}
