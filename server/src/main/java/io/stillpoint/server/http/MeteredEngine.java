package io.stillpoint.server.http;

import io.stillpoint.server.exec.HousekeepingReporter;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.ForwardingEngine;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.housekeeping.Housekeeping;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Engine} that reports every successful commit (rows written, latency) to {@link Metrics} and otherwise
 * forwards (checkpoints write no rows; the gauges read the inner coordinator's status). Wrapping the engine,
 * rather than instrumenting the executor, keeps the measurement at the storage boundary: it times exactly the
 * durable part of a commit, whatever statement (INSERT, COPY, a rewrite) buffered the rows.
 */
public final class MeteredEngine extends ForwardingEngine implements HousekeepingReporter {
    private final Metrics metrics;

    public MeteredEngine(Engine inner, Metrics metrics) {
        super(inner);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public WriteTransaction beginWrite() {
        return new Metered(delegate().beginWrite());
    }

    /** The inner engine's housekeeping jobs, for {@code housekeeping_status()}; empty if it has none. */
    @Override
    public List<Housekeeping.JobStatus> housekeepingStatus() {
        List<Housekeeping.JobStatus> jobs = HousekeepingReporter.statusOf(delegate());
        return jobs == null ? List.of() : jobs;
    }

    private final class Metered implements WriteTransaction {
        private final WriteTransaction w;

        Metered(WriteTransaction w) {
            this.w = w;
        }

        @Override
        public void insert(String table, Object[] values) {
            w.insert(table, values);
        }

        @Override
        public long rewrite(String table, io.stillpoint.storage.PartitionRewriter rewriter) {
            long start = System.nanoTime();
            long txn = w.rewrite(table, rewriter);
            if (txn >= 0) {
                metrics.commit(0, System.nanoTime() - start);
            }
            return txn;
        }

        @Override
        public long pendingRows() {
            return w.pendingRows();
        }

        @Override
        public long commit() {
            long rows = w.pendingRows();
            long start = System.nanoTime();
            long txn = w.commit();
            if (txn >= 0) {
                metrics.commit(rows, System.nanoTime() - start);
            }
            return txn;
        }

        @Override
        public void rollback() {
            w.rollback();
        }

        @Override
        public void close() {
            w.close();
        }
    }
}
