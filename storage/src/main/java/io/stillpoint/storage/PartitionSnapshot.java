package io.stillpoint.storage;

/** One partition as of its table snapshot. */
public interface PartitionSnapshot {

    /** e.g. {@code 2026-11-21} (DAY), {@code 2026-11-21T14} (HOUR), {@code 2026-11} (MONTH), {@code 2026} (YEAR), {@code default} (NONE). */
    String name();

    long rowCount();

    /**
     * Reads {@code count} rows of a column starting at {@code firstRow} (0-based within this partition).
     * {@code firstRow + count} must not exceed {@link #rowCount()}.
     */
    ColumnChunk read(int columnIndex, long firstRow, int count);

    /**
     * Smallest designated timestamp in this partition (for pruning), or {@code Long.MIN_VALUE} if unknown or the
     * table has no designated timestamp. Added after the first version; the default keeps implementations valid.
     */
    default long minTimestamp() {
        return Long.MIN_VALUE;
    }

    /** Largest designated timestamp in this partition, or {@code Long.MAX_VALUE} if unknown (see minTimestamp). */
    default long maxTimestamp() {
        return Long.MAX_VALUE;
    }
}
