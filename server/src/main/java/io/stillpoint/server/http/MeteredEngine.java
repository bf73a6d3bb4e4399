package io.stillpoint.server.http;

import io.stillpoint.server.exec.HousekeepingReporter;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.housekeeping.Housekeeping;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Engine} that reports every successful commit (rows written, latency) to {@link Metrics} and
 * otherwise delegates. Wrapping the engine, rather than instrumenting the executor, keeps the measurement at
 * the storage boundary: it times exactly the durable part of a commit, whatever statement (INSERT, later COPY)
 * buffered the rows.
 */
public final class MeteredEngine implements Engine, HousekeepingReporter {
    private final Engine inner;
    private final Metrics metrics;

    public MeteredEngine(Engine inner, Metrics metrics) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public boolean createTable(TableSchema schema, boolean ifNotExists) {
        return inner.createTable(schema, ifNotExists);
    }

    @Override
    public boolean dropTable(String name, boolean ifExists) {
        return inner.dropTable(name, ifExists);
    }

    @Override
    public void renameTable(String from, String to) {
        inner.renameTable(from, to);
    }

    @Override
    public void addColumn(String table, io.stillpoint.storage.ColumnSpec column) {
        inner.addColumn(table, column);
    }

    @Override
    public void dropColumn(String table, String column) {
        inner.dropColumn(table, column);
    }

    @Override
    public void setTtl(String table, io.stillpoint.storage.Ttl ttl) {
        inner.setTtl(table, ttl);
    }

    @Override
    public TableSchema schema(String name) {
        return inner.schema(name);
    }

    @Override
    public boolean tableExists(String name) {
        return inner.tableExists(name);
    }

    @Override
    public List<TableInfo> tables() {
        return inner.tables();
    }

    @Override
    public TableSnapshot snapshot(String table) {
        return inner.snapshot(table);
    }

    @Override
    public WriteTransaction beginWrite() {
        return new Metered(inner.beginWrite());
    }

    /** The inner engine's coordinator itself: checkpoints write no rows, and the gauges read its status. */
    @Override
    public io.stillpoint.storage.Checkpoints checkpoints() {
        return inner.checkpoints();
    }

    /** The inner engine's housekeeping jobs, for {@code housekeeping_status()}; empty if it has none. */
    @Override
    public List<Housekeeping.JobStatus> housekeepingStatus() {
        List<Housekeeping.JobStatus> jobs = HousekeepingReporter.statusOf(inner);
        return jobs == null ? List.of() : jobs;
    }

    @Override
    public void close() {
        inner.close();
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
