package io.stillpoint.server.exec;

/**
 * Rows of a result, pulled one at a time so a portal can stop after {@code maxRows} and resume later.
 * Holds whatever the query pinned (reader snapshots) until {@link #close()}, which every path must call.
 */
public interface RowCursor extends AutoCloseable {

    /** The next row (one value per result column, Java types as in {@link DataType}), or null at the end. */
    Object[] next();

    /**
     * The next rows as column chunks, for a plain table scan whose result columns are the table's columns as they
     * are stored; null when there are none (always, by default). A caller that wants batches asks for them
     * before its first {@link #next}; once this returns null, {@link #next} returns the rows not in batches (a
     * transaction's own uncommitted rows), then null.
     */
    default RowBatch nextBatch() {
        return null;
    }

    /** Releases pins and buffers. Idempotent. */
    @Override
    void close();
}
