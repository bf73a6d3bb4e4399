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
}
