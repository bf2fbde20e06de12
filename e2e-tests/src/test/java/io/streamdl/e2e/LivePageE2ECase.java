package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.ops.web.LivePage;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in a real browser (Debian's headless Chromium driven by Selenium through Debian's
 * chromedriver; nothing downloaded), while a small stream runs through the real pipeline (broker,
 * registry, Flink MiniCluster with the EncodeJob, a ScoreJob and a TrainJob publishing a version
 * every 48 labelled examples, the DashboardAggregates app): the throughput chart gains points, the
 * serving version on the page changes after a model swap, and a dead letter sent during the test
 * appears with its reason. A screenshot is kept at {@code target/screenshots/live-page.png}.
 *
 * <p>Then {@code GET /metrics} of the same page, parsed by the text-format rules ({@link
 * PrometheusExposition}), must have samples of every family the issue names, and every metric that
 * the Grafana dashboard ({@code ops/grafana/dashboards/streamdl.json}) queries.
 */
class LivePageE2ECase {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Map<Integer, String> SHOES = Map.of(5, "sandal", 7, "sneaker", 9, "boot");

    @TempDir Path dataDir;

    @Test
    void thePageFollowsTheStreamASwapAndADeadLetterAndMetricsAreExported() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (apt-get install chromium"
                        + " chromium-driver); .ci/run installs them");
        try (CataloguePipeline pipeline =
                        CataloguePipeline.start(
                                dataDir,
                                """
                                {"models": [{
                                  "name": "shoes", "encoder": "image", "family": "cnn",
                                  "labels": ["sandal", "sneaker", "boot"],
                                  "params": {"conv1Channels": 4, "conv2Channels": 8, "kernelSize": 3,
                                             "denseUnits": 16, "batchNorm": false, "dropout": 0.0},
                                  "trainer": {"trainer.publish.every-examples": "48",
                                              "trainer.publish.every-seconds": "600"}
                                }]}
                                """,
                                // a shorter wait for late joins than the default 10 s, for a short
                                // test
                                Map.of("web.port", "0", "dashboard.accuracy-grace-ms", "2000"));
                DashboardAggregatesApp dashboard = pipeline.jobs().startDashboardAggregates();
                LivePage page =
                        LivePage.startFor(pipeline.platform(), dashboard, null, null, null)) {
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread stream = stream(pipeline, sending, sent);
            WebDriver browser = browser();
            try {
                browser.get(page.url());
                // the tables are rebuilt as the page is told of changes: an element read while that
                // happens is stale, and read again
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(180));
                wait.ignoring(StaleElementReferenceException.class);
                int first = wait.until(b -> points(b) >= 3 ? points(b) : null);
                int later = wait.until(b -> points(b) > first + 2 ? points(b) : null);
                System.out.printf(
                        "LivePageE2ECase: throughput chart %d -> %d points (%d events sent)%n",
                        first, later, sent.get());

                By serving = By.cssSelector("#models tr[data-model='shoes'] td.serving");
                String before = wait.until(b -> version(b, serving));
                long beforeAt = System.nanoTime();
                String after =
                        wait.until(
                                b -> {
                                    String now = version(b, serving);
                                    return now != null && !now.equals(before) ? now : null;
                                });
                System.out.printf(
                        "LivePageE2ECase: serving version on the page %s -> %s after %.1f s%n",
                        before, after, (System.nanoTime() - beforeAt) / 1e9);
                assertThat(Long.parseLong(after.substring(1)))
                        .isGreaterThan(Long.parseLong(before.substring(1)));

                String reason = sendCorruptImage(pipeline);
                List<String> row =
                        wait.until(
                                b ->
                                        b
                                                .findElements(
                                                        By.cssSelector(
                                                                "#dead-letters tr[data-reason='"
                                                                        + reason
                                                                        + "']"))
                                                .stream()
                                                .findFirst()
                                                .map(
                                                        r ->
                                                                r
                                                                        .findElements(
                                                                                By.tagName("td"))
                                                                        .stream()
                                                                        .map(WebElement::getText)
                                                                        .toList())
                                                .orElse(null));
                assertThat(row).containsExactly("encode.image", reason, "1");
                // and among the latest examples, with its message
                wait.until(
                        b -> {
                            String text = b.findElement(By.id("dead-letter-examples")).getText();
                            return text.contains(reason) && text.contains("corrupt-1")
                                    ? text
                                    : null;
                        });
                System.out.println("LivePageE2ECase: dead letter on the page: " + row);
                wait.until(b -> points(b) > later); // the chart still moves after all that
                // served accuracy: the scores joined with their labels, on the page
                String accuracy =
                        wait.until(
                                b ->
                                        b
                                                .findElements(
                                                        By.cssSelector(
                                                                "#models tr[data-model='shoes']"
                                                                        + " td:nth-child(8)"))
                                                .stream()
                                                .map(WebElement::getText)
                                                .filter(t -> t.matches("[01]\\.[0-9]{3}"))
                                                .findFirst()
                                                .orElse(null));
                System.out.println("LivePageE2ECase: served accuracy on the page " + accuracy);

                Files.createDirectories(SCREENSHOTS);
                Path shot = SCREENSHOTS.resolve("live-page.png");
                Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                System.out.println("LivePageE2ECase: screenshot " + shot.toAbsolutePath());
            } finally {
                browser.quit();
                sending.set(false);
                stream.join(10_000);
            }
            checkMetrics(page);
        }
    }

    /** Labelled shoe images at about 40 per second until {@code sending} is cleared. */
    private static Thread stream(
            CataloguePipeline pipeline, AtomicBoolean sending, AtomicInteger sent) {
        FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
        Thread t =
                new Thread(
                        () -> {
                            try (EventSender sender =
                                    new EventSender(
                                            pipeline.bootstrap(),
                                            pipeline.registryUrl(),
                                            Duration.ofMillis(100))) {
                                for (int i = 0; sending.get(); i = (i + 1) % images.size()) {
                                    String label = SHOES.get(images.label(i));
                                    if (label == null) {
                                        continue;
                                    }
                                    sender.send(
                                            Events.image(
                                                    "shoe-" + sent.incrementAndGet(),
                                                    System.currentTimeMillis(),
                                                    "e2e",
                                                    "image/png",
                                                    ImageCodecs.png(images.image(i), 28, 28),
                                                    28,
                                                    28,
                                                    Map.of()),
                                            label);
                                    Thread.sleep(25);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "live-page-stream");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Sends an image event whose bytes are no image; returns the reason it is dead-lettered with.
     */
    private static String sendCorruptImage(CataloguePipeline pipeline) throws Exception {
        try (EventSender sender =
                new EventSender(pipeline.bootstrap(), pipeline.registryUrl(), Duration.ZERO)) {
            sender.send(
                    Events.image(
                            "corrupt-1",
                            System.currentTimeMillis(),
                            "e2e",
                            "image/png",
                            "these bytes are not a PNG".getBytes(StandardCharsets.UTF_8),
                            28,
                            28,
                            Map.of()));
        }
        List<ConsumerRecord<byte[], byte[]>> letters =
                TestingKafka.readCommitted(
                        pipeline.bootstrap(),
                        "dlq",
                        r -> !r.isEmpty(),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(1));
        try (RestSchemaRegistryClient registry =
                new RestSchemaRegistryClient(pipeline.registryUrl())) {
            DeadLetter d =
                    AvroWireDeserializer.specific(registry, DeadLetter.class)
                            .deserialize("dlq", letters.get(0).value());
            assertThat(d.getSourceTopic()).isEqualTo("events.raw");
            return d.getError();
        }
    }

    private static void checkMetrics(LivePage page) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(page.url() + "metrics")).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        PrometheusExposition metrics = PrometheusExposition.parse(r.body());
        Set<String> families = metrics.families.keySet();
        System.out.printf(
                "LivePageE2ECase: /metrics has %d families, %d bytes%n",
                families.size(), r.body().length());
        List<String> required =
                List.of(
                        // the pipeline's own
                        "streamdl_model_version_serving",
                        "streamdl_model_version_published",
                        "streamdl_scores_total",
                        "streamdl_score_latency_ms",
                        "streamdl_served_accuracy",
                        "streamdl_prequential_accuracy",
                        "streamdl_dead_letters_total",
                        "streamdl_consumer_lag",
                        "streamdl_topic_end_offset",
                        "streamdl_jvm_memory_used_bytes",
                        "streamdl_dashboard_undecodable_records_total",
                        // a Streams app's: records processed
                        "kafka_stream_thread_process_total",
                        // the embedded broker's
                        "kafka_server_BrokerTopicMetrics_MessagesInPerSec_total",
                        // Flink's reporter: records in/out, the ScoreJob's own
                        "flink_taskmanager_job_task_operator_numRecordsIn",
                        "flink_taskmanager_job_task_operator_numRecordsOut",
                        "flink_taskmanager_job_task_operator_scored",
                        "flink_taskmanager_job_task_operator_modelSwaps",
                        "flink_taskmanager_job_task_operator_modelVersion",
                        "flink_taskmanager_job_task_operator_batchSize",
                        "flink_taskmanager_job_task_operator_eventToScoreMs");
        assertThat(families).containsAll(required);
        assertThat(metrics.types.get("flink_taskmanager_job_task_operator_batchSize"))
                .isEqualTo("summary");
        assertThat(value(metrics, "streamdl_dead_letters_total")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "streamdl_scores_total")).isGreaterThan(0);
        assertThat(value(metrics, "flink_taskmanager_job_task_operator_modelSwaps"))
                .isGreaterThanOrEqualTo(2);

        Set<String> queried = grafanaMetricNames();
        System.out.println("LivePageE2ECase: Grafana queries " + queried);
        assertThat(queried).hasSizeGreaterThan(10);
        Set<String> declared = new TreeSet<>(families);
        declared.addAll(metrics.types.keySet()); // declared with no sample yet (no recommender)
        assertThat(declared).as("every metric the Grafana dashboard queries").containsAll(queried);
    }

    private static double value(PrometheusExposition metrics, String family) {
        return metrics.families.get(family).stream()
                .mapToDouble(PrometheusExposition.Sample::value)
                .sum();
    }

    /** Every metric name in the expressions of ops/grafana/dashboards/streamdl.json. */
    static Set<String> grafanaMetricNames() throws Exception {
        Path file = Path.of("..", "ops", "grafana", "dashboards", "streamdl.json");
        JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
        Pattern name = Pattern.compile("\\b(?:streamdl|flink|kafka)_[a-zA-Z0-9_:]+");
        Set<String> out = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = name.matcher(target.path("expr").asText());
                while (m.find()) {
                    out.add(m.group());
                }
            }
        }
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            Matcher m = name.matcher(a.path("expr").asText());
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,2200");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, options);
    }

    private static int points(WebDriver b) {
        String p = b.findElement(By.id("throughput")).getDomAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    private static String version(WebDriver b, By cell) {
        return b.findElements(cell).stream()
                .map(WebElement::getText)
                .filter(t -> t.startsWith("v"))
                .findFirst()
                .orElse(null);
    }
}
