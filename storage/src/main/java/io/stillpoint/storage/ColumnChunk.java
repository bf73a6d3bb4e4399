package io.stillpoint.storage;

/**
 * A run of consecutive values of one column, read from committed data. Accessors take an index in
 * {@code [0, size())}. {@link #getLong} serves INT, LONG and TIMESTAMP columns; {@link #getValue} boxes
 * any type as documented in {@link ColumnType}.
 */
public interface ColumnChunk {

    ColumnType type();

    int size();

    boolean isNull(int i);

    boolean getBoolean(int i);

    long getLong(int i);

    double getDouble(int i);

    String getString(int i);

    /** The value as the boxed Java type of {@link ColumnType}, or null. */
    Object getValue(int i);
}
