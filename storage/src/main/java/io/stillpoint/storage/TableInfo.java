package io.stillpoint.storage;

/** A line of the table listing: what {@code SELECT * FROM tables()} shows. */
public record TableInfo(String name, PartitionBy partitionBy, String timestampColumn, long rowCount,
                        int partitionCount, long txn) {}
