package io.stillpoint.storage;

/**
 * Rows buffered by one session until commit. Nothing is visible to any reader before {@link #commit()}
 * returns, and nothing of a rolled-back or failed transaction ever is, also after a crash.
 *
 * <p>A transaction writes to at most one table: inserting into a second one fails with
 * {@link StorageException.Kind#UNSUPPORTED} (see ARCHITECTURE.md for why). Not thread-safe; one session owns it.
 */
public interface WriteTransaction extends AutoCloseable {

    /**
     * Buffers one row. {@code values} has one entry per column of the table, in schema order, each of the Java
     * type documented in {@link ColumnType} or null. The array is not retained.
     *
     * @throws StorageException TABLE_NOT_FOUND, INVALID (wrong arity or type, null designated timestamp),
     *                          UNSUPPORTED (a second table)
     */
    void insert(String table, Object[] values);

    /**
     * Replaces the content of some partitions of {@code table} in one atomic, durable commit of its own, made at
     * once (it does not wait for {@link #commit()}). Copy-on-write: every partition the rewriter changes is written
     * as a new version directory {@code <partition>.<txn>/}, never in place, and the new {@code _txn} points at it
     * (or no longer lists the partition if it ends up empty); rows the rewriter gives a timestamp of another
     * partition move there, into a new version (or a new partition) of that one in the same commit (see
     * {@link PartitionRewriter#rewrite}); the superseded versions go to housekeeping, which
     * deletes each once no snapshot opened before this commit is still open. The rewriter sees the latest
     * committed state under the table's commit lock, so no concurrent commit of the table is lost or overwritten.
     * After a crash the table is in the state before or after this commit, never between.
     *
     * @return the new commit number, or -1 if the rewriter changed nothing (no commit)
     * @throws StorageException TABLE_NOT_FOUND; UNSUPPORTED if this transaction has buffered rows; INVALID (a bad
     *                          value, e.g. a NULL designated timestamp); IO, DISK_FULL (the table is unchanged).
     *                          What the rewriter throws is passed on, the table unchanged.
     */
    long rewrite(String table, PartitionRewriter rewriter);

    /** Rows buffered so far. */
    long pendingRows();

    /**
     * Makes the buffered rows durable (column data and the new {@code _txn} record written, then all of them
     * fsynced; it returns only when every fsync succeeded) and visible. On failure the table stays at its
     * previous committed state, the exception is thrown, and this transaction is finished (rolled back).
     *
     * @return the new commit number of the table, or -1 if there was nothing to commit
     */
    long commit();

    /** Discards the buffered rows. Idempotent. */
    void rollback();

    /** Same as {@link #rollback()} unless committed. */
    @Override
    void close();
}
