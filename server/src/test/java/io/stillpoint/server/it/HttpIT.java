package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTTP endpoint of a real server, fetched with java.net.http while a load runs: /health, /metrics parsed
 * line by line as Prometheus text format 0.0.4, and 404 for anything else.
 */
class HttpIT {

    @TempDir
    Path tmp;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)");

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndMetricsWhileALoadRuns() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            assertTrue(server.httpPort() > 0, server.log());
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (ts TIMESTAMP, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
            }
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Long> load = CompletableFuture.supplyAsync(() -> {
                long inserted = 0;
                try (Connection c = server.connect(); Statement s = c.createStatement()) {
                    for (int batch = 0; !stop.get() || batch < 20; batch++) {
                        StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
                        for (int i = 0; i < 100; i++) {
                            sql.append(i == 0 ? "" : ",").append("('2026-11-01T00:00:00', ").append(i).append(')');
                        }
                        s.execute(sql.toString());
                        inserted += 100;
                        s.executeQuery("SELECT count(*) FROM t").close();
                    }
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
                return inserted;
            });
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                assertEquals("42P01", assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT * FROM no_such_table")).getSQLState());
                for (int i = 0; i < 10; i++) {
                    HttpResponse<String> health = get(server.httpUri("/health"));
                    assertEquals(200, health.statusCode());
                    assertEquals("ok", health.body().trim());
                    HttpResponse<String> metrics = get(server.httpUri("/metrics"));
                    assertEquals(200, metrics.statusCode());
                    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                            metrics.headers().toString());
                    Map<String, Double> samples = parsePrometheus(metrics.body());
                    assertTrue(samples.get("stillpoint_connections") >= 1, metrics.body());
                    Thread.sleep(50);
                }
            }
            stop.set(true);
            long inserted = load.get(60, TimeUnit.SECONDS);

            String text = get(server.httpUri("/metrics")).body();
            Map<String, Double> samples = parsePrometheus(text);
            assertEquals((double) inserted, samples.get("stillpoint_rows_written_total"), text);
            assertTrue(samples.get("stillpoint_errors_total{class=\"42\"}") >= 1, text);
            assertTrue(samples.get("stillpoint_connections_total") >= 3, text);
            assertTrue(samples.get("stillpoint_queries_total") >= 2.0 * inserted / 100, text);
            assertTrue(samples.get("stillpoint_commit_duration_seconds_count") >= inserted / 100.0, text);
            assertTrue(samples.get("stillpoint_commit_duration_seconds_sum") > 0, text);
            assertTrue(samples.get("stillpoint_disk_free_bytes") > 0, text);
            assertTrue(samples.containsKey("stillpoint_housekeeping_pending"), text);

            assertEquals(404, get(server.httpUri("/")).statusCode());
            assertEquals(404, get(server.httpUri("/metricsx")).statusCode());
        }
    }

    /**
     * Parses Prometheus text format 0.0.4 strictly enough to catch format mistakes: every sample belongs to a
     * family declared by a TYPE line (histograms: _bucket, _sum, _count), every value parses as a double, and a
     * histogram's buckets are cumulative, in increasing {@code le} order, end with {@code +Inf}, and that bucket
     * equals {@code _count}. Returns each sample by {@code name{labels}}.
     */
    static Map<String, Double> parsePrometheus(String text) {
        assertTrue(text.endsWith("\n"), "exposition must end with a newline");
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, List<double[]>> buckets = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                helped.add(line.split(" ")[2]);
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertEquals(4, parts.length, line);
                assertTrue(Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[3]), line);
                assertTrue(types.put(parts[2], parts[3]) == null, "TYPE twice: " + line);
                assertTrue(helped.contains(parts[2]), "HELP should precede TYPE: " + line);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            String name = m.group(1);
            String family = name;
            String type = types.get(name);
            if (type == null) {
                for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
                    if (name.endsWith(suffix)) {
                        family = name.substring(0, name.length() - suffix.length());
                        type = types.get(family);
                        assertEquals("histogram", type, "suffix " + suffix + " outside a histogram: " + line);
                    }
                }
            }
            assertTrue(type != null, "sample without a TYPE line: " + line);
            double value = parseValue(m.group(4), line);
            if (type.equals("counter")) {
                assertTrue(value >= 0, "negative counter: " + line);
            }
            samples.put(name + (m.group(2) == null ? "" : m.group(2)), value);
            if (name.endsWith("_bucket")) {
                Matcher le = Pattern.compile("le=\"([^\"]+)\"").matcher(m.group(3));
                assertTrue(le.find(), "bucket without le: " + line);
                buckets.computeIfAbsent(family, k -> new ArrayList<>())
                        .add(new double[] {parseValue(le.group(1), line), value});
            }
        }
        for (Map.Entry<String, List<double[]>> h : buckets.entrySet()) {
            List<double[]> b = h.getValue();
            for (int i = 1; i < b.size(); i++) {
                assertTrue(b.get(i)[0] > b.get(i - 1)[0], "le not increasing in " + h.getKey());
                assertTrue(b.get(i)[1] >= b.get(i - 1)[1], "buckets not cumulative in " + h.getKey());
            }
            double[] last = b.get(b.size() - 1);
            assertEquals(Double.POSITIVE_INFINITY, last[0], "last bucket must be +Inf in " + h.getKey());
            assertEquals(samples.get(h.getKey() + "_count"), last[1], "+Inf bucket != _count in " + h.getKey());
            assertTrue(samples.containsKey(h.getKey() + "_sum"), "no _sum in " + h.getKey());
        }
        return samples;
    }

    private static double parseValue(String v, String line) {
        switch (v) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    fail("value does not parse as a double: " + line);
                    return 0;
                }
        }
    }
}
