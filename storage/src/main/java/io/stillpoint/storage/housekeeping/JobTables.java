package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.TableSchema;

import java.util.List;

/**
 * What the housekeeping jobs that make commits ({@link TtlJob}, {@link CompactionJob}) see of the engine's tables:
 * each live table's latest committed state as metadata (no data read), a few counters the engine keeps since it
 * opened, and the copy-on-write commit they make through. Implemented by the engine; a table is named by its
 * name and incarnation id together, so that a job never commits into another table created under a name that was
 * dropped or renamed meanwhile.
 */
public interface JobTables {

    /**
     * One partition version of a committed state.
     *
     * @param name              e.g. {@code 2026-11-21}
     * @param periodEndMicros   the first microsecond after the partition's period (exclusive end; Long.MAX_VALUE
     *                          for PARTITION BY NONE)
     * @param version           the commit that wrote its directory {@code <name>.<version>/}
     * @param rowCount          committed rows
     * @param maxTimestamp      largest designated timestamp (Long.MIN_VALUE if the table has none)
     * @param committedBytes    the sum of the committed sizes of its column files
     * @param appendCommits     appending commits this version received since the engine opened (0 when unknown:
     *                          the count is kept in memory only, see {@link CompactionPolicy})
     * @param lastAppendMillis  when the last of them committed (engine clock, epoch millis; -1 if none since open)
     */
    record PartitionView(String name, long periodEndMicros, long version, long rowCount, long maxTimestamp,
                     long committedBytes, long appendCommits, long lastAppendMillis) {
    }

    /**
     * A table's latest committed state.
     *
     * @param id             the incarnation id (see {@link #rewrite})
     * @param failedCommits  appending commits of this incarnation that failed since the engine opened, plus one for
     *                       whatever a crash before the open may have left (so it starts at 1): they may have left
     *                       bytes past the committed sizes
     * @param partitions     in ascending time order
     */
    record TableView(String name, long id, TableSchema schema, long txn, long failedCommits, List<PartitionView> partitions) {
    }

    /** Every live table's latest committed state (tables created or dropped meanwhile may be missing or present). */
    List<TableView> tables();

    /**
     * Bytes of a partition version's column files past their committed sizes (left by failed or crashed commits;
     * a stat of each file, no data read), or 0 if the table or version is gone.
     */
    long bytesPastCommitted(String table, long id, String partitionName, long version);

    /**
     * A copy-on-write commit of the table through the same path as {@code WriteTransaction.rewrite} (under the
     * table's commit lock, on its latest state; superseded versions go to the purge queue).
     *
     * @return the new commit number, or -1 if the rewriter changed nothing or the table (that incarnation) is gone
     * @throws io.stillpoint.storage.StorageException IO, DISK_FULL: the table is unchanged
     */
    long rewrite(String table, long id, PartitionRewriter rewriter);
}
