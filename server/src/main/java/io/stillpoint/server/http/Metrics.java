package io.stillpoint.server.http;

import io.stillpoint.storage.CheckpointStatus;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The server's counters, shown by {@code GET /metrics}. Updated on hot paths (every query, every commit), so
 * everything is a {@link LongAdder} or an atomic: no lock, no allocation per update (the per-class error map
 * allocates once per SQLSTATE class ever seen). Reading is a sum over cells, done only when scraped.
 */
public final class Metrics {
    /** Upper bounds (seconds) of the commit latency buckets: a commit is at least one fdatasync. */
    static final double[] COMMIT_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};

    private final AtomicInteger connections = new AtomicInteger();
    private final LongAdder connectionsTotal = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder queriesTotal = new LongAdder();
    private final LongAdder rowsWritten = new LongAdder();
    private final Map<String, LongAdder> errorsByClass = new ConcurrentHashMap<>();
    /** Per bucket (not cumulative; summed when written); the last cell counts commits above every bound. */
    private final LongAdder[] commitBuckets = new LongAdder[COMMIT_BUCKETS.length + 1];
    private final DoubleAdder commitSeconds = new DoubleAdder();
    private final LongAdder commitCount = new LongAdder();
    private volatile IntSupplier housekeepingBacklog;
    private volatile Path root;
    private volatile Supplier<CheckpointStatus> checkpointStatus;

    public Metrics() {
        for (int i = 0; i < commitBuckets.length; i++) {
            commitBuckets[i] = new LongAdder();
        }
    }

    /** Where the disk-free gauge and the housekeeping backlog come from; either may be null. */
    public void observe(Path root, IntSupplier housekeepingBacklog) {
        this.root = root;
        this.housekeepingBacklog = housekeepingBacklog;
    }

    /** Where the checkpoint gauges come from ({@code Checkpoints::status}); null: no checkpoint metrics. */
    public void observeCheckpoints(Supplier<CheckpointStatus> status) {
        this.checkpointStatus = status;
    }

    /** A client session was admitted (authentication may still fail). */
    public void connectionOpened() {
        connections.incrementAndGet();
        connectionsTotal.increment();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    /** A connection refused before authentication (connection limit). */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** Sessions admitted and not yet closed. */
    public int connections() {
        return connections.get();
    }

    /** A Query or Execute message. */
    public void query() {
        queriesTotal.increment();
    }

    /** An error sent to a client, counted by its SQLSTATE class (the first two characters). */
    public void error(String sqlState) {
        String cls = sqlState != null && sqlState.length() >= 2 ? sqlState.substring(0, 2) : "XX";
        errorsByClass.computeIfAbsent(cls, k -> new LongAdder()).increment();
    }

    /** A successful commit of {@code rows} rows that took {@code nanos}. */
    public void commit(long rows, long nanos) {
        rowsWritten.add(rows);
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < COMMIT_BUCKETS.length && seconds > COMMIT_BUCKETS[i]) {
            i++;
        }
        commitBuckets[i].increment();
        commitSeconds.add(seconds);
        commitCount.increment();
    }

    /** The exposition text (Prometheus 0.0.4). */
    public String render() {
        PrometheusText t = new PrometheusText();
        t.family("stillpoint_connections", "gauge", "Client sessions open now.")
                .sample("stillpoint_connections", connections.get());
        t.family("stillpoint_connections_total", "counter", "Client sessions admitted since start.")
                .sample("stillpoint_connections_total", connectionsTotal.sum());
        t.family("stillpoint_connections_refused_total", "counter",
                        "Connections refused because of the connection limit.")
                .sample("stillpoint_connections_refused_total", connectionsRefused.sum());
        t.family("stillpoint_queries_total", "counter", "Query and Execute messages received.")
                .sample("stillpoint_queries_total", queriesTotal.sum());
        t.family("stillpoint_errors_total", "counter", "Errors sent to clients, by SQLSTATE class.");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(errorsByClass).entrySet()) {
            t.sample("stillpoint_errors_total", "class", e.getKey(), e.getValue().sum());
        }
        t.family("stillpoint_rows_written_total", "counter", "Rows committed by INSERT.")
                .sample("stillpoint_rows_written_total", rowsWritten.sum());
        t.family("stillpoint_commit_duration_seconds", "histogram", "Duration of storage commits that wrote rows.");
        long cumulative = 0;
        for (int i = 0; i < COMMIT_BUCKETS.length; i++) {
            cumulative += commitBuckets[i].sum();
            t.sample("stillpoint_commit_duration_seconds_bucket", "le", PrometheusText.number(COMMIT_BUCKETS[i]),
                    cumulative);
        }
        cumulative += commitBuckets[COMMIT_BUCKETS.length].sum();
        // +Inf equals _count only at rest; both are read without a lock, so take the larger as the total.
        long count = Math.max(cumulative, commitCount.sum());
        t.sample("stillpoint_commit_duration_seconds_bucket", "le", "+Inf", count);
        t.sample("stillpoint_commit_duration_seconds_sum", commitSeconds.sum());
        t.sample("stillpoint_commit_duration_seconds_count", count);
        IntSupplier backlog = housekeepingBacklog;
        if (backlog != null) {
            t.family("stillpoint_housekeeping_pending", "gauge", "Deletions queued in housekeeping.")
                    .sample("stillpoint_housekeeping_pending", backlog.getAsInt());
        }
        renderCheckpoint(t);
        Path r = root;
        if (r != null) {
            t.family("stillpoint_disk_free_bytes", "gauge", "Usable bytes on the file system of the data root.")
                    .sample("stillpoint_disk_free_bytes", new File(r.toString()).getUsableSpace());
        }
        return t.toString();
    }

    /** The checkpoint gauges; a status that cannot be read leaves them out rather than failing the scrape. */
    private void renderCheckpoint(PrometheusText t) {
        Supplier<CheckpointStatus> source = checkpointStatus;
        if (source == null) {
            return;
        }
        CheckpointStatus s;
        try {
            s = source.get();
        } catch (RuntimeException e) {
            return;
        }
        t.family("stillpoint_checkpoint_active", "gauge", "1 while a checkpoint (CHECKPOINT CREATE) is active, else 0.")
                .sample("stillpoint_checkpoint_active", s.inProgress() ? 1 : 0);
        t.family("stillpoint_checkpoint_started_seconds", "gauge",
                        "Unix time the active checkpoint was created; 0 when none is active.")
                .sample("stillpoint_checkpoint_started_seconds", seconds(s.startedAt()));
        t.family("stillpoint_checkpoint_expires_seconds", "gauge",
                        "Unix time the active checkpoint's lease ends; 0 when none is active.")
                .sample("stillpoint_checkpoint_expires_seconds", seconds(s.expiresAt()));
        t.family("stillpoint_checkpoint_tables", "gauge", "Tables in the active checkpoint.")
                .sample("stillpoint_checkpoint_tables", s.tables());
        t.family("stillpoint_checkpoint_pinned_bytes", "gauge",
                        "Bytes on disk that only the active checkpoint keeps from the purge.")
                .sample("stillpoint_checkpoint_pinned_bytes", s.pinnedBytes());
        if (s.lastReleaseReason() != null) {
            t.family("stillpoint_checkpoint_last_release_seconds", "gauge",
                            "Unix time the last checkpoint ended, by how it ended (released, lease expired, disk guard).")
                    .sample("stillpoint_checkpoint_last_release_seconds", "reason", s.lastReleaseReason(),
                            seconds(s.lastReleasedAt()));
        }
    }

    private static double seconds(Long micros) {
        return micros == null ? 0 : micros / 1e6;
    }
}
