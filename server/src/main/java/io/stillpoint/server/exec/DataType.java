package io.stillpoint.server.exec;

/**
 * The SQL value types that cross the executor/wire boundary, each with its PostgreSQL type OID.
 * Java representations: BOOL {@link Boolean}, INT2 {@link Short}, INT4 {@link Integer}, INT8 {@link Long},
 * FLOAT4 {@link Float}, FLOAT8 {@link Double}, NUMERIC {@link java.math.BigDecimal}, TEXT and VARCHAR
 * {@link String}, TIMESTAMP {@link Long} microseconds since 1970-01-01T00:00:00Z (UTC), INTERVAL
 * {@link io.stillpoint.sql.IntervalValue} (months, days, microseconds), UNKNOWN {@link String}.
 * {@code null} is NULL for every type. Table columns only use BOOL, INT4, INT8, FLOAT8, VARCHAR and TIMESTAMP;
 * the others appear as parameters a client declares (pgjdbc's setShort, setFloat, setBigDecimal) or as results.
 */
public enum DataType {
    BOOL(16),
    INT2(21),
    INT4(23),
    INT8(20),
    FLOAT4(700),
    FLOAT8(701),
    NUMERIC(1700),
    TEXT(25),
    VARCHAR(1043),
    TIMESTAMP(1114),
    /** A time span of months, days and microseconds; a value of expressions only, never a table column. */
    INTERVAL(1186),
    /** A parameter whose type neither the client nor the statement decides; its value arrives as text. */
    UNKNOWN(705);

    private final int oid;

    DataType(int oid) {
        this.oid = oid;
    }

    public int oid() {
        return oid;
    }

    /** The type with this OID, or null if the server does not know it. */
    public static DataType ofOid(int oid) {
        for (DataType t : values()) {
            if (t.oid == oid) {
                return t;
            }
        }
        return null;
    }
}
