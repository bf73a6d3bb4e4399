package io.stillpoint.storage;

import java.util.List;

/**
 * The storage engine of one root directory: the table registry, the tables under {@code <root>/db/}, their
 * commits and readers. Thread-safe: many sessions share one engine. Opened by {@code TableEngine.open(EngineConfig)},
 * which takes the root's lock file; a second engine on the same root fails with {@link StorageException.Kind#LOCKED}.
 */
public interface Engine extends AutoCloseable {

    /**
     * Creates a table (durably, before returning).
     *
     * @return false if it existed and {@code ifNotExists} was set
     * @throws StorageException TABLE_EXISTS, INVALID (bad schema: duplicate column, bad timestamp column, ...)
     */
    boolean createTable(TableSchema schema, boolean ifNotExists);

    /**
     * Drops a table: it disappears from the registry at once (durably); its files are left for housekeeping
     * to delete, never removed inline.
     *
     * @return false if it did not exist and {@code ifExists} was set
     */
    boolean dropTable(String name, boolean ifExists);

    /**
     * Renames a table ({@code ALTER TABLE from RENAME TO to}): a registry change only, atomic and durable before
     * returning; the files stay where they are (a table directory is named by the incarnation it was created as).
     * Open snapshots and buffered rows keep working on the same incarnation.
     *
     * @throws StorageException TABLE_NOT_FOUND ({@code from}), TABLE_EXISTS ({@code to}), INVALID (empty name), IO
     */
    default void renameTable(String from, String to) {
        throw new StorageException(StorageException.Kind.UNSUPPORTED, "rename is not supported by this engine [table="
                + from + "]");
    }

    /**
     * Adds a column at the end ({@code ALTER TABLE t ADD COLUMN}); every existing row reads NULL in it. Atomic and
     * durable before returning; after a crash the table has the old or the new schema, never a mix.
     *
     * @throws StorageException TABLE_NOT_FOUND, INVALID (a column of that name exists), IO, DISK_FULL
     */
    default void addColumn(String table, ColumnSpec column) {
        throw new StorageException(StorageException.Kind.UNSUPPORTED, "add column is not supported by this engine "
                + "[table=" + table + "]");
    }

    /**
     * Drops a column ({@code ALTER TABLE t DROP COLUMN}); its files go to housekeeping, never deleted inline.
     * Atomic and durable before returning; after a crash the table has the old or the new schema.
     *
     * @throws StorageException TABLE_NOT_FOUND, INVALID (no such column, or the last column), UNSUPPORTED (the
     *                          designated timestamp), IO, DISK_FULL
     */
    default void dropColumn(String table, String column) {
        throw new StorageException(StorageException.Kind.UNSUPPORTED, "drop column is not supported by this engine "
                + "[table=" + table + "]");
    }

    /**
     * Sets ({@code ALTER TABLE t SET TTL n unit}) or removes (null) a table's time to live. Atomic and durable
     * before returning; the housekeeping TTL job then drops, as commits, the partitions that expired.
     *
     * @throws StorageException TABLE_NOT_FOUND, INVALID (a TTL on a table that is not partitioned), IO, DISK_FULL
     */
    default void setTtl(String table, Ttl ttl) {
        throw new StorageException(StorageException.Kind.UNSUPPORTED, "ttl is not supported by this engine [table="
                + table + "]");
    }

    /** @throws StorageException TABLE_NOT_FOUND */
    TableSchema schema(String name);

    /** Whether a table of that name exists now. */
    boolean tableExists(String name);

    /** All tables, sorted by name, each as of its latest commit. */
    List<TableInfo> tables();

    /** Opens a pinned reader on the latest committed state. @throws StorageException TABLE_NOT_FOUND */
    TableSnapshot snapshot(String table);

    /** Starts buffering rows for one session. */
    WriteTransaction beginWrite();

    /** The checkpoint coordinator of this engine. */
    default Checkpoints checkpoints() {
        throw new StorageException(StorageException.Kind.UNSUPPORTED, "checkpoints are not supported by this engine");
    }

    /** Waits for in-flight commits, makes everything committed durable, releases the root lock. Idempotent. */
    @Override
    void close();
}
