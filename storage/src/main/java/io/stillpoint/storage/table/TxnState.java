package io.stillpoint.storage.table;

import java.util.List;

/** One committed state of a table: commit number, total rows, partitions in ascending key order. Immutable. */
final class TxnState {

    final long txn;
    final long rowCount;
    final List<PartitionState> partitions;

    TxnState(long txn, long rowCount, List<PartitionState> partitions) {
        this.txn = txn;
        this.rowCount = rowCount;
        this.partitions = List.copyOf(partitions);
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
