package io.stillpoint.server.exec;

import java.util.List;

/** What executing one statement produced. */
public sealed interface Result {

    /** Rows, then the command tag {@code SELECT n} (or {@code SHOW}) with n the number of rows sent. */
    record Rows(List<ResultColumn> columns, RowCursor cursor, String tagVerb) implements Result {}

    /** A complete command tag, e.g. {@code INSERT 0 5}, {@code CREATE TABLE}, {@code BEGIN}, {@code SET}. */
    record Command(String tag) implements Result {}

    /** The empty query: EmptyQueryResponse. */
    record Empty() implements Result {}
}
