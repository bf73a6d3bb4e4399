package io.stillpoint.storage;

/** Time partitioning of a table by its designated timestamp. NONE: one partition. */
public enum PartitionBy { NONE, HOUR, DAY, MONTH, YEAR }
