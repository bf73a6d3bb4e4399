package io.stillpoint.server.exec;

import java.util.List;

/**
 * A statement parsed and analysed once, executed any number of times with different parameters.
 *
 * @param sql         the statement's own text
 * @param paramTypes  one entry per {@code $n}: the client's declared type where it gave one, otherwise the type
 *                    the statement implies (UNKNOWN if nothing does); ParameterDescription sends these OIDs
 * @param columns     the result columns, or null if the statement returns no rows (NoData)
 * @param statement   the executor's own representation; opaque to the wire layer
 */
public record Prepared(String sql, List<DataType> paramTypes, List<ResultColumn> columns, Object statement) {}
