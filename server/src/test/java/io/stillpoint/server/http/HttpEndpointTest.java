package io.stillpoint.server.http;

import io.stillpoint.storage.CheckpointStatus;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint in-process: status codes, /health turning 503 when shutdown begins, and the metrics' text. */
class HttpEndpointTest {

    private static HttpResponse<String> send(HttpEndpoint e, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + e.boundAddress().getPort() + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsOkUntilStoppingThen503() throws Exception {
        try (HttpEndpoint e = HttpEndpoint.start("127.0.0.1", 0, new Metrics())) {
            HttpResponse<String> ok = send(e, "GET", "/health");
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            assertEquals(404, send(e, "GET", "/nope").statusCode());
            assertEquals(405, send(e, "POST", "/metrics").statusCode());
            e.stopping();
            HttpResponse<String> stopping = send(e, "GET", "/health");
            assertEquals(503, stopping.statusCode());
            assertEquals("stopping\n", stopping.body());
        }
    }

    @Test
    void metricsCountAndTheHistogramIsCumulative() throws Exception {
        Metrics m = new Metrics();
        m.connectionOpened();
        m.connectionOpened();
        m.connectionClosed();
        m.query();
        m.error("42P01");
        m.error("42703");
        m.error("57014");
        m.commit(10, 300_000);        // 0.3 ms
        m.commit(5, 3_000_000);       // 3 ms
        m.commit(1, 60_000_000_000L); // 60 s: only +Inf
        try (HttpEndpoint e = HttpEndpoint.start("127.0.0.1", 0, m)) {
            HttpResponse<String> r = send(e, "GET", "/metrics");
            assertEquals(200, r.statusCode());
            assertEquals(PrometheusText.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
            List<String> lines = r.body().lines().toList();
            assertTrue(lines.contains("stillpoint_connections 1"), r.body());
            assertTrue(lines.contains("stillpoint_connections_total 2"), r.body());
            assertTrue(lines.contains("stillpoint_queries_total 1"), r.body());
            assertTrue(lines.contains("stillpoint_errors_total{class=\"42\"} 2"), r.body());
            assertTrue(lines.contains("stillpoint_errors_total{class=\"57\"} 1"), r.body());
            assertTrue(lines.contains("stillpoint_rows_written_total 16"), r.body());
            assertTrue(lines.contains("stillpoint_commit_duration_seconds_bucket{le=\"0.0005\"} 1"), r.body());
            assertTrue(lines.contains("stillpoint_commit_duration_seconds_bucket{le=\"0.005\"} 2"), r.body());
            assertTrue(lines.contains("stillpoint_commit_duration_seconds_bucket{le=\"10\"} 2"), r.body());
            assertTrue(lines.contains("stillpoint_commit_duration_seconds_bucket{le=\"+Inf\"} 3"), r.body());
            assertTrue(lines.contains("stillpoint_commit_duration_seconds_count 3"), r.body());
            assertTrue(lines.contains("# TYPE stillpoint_commit_duration_seconds histogram"), r.body());
        }
    }

    @Test
    void numbersAreWrittenAsPrometheusReadsThem() {
        assertEquals("0", PrometheusText.number(0));
        assertEquals("42", PrometheusText.number(42));
        assertEquals("0.0005", PrometheusText.number(0.0005));
        assertEquals("2.5", PrometheusText.number(2.5));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
        assertEquals("NaN", PrometheusText.number(Double.NaN));
    }

    @Test
    void healthIs503WithTheReasonUntilServing() throws Exception {
        try (HttpEndpoint e = HttpEndpoint.start("127.0.0.1", 0, new Metrics())) {
            e.unavailable("restoring");
            HttpResponse<String> restoring = send(e, "GET", "/health");
            assertEquals(503, restoring.statusCode());
            assertEquals("restoring\n", restoring.body());
            assertEquals(200, send(e, "GET", "/metrics").statusCode(), "metrics are served while restoring");
            e.serving();
            assertEquals(200, send(e, "GET", "/health").statusCode());
            e.unavailable("restoring");
            e.stopping();
            assertEquals("stopping\n", send(e, "GET", "/health").body());
        }
    }

    @Test
    void checkpointGaugesFollowTheStatus() {
        Metrics m = new Metrics();
        assertFalse(m.render().contains("stillpoint_checkpoint_active"), "no gauges before observeCheckpoints");
        AtomicReference<CheckpointStatus> status = new AtomicReference<>(
                new CheckpointStatus(false, null, null, 0, 0, null, null));
        m.observeCheckpoints(status::get);
        List<String> idle = m.render().lines().toList();
        assertTrue(idle.contains("stillpoint_checkpoint_active 0"), idle.toString());
        assertTrue(idle.contains("stillpoint_checkpoint_started_seconds 0"), idle.toString());
        assertTrue(idle.contains("stillpoint_checkpoint_pinned_bytes 0"), idle.toString());
        assertTrue(idle.contains("# TYPE stillpoint_checkpoint_active gauge"), idle.toString());
        assertFalse(idle.stream().anyMatch(l -> l.startsWith("stillpoint_checkpoint_last_release_seconds")));

        status.set(new CheckpointStatus(true, 1_700_000_000_500_000L, 1_700_086_400_500_000L, 3, 4096, null, null));
        List<String> active = m.render().lines().toList();
        assertTrue(active.contains("stillpoint_checkpoint_active 1"), active.toString());
        assertTrue(active.contains("stillpoint_checkpoint_started_seconds 1700000000.5"), active.toString());
        assertTrue(active.contains("stillpoint_checkpoint_expires_seconds 1700086400.5"), active.toString());
        assertTrue(active.contains("stillpoint_checkpoint_tables 3"), active.toString());
        assertTrue(active.contains("stillpoint_checkpoint_pinned_bytes 4096"), active.toString());

        status.set(new CheckpointStatus(false, null, null, 0, 0, CheckpointStatus.LEASE_EXPIRED,
                1_700_086_401_000_000L));
        List<String> expired = m.render().lines().toList();
        assertTrue(expired.contains("stillpoint_checkpoint_active 0"), expired.toString());
        assertTrue(expired.contains("stillpoint_checkpoint_last_release_seconds{reason=\"lease expired\"} 1700086401"),
                expired.toString());

        // A status that cannot be read leaves the gauges out; the scrape still works.
        m.observeCheckpoints(() -> {
            throw new IllegalStateException("engine closed");
        });
        String text = m.render();
        assertFalse(text.contains("stillpoint_checkpoint_active"), text);
        assertTrue(text.contains("stillpoint_connections 0"), text);
    }
}
