package io.stillpoint.sql.ast;

/**
 * The column types the SQL dialect knows, with the spellings that map to each. These are also the only cast targets:
 * {@code x::int2}, {@code CAST(x AS numeric)} and every other spelling are rejected by the parser with SQLSTATE
 * 42704 {@code type does not exist [type=int2]}. Lengths ({@code VARCHAR(10)}) are accepted and ignored.
 */
public enum SqlType {
    /** BOOLEAN, BOOL. */
    BOOLEAN,
    /** INT, INTEGER, INT4. */
    INT,
    /** LONG, BIGINT, INT8. */
    LONG,
    /** DOUBLE, DOUBLE PRECISION, FLOAT8, FLOAT. */
    DOUBLE,
    /** VARCHAR, VARCHAR(n), TEXT, STRING. */
    VARCHAR,
    /** TIMESTAMP, TIMESTAMP WITHOUT TIME ZONE (microseconds, UTC). */
    TIMESTAMP,
    /**
     * INTERVAL: a cast target and typed literal ({@code INTERVAL '1 day'}, {@code '2 hours'::interval}), a value
     * of {@link io.stillpoint.sql.IntervalValue}; storage has no interval columns, so CREATE TABLE refuses it.
     */
    INTERVAL
}
