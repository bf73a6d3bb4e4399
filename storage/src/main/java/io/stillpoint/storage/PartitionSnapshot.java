package io.stillpoint.storage;

import java.util.List;

/** One partition as of its table snapshot. */
public interface PartitionSnapshot {

    /** Rows per column read by {@link #readAllRows}. */
    int READ_ALL_CHUNK_ROWS = 32_768;

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

    /**
     * Appends every row of this partition to {@code out}, in order, each as an array of {@code columns} values in
     * schema order with the Java types of {@link ColumnType} (null for NULL). Reads {@value #READ_ALL_CHUNK_ROWS}
     * rows of each column at a time; the rows are boxed, so the caller holds the whole partition in memory.
     */
    default void readAllRows(int columns, List<Object[]> out) {
        long total = rowCount();
        ColumnChunk[] chunks = new ColumnChunk[columns];
        for (long first = 0; first < total; first += READ_ALL_CHUNK_ROWS) {
            int n = (int) Math.min(READ_ALL_CHUNK_ROWS, total - first);
            for (int c = 0; c < columns; c++) {
                chunks[c] = read(c, first, n);
            }
            for (int i = 0; i < n; i++) {
                Object[] r = new Object[columns];
                for (int c = 0; c < columns; c++) {
                    r[c] = chunks[c].getValue(i);
                }
                out.add(r);
            }
        }
    }
}
