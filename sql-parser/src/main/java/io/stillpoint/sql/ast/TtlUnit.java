package io.stillpoint.sql.ast;

/**
 * The units a table's time to live is written in ({@code TTL 30 DAYS}, {@code TTL 12H}); the storage's
 * {@code Ttl.Unit} has the same names.
 */
public enum TtlUnit { HOURS, DAYS, WEEKS, MONTHS, YEARS }
