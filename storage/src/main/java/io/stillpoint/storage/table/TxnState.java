package io.stillpoint.storage.table;

import java.util.List;

/**
 * One committed state of a table: commit number, total rows, partitions in ascending key order, and the byte
 * ranges this commit appended (so that recovery can tell whether all of them reached the disk). Immutable.
 */
final class TxnState {

    /** {@link AppendedRange#kind} of a column's data file ({@code c<i>.d}). */
    static final int KIND_DATA = 0;
    /** {@link AppendedRange#kind} of a VARCHAR column's index file ({@code c<i>.i}). */
    static final int KIND_INDEX = 1;
    /** {@link AppendedRange#kind} of a column's null list ({@code c<i>.n}). */
    static final int KIND_NULLS = 2;

    /**
     * Bytes {@code [from, committed size)} of one file that the commit appended (from 0 when it created the file),
     * and their CRC32C. The file is column {@code column}, kind {@code kind}, of the partition at index
     * {@code partition} of the state's partition list; its end is that partition's committed size for the file.
     */
    record AppendedRange(int partition, int column, int kind, long from, int crc32c) {
    }

    final long txn;
    final long rowCount;
    final List<PartitionState> partitions;
    /** What this commit appended; empty for txn 0 and for states read from a format version 1 {@code _txn}. */
    final List<AppendedRange> appended;

    TxnState(long txn, long rowCount, List<PartitionState> partitions) {
        this(txn, rowCount, partitions, List.of());
    }

    TxnState(long txn, long rowCount, List<PartitionState> partitions, List<AppendedRange> appended) {
        this.txn = txn;
        this.rowCount = rowCount;
        this.partitions = List.copyOf(partitions);
        this.appended = List.copyOf(appended);
    }

    /** The committed size of the file an appended range belongs to (its end). */
    long endOf(AppendedRange r) {
        PartitionState p = partitions.get(r.partition());
        switch (r.kind()) {
            case KIND_DATA:
                return p.dataSizes[r.column()];
            case KIND_INDEX:
                return p.indexSizes[r.column()];
            default:
                return p.nullSizes[r.column()];
        }
    }

    /** File name of a column file of the given kind. */
    static String fileName(int kind, int column) {
        switch (kind) {
            case KIND_DATA:
                return ColumnFiles.dataName(column);
            case KIND_INDEX:
                return ColumnFiles.indexName(column);
            default:
                return ColumnFiles.nullsName(column);
        }
    }

    /** Index of the partition with this key, or {@code -(insertion point) - 1}. */
    int find(long key) {
        int lo = 0;
        int hi = partitions.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = partitions.get(mid).key;
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}
