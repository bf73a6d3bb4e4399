package io.stillpoint.server.exec;

/** A column of a result set as RowDescription announces it. */
public record ResultColumn(String name, DataType type) {}
