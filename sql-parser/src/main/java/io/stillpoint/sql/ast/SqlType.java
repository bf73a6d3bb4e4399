package io.stillpoint.sql.ast;

/** The column types the SQL dialect knows, with the spellings that map to each. */
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
    TIMESTAMP
}
