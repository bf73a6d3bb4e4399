package io.stillpoint.server.exec;

/**
 * Rows of a result, pulled one at a time so a portal can stop after {@code maxRows} and resume later.
 * Holds whatever the query pinned (reader snapshots) until {@link #close()}, which every path must call.
 */
public interface RowCursor extends AutoCloseable {

    /** The next row (one value per result column, Java types as in {@link DataType}), or null at the end. */
    Object[] next();

    /** Releases pins and buffers. Idempotent. */
    @Override
    void close();
}
