package io.stillpoint.storage;

import java.util.List;

/**
 * Decides the new content of the partitions of one table in a copy-on-write commit
 * ({@link WriteTransaction#rewrite}). The engine calls it under the table's commit lock, on the latest committed
 * state, once per partition in ascending time order: first {@link #mayTouch} (metadata only: name, row count,
 * min/max designated timestamp), then, for a partition it did not reject, {@link #rewrite}, which may read the
 * partition's committed rows. Partitions it rejects or leaves unchanged are neither read nor written.
 */
public interface PartitionRewriter {

    /** False if this partition certainly stays as it is (e.g. pruned by the designated timestamp). */
    default boolean mayTouch(PartitionSnapshot partition) {
        return true;
    }

    /**
     * The complete new content of the partition, or null to leave it unchanged (nothing is written). An empty
     * list drops the partition. Rows are in schema order with the Java types of {@link ColumnType}. The engine
     * writes them in designated-timestamp order (a stable sort, so rows of equal timestamps keep the order given).
     * A row whose designated timestamp falls into another partition's period moves there in the same commit: that
     * partition (whether this rewriter touched it or not, or a new one) keeps its own rows first and takes the moved
     * ones after them at equal timestamps, in the order given; it sees its committed rows here, not the ones moved
     * into it. A partitioned table refuses a NULL or out-of-range designated timestamp
     * ({@link StorageException.Kind#INVALID}). The list is not retained.
     */
    List<Object[]> rewrite(PartitionSnapshot partition);
}
