package io.stillpoint.storage;

/** A column of a table: its name (lower case unless quoted in SQL) and type. */
public record ColumnSpec(String name, ColumnType type) {}
