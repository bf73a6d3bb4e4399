package io.stillpoint.server.pgwire;

import io.stillpoint.server.http.Metrics;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who may start a session: enforces the connection limit and the TLS requirement when a StartupMessage arrives
 * (not at accept: a CancelRequest must get through when the server is full, and a client that is refused is told
 * why in an ErrorResponse it can read). Shared by all connections; thread-safe.
 */
final class ConnectionAdmission {
    private final int maxConnections;
    private final boolean tlsRequired;
    private final Metrics metrics;
    private final AtomicInteger admitted = new AtomicInteger();

    ConnectionAdmission(int maxConnections, boolean tlsRequired, Metrics metrics) {
        this.maxConnections = maxConnections;
        this.tlsRequired = tlsRequired;
        this.metrics = metrics;
    }

    /**
     * Decides on a StartupMessage. Returns null and counts the session if admitted (the caller must then call
     * {@link #release()} exactly once when the connection closes); otherwise the refusal to send.
     */
    Inbound.Refused admit(boolean overTls, String user) {
        if (tlsRequired && !overTls) {
            return new Inbound.Refused("28000", "tls is required, connect with sslmode=require [user=" + user + "]");
        }
        while (true) {
            int n = admitted.get();
            if (n >= maxConnections) {
                metrics.connectionRefused();
                return new Inbound.Refused("53300", "too many connections [limit=" + maxConnections + "]");
            }
            if (admitted.compareAndSet(n, n + 1)) {
                metrics.connectionOpened();
                return null;
            }
        }
    }

    void release() {
        admitted.decrementAndGet();
        metrics.connectionClosed();
    }

    /** The {@code user} parameter of a StartupMessage body, or "" (only for the refusal message). */
    static String userOf(byte[] startupBody) {
        int i = 0;
        String name = null;
        while (i < startupBody.length) {
            int end = i;
            while (end < startupBody.length && startupBody[end] != 0) {
                end++;
            }
            String s = new String(startupBody, i, end - i, java.nio.charset.StandardCharsets.UTF_8);
            i = end + 1;
            if (name == null) {
                if (s.isEmpty()) {
                    break;
                }
                name = s;
            } else {
                if (name.equals("user")) {
                    return s;
                }
                name = null;
            }
        }
        return "";
    }
}
