package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;

import java.math.BigDecimal;
import java.util.List;

/**
 * A compiled {@code INSERT INTO t [(cols)] VALUES ...}. Everything is decided at prepare time: the mapping of
 * VALUES positions to schema columns, literals already converted to the column types, one converter per
 * parameter slot. Executing fills one reused row array per VALUES row and hands it to the session's write
 * transaction: no parsing, no lookups, one small allocation-free loop per row.
 */
final class InsertPlan {

    /** Produces the value of one column of one row. */
    abstract static class ValueSource {
        final String column;
        final ColumnType type;

        ValueSource(String column, ColumnType type) {
            this.column = column;
            this.type = type;
        }

        abstract Object get(Object[] params, Ev.Ctx ctx);
    }

    private static final class ConstSource extends ValueSource {
        final Object value;

        ConstSource(String column, ColumnType type, Object value) {
            super(column, type);
            this.value = value;
        }

        @Override
        Object get(Object[] params, Ev.Ctx ctx) {
            return value;
        }
    }

    private static final class ParamSource extends ValueSource {
        final int index;
        final DataType declared;
        final boolean text;

        ParamSource(String column, ColumnType type, int index, DataType declared) {
            super(column, type);
            this.index = index;
            this.declared = declared;
            this.text = Values.isText(declared);
        }

        @Override
        Object get(Object[] params, Ev.Ctx ctx) {
            Object v = params[index];
            return v == null ? null : assign(v, type, column, text, declared);
        }
    }

    private static final class ExprSource extends ValueSource {
        final Ev ev;

        ExprSource(String column, ColumnType type, Ev ev) {
            super(column, type);
            this.ev = ev;
        }

        @Override
        Object get(Object[] params, Ev.Ctx ctx) {
            Object v = ev.eval(ctx);
            return v == null ? null : assign(v, type, column, ev.adaptable(), ev.type);
        }
    }

    /** Refuses NULL for the designated timestamp, which every row needs for partitioning. */
    private static final class NotNullSource extends ValueSource {
        final ValueSource inner;
        final String table;

        NotNullSource(ValueSource inner, String table) {
            super(inner.column, inner.type);
            this.inner = inner;
            this.table = table;
        }

        @Override
        Object get(Object[] params, Ev.Ctx ctx) {
            Object v = inner.get(params, ctx);
            if (v == null) {
                throw nullTimestamp(column, table);
            }
            return v;
        }
    }

    static SqlError nullTimestamp(String column, String table) {
        return new SqlError("23502", "null value in designated timestamp column [column=" + column + ", table=" + table + "]");
    }

    final String table;
    final TableSchema schema;
    private final ValueSource[][] rows;
    private final Object[] buffer;
    private final Result.Command tag;
    private final boolean needsContext;

    private InsertPlan(String table, TableSchema schema, ValueSource[][] rows, boolean needsContext) {
        this.table = table;
        this.schema = schema;
        this.rows = rows;
        this.buffer = new Object[schema.columnCount()];
        this.tag = new Result.Command("INSERT 0 " + rows.length);
        this.needsContext = needsContext;
    }

    boolean needsContext() {
        return needsContext;
    }

    static InsertPlan plan(Statement.Insert insert, Engine engine, ExprCompiler compiler) {
        TableSchema schema;
        try {
            schema = engine.schema(insert.table());
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                throw Errors.undefinedTable(insert.table(), insert.position());
            }
            throw Errors.fromStorage(e, insert.position());
        }
        List<ColumnSpec> specs = schema.columns();
        int[] target;
        if (insert.columns().isEmpty()) {
            target = new int[specs.size()];
            for (int i = 0; i < target.length; i++) {
                target[i] = i;
            }
        } else {
            target = new int[insert.columns().size()];
            boolean[] seen = new boolean[specs.size()];
            for (int i = 0; i < target.length; i++) {
                String name = insert.columns().get(i);
                int idx = schema.columnIndex(name);
                if (idx < 0) {
                    throw new SqlError("42703", "column does not exist [column=" + name + ", table=" + insert.table() + "]",
                            insert.position());
                }
                if (seen[idx]) {
                    throw new SqlError("42701", "column specified more than once [column=" + name + "]", insert.position());
                }
                seen[idx] = true;
                target[i] = idx;
            }
        }
        int ts = schema.timestampIndex();
        boolean needsContext = false;
        ValueSource[][] rows = new ValueSource[insert.rows().size()][];
        for (int r = 0; r < rows.length; r++) {
            List<Expr> values = insert.rows().get(r);
            if (values.size() > target.length) {
                throw new SqlError("42601", "INSERT has more expressions than target columns",
                        values.get(target.length).position());
            }
            if (values.size() < target.length && !insert.columns().isEmpty()) {
                throw new SqlError("42601", "INSERT has more target columns than expressions", insert.position());
            }
            ValueSource[] row = new ValueSource[specs.size()];
            for (int i = 0; i < values.size(); i++) {
                int col = target[i];
                ColumnSpec spec = specs.get(col);
                ValueSource src = source(values.get(i), spec, compiler);
                needsContext |= src instanceof ExprSource;
                row[col] = src;
            }
            for (int c = 0; c < row.length; c++) {
                if (row[c] == null) {
                    row[c] = new ConstSource(specs.get(c).name(), specs.get(c).type(), null);
                }
            }
            if (ts >= 0) {
                if (row[ts] instanceof ConstSource cs && cs.value == null) {
                    throw nullTimestamp(specs.get(ts).name(), insert.table());
                }
                row[ts] = new NotNullSource(row[ts], insert.table());
            }
            rows[r] = row;
        }
        return new InsertPlan(insert.table(), schema, rows, needsContext);
    }

    private static ValueSource source(Expr e, ColumnSpec spec, ExprCompiler compiler) {
        DataType columnType = Values.dataType(spec.type());
        if (e instanceof Expr.Parameter p) {
            int i = p.index() - 1;
            if (i < 0 || i >= compiler.paramTypes.length) {
                throw new SqlError("42P02", "there is no parameter [parameter=$" + p.index() + "]", p.position());
            }
            if (compiler.paramTypes[i] == null) {
                compiler.paramTypes[i] = columnType;
            }
            DataType declared = compiler.paramTypes[i];
            checkAssignable(declared, Values.isText(declared), spec, p.position());
            return new ParamSource(spec.name(), spec.type(), i, declared);
        }
        compiler.aggregateForbiddenIn = "VALUES";
        Ev ev = compiler.compile(e, ExprCompiler.NO_COLUMNS, columnType, null);
        checkAssignable(ev.type, ev.adaptable(), spec, e.position());
        if (ev instanceof Ev.Const c) {
            // Convert literals once, now; a bad literal fails the prepare as in PostgreSQL.
            Object v = c.value == null ? null : assign(c.value, spec.type(), spec.name(), c.adaptable(), c.type);
            return new ConstSource(spec.name(), spec.type(), v);
        }
        return new ExprSource(spec.name(), spec.type(), ev);
    }

    /** PostgreSQL's assignment casts, as far as our types go; 42804 otherwise. */
    static void checkAssignable(DataType from, boolean untypedText, ColumnSpec spec, int position) {
        DataType to = Values.dataType(spec.type());
        boolean ok = from == to || untypedText || to == DataType.VARCHAR
                || (Values.isNumeric(from) && Values.isNumeric(to));
        if (!ok) {
            throw new SqlError("42804", mismatch(spec.name(), spec.type(), from), position);
        }
    }

    private static String mismatch(String column, ColumnType to, DataType from) {
        return "column is of type " + Values.typeName(to) + " but expression is of type " + Values.typeName(from)
                + " [column=" + column + "]";
    }

    /**
     * Converts a non-null value to the Java type of a column. The common case (the value already has the
     * column's type) costs one instanceof check.
     */
    static Object assign(Object v, ColumnType type, String column, boolean text, DataType from) {
        switch (type) {
            case INT:
                if (v instanceof Integer) {
                    return v;
                }
                if (v instanceof Long l) {
                    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                        throw new SqlError("22003", "integer out of range [column=" + column + ", value=" + l + "]");
                    }
                    return (int) (long) l;
                }
                if (v instanceof Short s) {
                    return (int) s;
                }
                break;
            case LONG:
                if (v instanceof Long) {
                    return v;
                }
                if (v instanceof Integer || v instanceof Short) {
                    return ((Number) v).longValue();
                }
                break;
            case DOUBLE:
                if (v instanceof Double) {
                    return v;
                }
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                break;
            case TIMESTAMP:
                if (v instanceof Long && !text) {
                    return v;
                }
                break;
            case BOOLEAN:
                if (v instanceof Boolean) {
                    return v;
                }
                break;
            case VARCHAR:
                if (v instanceof String) {
                    return v;
                }
                break;
        }
        if (v instanceof String s) {
            if (type == ColumnType.VARCHAR) {
                return s;
            }
            try {
                return Values.parse(s, Values.dataType(type));
            } catch (SqlError e) {
                throw new SqlError(e.sqlState(), e.getMessage().replace("]", ", column=" + column + "]"));
            }
        }
        if (type == ColumnType.INT || type == ColumnType.LONG) {
            DataType t = Values.dataType(type);
            if (v instanceof Double || v instanceof Float) {
                long l = Values.doubleToLong(((Number) v).doubleValue(), t);
                return type == ColumnType.INT ? (Object) (int) l : (Object) l;
            }
            if (v instanceof BigDecimal d) {
                long l = Values.bigDecimalToLong(d, t);
                return type == ColumnType.INT ? (Object) (int) l : (Object) l;
            }
        }
        if (type == ColumnType.VARCHAR) {
            return Values.toText(v, from == null ? DataType.UNKNOWN : from);
        }
        throw new SqlError("42804", mismatch(column, type, javaType(v)));
    }

    private static DataType javaType(Object v) {
        if (v instanceof Boolean) {
            return DataType.BOOL;
        }
        if (v instanceof Integer) {
            return DataType.INT4;
        }
        if (v instanceof Long) {
            return DataType.INT8;
        }
        if (v instanceof Double) {
            return DataType.FLOAT8;
        }
        return DataType.TEXT;
    }

    /**
     * Buffers the rows in the write transaction, and a copy of each in {@code ownRows} (if not null) so that
     * the transaction can read its own writes.
     */
    Result execute(WriteTransaction tx, Object[] params, Ev.Ctx ctx, OwnRows ownRows) {
        Object[] row = buffer;
        for (ValueSource[] sources : rows) {
            for (int c = 0; c < sources.length; c++) {
                row[c] = sources[c].get(params, ctx);
            }
            tx.insert(table, row);
            if (ownRows != null) {
                ownRows.add(table, row);
            }
        }
        return tag;
    }

    /**
     * The rows a transaction has inserted but not committed, kept by the session because the storage does not
     * show uncommitted rows to readers. A transaction writes one table only (a storage rule), so one list does.
     * Past {@link #LIMIT} rows the copies stop, and reading the table in that transaction fails clearly
     * rather than silently missing rows.
     */
    static final class OwnRows {
        static final int LIMIT = 200_000;
        String table;
        final java.util.ArrayList<Object[]> rows = new java.util.ArrayList<>();
        boolean overflow;

        void add(String t, Object[] row) {
            if (table == null) {
                table = t;
            } else if (!table.equals(t)) {
                return; // the storage refuses a second table anyway
            }
            if (rows.size() >= LIMIT) {
                overflow = true;
                return;
            }
            rows.add(row.clone());
        }

        /** The uncommitted rows of a table, in insertion order, or an empty list. */
        List<Object[]> of(String t) {
            if (!t.equals(table)) {
                return List.of();
            }
            if (overflow) {
                throw new SqlError("0A000", "transaction too large to read its own uncommitted rows [table=" + t
                        + ", limit=" + LIMIT + "]");
            }
            return rows;
        }

        void clear() {
            table = null;
            rows.clear();
            if (rows.size() > 1024) {
                rows.trimToSize();
            }
            overflow = false;
        }
    }
}
