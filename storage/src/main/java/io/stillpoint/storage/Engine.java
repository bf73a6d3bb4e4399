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

    /** Waits for in-flight commits, makes everything committed durable, releases the root lock. Idempotent. */
    @Override
    void close();
}
