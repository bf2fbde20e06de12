package io.streamdl.ops.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.streamdl.ingest.HttpServing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The live page and the metrics, on one port ({@code web.port}, 8080):
 *
 * <ul>
 *   <li>{@code GET /}: the page (HTML, script and style from this jar; its charts are uPlot's, from
 *       the uPlot WebJar, also in the jar: nothing is fetched from elsewhere);
 *   <li>{@code GET /events}: Server-Sent Events from {@link DashboardFeed};
 *   <li>{@code GET /api/tables}: the tables as JSON, for scripts;
 *   <li>{@code GET /metrics}: {@link PipelineMetrics} in the Prometheus text format;
 *   <li>whatever else is {@link #route}d, e.g. {@code /recommendations/{userId}}.
 * </ul>
 */
public final class WebDashboard implements AutoCloseable {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String> ASSETS =
            Map.of(
                    "/", "web/index.html",
                    "/assets/app.js", "web/app.js",
                    "/assets/style.css", "web/style.css",
                    "/assets/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js",
                    "/assets/uPlot.min.css", UPLOT + "uPlot.min.css");
    private static final int MAX_PAGES = 32;

    private final HttpServer http;
    private final HttpServing serving;
    private final ExecutorService executor;
    private final DashboardFeed feed;
    private final PipelineMetrics metrics;

    private WebDashboard(
            HttpServer http,
            HttpServing serving,
            ExecutorService executor,
            DashboardFeed feed,
            PipelineMetrics metrics) {
        this.http = http;
        this.serving = serving;
        this.executor = executor;
        this.feed = feed;
        this.metrics = metrics;
    }

    /** Listens on {@code host:port} (a port claimed beforehand) and serves until closed. */
    public static WebDashboard start(
            String host, int port, DashboardFeed feed, PipelineMetrics metrics) throws IOException {
        return start(host, port, feed, metrics, HttpServing.PLAIN);
    }

    /**
     * As {@link #start(String, int, DashboardFeed, PipelineMetrics)}, served as {@code serving}.
     */
    public static WebDashboard start(
            String host, int port, DashboardFeed feed, PipelineMetrics metrics, HttpServing serving)
            throws IOException {
        HttpServer http = serving.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "web-dashboard");
                            t.setDaemon(true);
                            return t;
                        });
        WebDashboard web = new WebDashboard(http, serving, executor, feed, metrics);
        serving.protect(http.createContext("/", web::asset));
        serving.protect(http.createContext("/events", web::events));
        serving.protect(http.createContext("/api/tables", web::tables));
        serving.protect(http.createContext("/metrics", web::metrics));
        http.setExecutor(executor);
        http.start();
        return web;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return serving.scheme() + "://" + http.getAddress().getHostString() + ":" + port() + "/";
    }

    /** Serves {@code path} and below with {@code handler} as well. */
    public void route(String path, HttpHandler handler) {
        serving.protect(http.createContext(path, handler));
    }

    private void asset(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String resource = ASSETS.get(path.equals("/index.html") ? "/" : path);
        if (!exchange.getRequestMethod().equals("GET") || resource == null) {
            text(exchange, 404, "text/plain", "not found: " + path + "\n");
            return;
        }
        try (InputStream in = WebDashboard.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                text(exchange, 500, "text/plain", "missing from the jar: " + resource + "\n");
                return;
            }
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", contentType(resource));
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (resource.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return "text/css; charset=utf-8";
    }

    private void events(HttpExchange exchange) throws IOException {
        if (feed.pages() >= MAX_PAGES) {
            text(exchange, 503, "text/plain", "too many open pages (" + MAX_PAGES + ")\n");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        DashboardFeed.Subscriber page = feed.subscribe();
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!page.overflowed()) {
                String frame = page.next(15, TimeUnit.SECONDS);
                out.write((frame == null ? ": idle\n\n" : frame).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the page went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            feed.unsubscribe(page);
        }
    }

    private void tables(HttpExchange exchange) throws IOException {
        text(exchange, 200, "application/json", feed.state().tables().toString());
    }

    private void metrics(HttpExchange exchange) throws IOException {
        text(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    private static void text(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
