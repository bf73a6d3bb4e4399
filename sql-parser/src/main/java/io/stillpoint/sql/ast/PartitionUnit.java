package io.stillpoint.sql.ast;

/** {@code PARTITION BY} units. NONE is the default when the clause is absent. */
public enum PartitionUnit { NONE, HOUR, DAY, MONTH, YEAR }
