package io.stillpoint.storage;

import java.util.List;

/**
 * The shape of a table. {@code timestampIndex} is the designated timestamp column (a TIMESTAMP column) or -1
 * when the table has none, in which case {@code partitionBy} must be NONE. {@code ttl} is the table's time to
 * live, or null for none; a TTL needs a partitioned table.
 */
public record TableSchema(String name, List<ColumnSpec> columns, int timestampIndex, PartitionBy partitionBy,
                          Ttl ttl) {

    public TableSchema {
        columns = List.copyOf(columns);
    }

    /** A table without a TTL. */
    public TableSchema(String name, List<ColumnSpec> columns, int timestampIndex, PartitionBy partitionBy) {
        this(name, columns, timestampIndex, partitionBy, null);
    }

    /** The same table with another TTL (null: none). */
    public TableSchema withTtl(Ttl newTtl) {
        return new TableSchema(name, columns, timestampIndex, partitionBy, newTtl);
    }

    /** Index of the column with this name, or -1. */
    public int columnIndex(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public int columnCount() {
        return columns.size();
    }
}
