package io.stillpoint.storage.table;

/**
 * One partition version as a committed {@code _txn} records it: its key (first microsecond of its period),
 * the commit that created its directory ({@code <name>.<version>/}), its rows, the min/max designated
 * timestamp (for pruning; Long.MAX_VALUE/Long.MIN_VALUE when the table has none), and per column the committed
 * sizes of its data, varchar-index and null-list files. Immutable; the arrays are never modified after
 * construction.
 */
final class PartitionState {

    final long key;
    final long version;
    final long rowCount;
    final long minTimestamp;
    final long maxTimestamp;
    final long[] dataSizes;
    final long[] indexSizes;
    final long[] nullSizes;

    PartitionState(long key, long version, long rowCount, long minTimestamp, long maxTimestamp,
                   long[] dataSizes, long[] indexSizes, long[] nullSizes) {
        this.key = key;
        this.version = version;
        this.rowCount = rowCount;
        this.minTimestamp = minTimestamp;
        this.maxTimestamp = maxTimestamp;
        this.dataSizes = dataSizes;
        this.indexSizes = indexSizes;
        this.nullSizes = nullSizes;
    }

    /** Directory name of this version: {@code <partition name>.<version>}. */
    String directoryName(String partitionName) {
        return partitionName + "." + version;
    }
}
