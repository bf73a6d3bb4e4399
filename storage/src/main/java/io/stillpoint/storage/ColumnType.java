package io.stillpoint.storage;

/**
 * Column types of the storage engine. Java values that cross the API: BOOLEAN {@link Boolean}, INT
 * {@link Integer}, LONG {@link Long}, DOUBLE {@link Double}, VARCHAR {@link String}, TIMESTAMP {@link Long}
 * microseconds since 1970-01-01T00:00:00Z. {@code null} is NULL for every type.
 */
public enum ColumnType { BOOLEAN, INT, LONG, DOUBLE, VARCHAR, TIMESTAMP }
