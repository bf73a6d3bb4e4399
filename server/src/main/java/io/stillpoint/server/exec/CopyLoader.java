package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.CopyOptions;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;

/**
 * A {@link CopyInSink} for one table: splits the data with the format's {@link CopyRowReader}, converts each field
 * straight to its column type ({@link CopyValues}) and buffers the row in the session's write transaction, one
 * reused row array for the whole COPY. The transaction commits (or, after an error, rolls back) with the rest of
 * the session's transaction, so a failed COPY leaves nothing behind.
 */
final class CopyLoader implements CopyInSink, CopyRowReader.RowHandler {

    private final String table;
    private final WriteTransaction tx;
    private final InsertPlan.OwnRows ownRows;
    private final CopyRowReader reader;
    /** The schema column of each field of a row. */
    private final int[] target;
    private final ColumnType[] types;
    private final String[] names;
    private final int timestampIndex;
    private final Object[] row;
    private long rows;

    CopyLoader(String table, TableSchema schema, int[] target, CopyOptions options, WriteTransaction tx,
               InsertPlan.OwnRows ownRows) {
        this.table = table;
        this.tx = tx;
        this.ownRows = ownRows;
        this.reader = CopyRowReader.of(options);
        this.target = target;
        int n = schema.columnCount();
        this.types = new ColumnType[n];
        this.names = new String[n];
        for (int c = 0; c < n; c++) {
            ColumnSpec spec = schema.columns().get(c);
            types[c] = spec.type();
            names[c] = spec.name();
        }
        this.timestampIndex = schema.timestampIndex();
        this.row = new Object[n];
    }

    @Override
    public void accept(byte[] data, int offset, int length) {
        reader.feed(data, offset, length, this);
    }

    @Override
    public long finish() {
        reader.finish(this);
        return rows;
    }

    @Override
    public void row(CopyFields fields, long line) {
        int expected = target.length;
        if (fields.count < expected) {
            throw new SqlError("22P04", "missing data for column [column=" + names[target[fields.count]]
                    + ", line=" + line + "]");
        }
        if (fields.count > expected) {
            throw new SqlError("22P04", "extra data after last expected column [line=" + line + "]");
        }
        for (int f = 0; f < expected; f++) {
            int c = target[f];
            if (fields.isNull[f]) {
                row[c] = null;
                continue;
            }
            try {
                row[c] = CopyValues.parse(types[c], fields.data[f], fields.start[f], fields.end[f]);
            } catch (SqlError e) {
                throw located(e, line, names[c]);
            }
        }
        if (timestampIndex >= 0 && row[timestampIndex] == null) {
            throw located(InsertPlan.nullTimestamp(names[timestampIndex], table), line, null);
        }
        try {
            tx.insert(table, row);
        } catch (StorageException e) {
            throw located(Errors.fromStorage(e, 0), line, null);
        }
        if (ownRows != null) {
            ownRows.add(table, row);
        }
        rows++;
    }

    /** The error with {@code line} (and {@code column}) added to its bracketed details. */
    private static SqlError located(SqlError e, long line, String column) {
        String message = e.getMessage();
        String where = "line=" + line + (column == null ? "" : ", column=" + column);
        int close = message.lastIndexOf(']');
        String located = close >= 0 && close == message.length() - 1
                ? message.substring(0, close) + ", " + where + "]"
                : message + " [" + where + "]";
        return new SqlError(e.sqlState(), located, 0, e);
    }
}
