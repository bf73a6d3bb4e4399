package io.stillpoint.server.exec;

import java.util.List;

/** What executing one statement produced. */
public sealed interface Result {

    /** Rows, then the command tag {@code SELECT n} (or {@code SHOW}) with n the number of rows sent. */
    record Rows(List<ResultColumn> columns, RowCursor cursor, String tagVerb) implements Result {}

    /** A complete command tag, e.g. {@code INSERT 0 5}, {@code CREATE TABLE}, {@code BEGIN}, {@code SET}. */
    record Command(String tag) implements Result {}

    /**
     * {@code COPY ... FROM STDIN} has started: the wire layer answers CopyInResponse ({@code columnCount} text
     * columns), feeds the CopyData bytes to {@code sink}, and at CopyDone sends {@code COPY n}.
     */
    record CopyIn(CopyInSink sink, int columnCount) implements Result {}

    /**
     * {@code COPY ... TO STDOUT}: the wire layer answers CopyOutResponse, one CopyData per row formatted by
     * {@code options}, CopyDone and {@code COPY n}; it closes {@code cursor}.
     */
    record CopyOut(List<ResultColumn> columns, RowCursor cursor, io.stillpoint.sql.ast.CopyOptions options)
            implements Result {}

    /** The empty query: EmptyQueryResponse. */
    record Empty() implements Result {}
}
