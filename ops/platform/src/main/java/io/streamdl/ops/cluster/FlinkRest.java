package io.streamdl.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The few calls of Flink's REST API that the cluster commands and the jobs' submission need: how
 * many TaskManagers and free slots the cluster has, and which jobs it runs. Every call answers
 * empty when the JobManager does not answer, so callers wait on it instead of failing.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param hostPort the JobManager's REST address, {@code host:port}
     */
    public FlinkRest(String hostPort) {
        this.base = URI.create("http://" + hostPort + "/");
    }

    /** TaskManagers registered, slots in all and slots free. */
    public record Overview(int taskManagers, int slots, int freeSlots, int runningJobs) {}

    public Optional<Overview> overview() {
        return get("overview")
                .map(
                        n ->
                                new Overview(
                                        n.path("taskmanagers").asInt(),
                                        n.path("slots-total").asInt(),
                                        n.path("slots-available").asInt(),
                                        n.path("jobs-running").asInt()));
    }

    /** Every job's name with its state (RUNNING, RESTARTING, FAILED, ...), newest last. */
    public Map<String, String> jobStates() {
        Map<String, String> out = new LinkedHashMap<>();
        get("jobs/overview")
                .ifPresent(
                        n -> {
                            var jobs = new java.util.ArrayList<JsonNode>();
                            n.path("jobs").forEach(jobs::add);
                            jobs.sort(
                                    java.util.Comparator.comparingLong(
                                            j -> j.path("start-time").asLong()));
                            jobs.forEach(
                                    j ->
                                            out.put(
                                                    j.path("name").asText(),
                                                    j.path("state").asText()));
                        });
        return out;
    }

    /** Name and id of every job that has not ended (it runs, restarts or waits for slots). */
    public Map<String, String> activeJobs() {
        Map<String, String> out = new LinkedHashMap<>();
        get("jobs/overview")
                .ifPresent(
                        n ->
                                n.path("jobs")
                                        .forEach(
                                                j -> {
                                                    String state = j.path("state").asText();
                                                    if (!TERMINAL.contains(state)) {
                                                        out.put(
                                                                j.path("name").asText(),
                                                                j.path("jid").asText());
                                                    }
                                                }));
        return out;
    }

    /** Slots in use on each registered TaskManager, by resource id. */
    public Map<String, Integer> slotsInUse() {
        Map<String, Integer> out = new LinkedHashMap<>();
        get("taskmanagers")
                .ifPresent(
                        n ->
                                n.path("taskmanagers")
                                        .forEach(
                                                tm ->
                                                        out.put(
                                                                tm.path("id").asText(),
                                                                tm.path("slotsNumber").asInt()
                                                                        - tm.path("freeSlots")
                                                                                .asInt())));
        return out;
    }

    /** Number of tasks of job {@code id} in state RUNNING, and of all its tasks. */
    public Optional<int[]> runningTasks(String id) {
        return get("jobs/" + id)
                .map(
                        n -> {
                            int running = 0;
                            int all = 0;
                            for (JsonNode v : n.path("vertices")) {
                                all += v.path("parallelism").asInt();
                                running += v.path("tasks").path("RUNNING").asInt();
                            }
                            return new int[] {running, all};
                        });
    }

    private static final java.util.Set<String> TERMINAL =
            java.util.Set.of("FINISHED", "CANCELED", "FAILED");

    private Optional<JsonNode> get(String path) {
        try {
            HttpResponse<String> reply =
                    http.send(
                            HttpRequest.newBuilder(base.resolve(path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(JSON.readTree(reply.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
