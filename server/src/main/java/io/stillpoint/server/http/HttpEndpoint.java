package io.stillpoint.server.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operations endpoint on its own port: {@code GET /health} answers 200 {@code ok} while the server serves,
 * 503 {@code stopping} once shutdown began (so a load balancer drains it first), and 503 with the reason (e.g.
 * {@code restoring}) while the server is not serving yet because a long start-up step runs; {@code GET /metrics} the
 * {@link Metrics} in the Prometheus text format; anything else 404, and a method other than GET or HEAD 405.
 *
 * <p>Uses the JDK's {@code com.sun.net.httpserver}: two read-only endpoints need no HTTP library. Runs on two
 * daemon threads of its own, so a scrape never competes with the wire server's event loops.
 */
public final class HttpEndpoint implements AutoCloseable {
    private final Metrics metrics;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile boolean stopping;
    /** Non-null: not serving yet, /health says this with 503. */
    private volatile String unavailable;

    private HttpEndpoint(Metrics metrics, HttpServer server, ExecutorService executor) {
        this.metrics = metrics;
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} (0: any free port) and starts serving; a bind failure is thrown as is. */
    public static HttpEndpoint start(String host, int port, Metrics metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "stillpoint-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpEndpoint endpoint = new HttpEndpoint(metrics, server, executor);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        return endpoint;
    }

    /** The address actually bound (tells the port when 0 was asked for). */
    public InetSocketAddress boundAddress() {
        return server.getAddress();
    }

    /**
     * Until {@link #serving()}, /health answers 503 with {@code reason}: for an endpoint started before the engine
     * opens, while a restore from a checkpoint runs.
     */
    public void unavailable(String reason) {
        unavailable = reason;
    }

    /** /health answers 200 again (unless stopping). */
    public void serving() {
        unavailable = null;
    }

    /** From now on /health answers 503: called when shutdown begins, before connections are closed. */
    public void stopping() {
        stopping = true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            boolean known = path.equals("/health") || path.equals("/metrics");
            if (!known) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found [path=" + path + "]\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed [method=" + method + "]\n");
            } else if (path.equals("/health")) {
                String notServing = stopping ? "stopping" : unavailable;
                reply(exchange, notServing != null ? 503 : 200, "text/plain; charset=utf-8",
                        notServing != null ? notServing + "\n" : "ok\n");
            } else {
                reply(exchange, 200, PrometheusText.CONTENT_TYPE, metrics.render());
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving (waits up to a second for exchanges in progress). Idempotent. */
    @Override
    public void close() {
        stopping = true;
        server.stop(1);
        executor.shutdownNow();
    }
}
