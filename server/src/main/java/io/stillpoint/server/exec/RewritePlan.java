package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A compiled {@code UPDATE}, {@code DELETE}, {@code TRUNCATE} or {@code ALTER TABLE ... DROP PARTITION LIST | WHERE}:
 * each runs
 * as one copy-on-write commit of its own ({@link WriteTransaction#rewrite}). UPDATE and DELETE read every partition
 * the WHERE may match (designated-timestamp bounds among its top-level AND conjuncts prune the others, which are
 * neither read nor written, as a SELECT prunes them), evaluate the WHERE per row (a row matches only if it is
 * TRUE, as in PostgreSQL), and hand the engine the partition's new rows; a partition without a matching row stays
 * as it is. SET expressions see the row's old values (all assignments of a row at once, as in PostgreSQL).
 *
 * <p>An UPDATE of the designated timestamp keeps rows in timestamp order. One that moves a row into another
 * partition's period (an earlier or later one, one the WHERE pruned, or one that does not exist yet) is the same
 * single commit: the engine writes the row's old partition without it and a new version of the target with it
 * (see {@link PartitionRewriter#rewrite}). The WHERE bounds prune only the partitions rows are read from; the
 * targets are the engine's business, and a row moved into a partition is not matched again there (each row is
 * updated once, from the committed state). The update count counts each matched row once.
 */
final class RewritePlan {

    enum Kind { UPDATE, DELETE, TRUNCATE, DROP_PARTITIONS, DROP_PARTITIONS_WHERE }

    /** One designated-timestamp bound of the WHERE: {@code ts op constant}. */
    private record Bound(BinaryOp op, Ev constant) {}

    private static final int CHUNK_ROWS = 32_768;

    final Kind kind;
    final String table;
    private final TableSchema schema;
    private final Ev where;
    private final int[] setColumns;
    private final Ev[] setValues;
    private final List<Bound> bounds;
    private final List<String> partitions;

    private RewritePlan(Kind kind, String table, TableSchema schema, Ev where, int[] setColumns, Ev[] setValues,
                        List<Bound> bounds, List<String> partitions) {
        this.kind = kind;
        this.table = table;
        this.schema = schema;
        this.where = where;
        this.setColumns = setColumns;
        this.setValues = setValues;
        this.bounds = bounds;
        this.partitions = partitions;
    }

    static RewritePlan update(Statement.Update u, Engine engine, ExprCompiler compiler) {
        TableSchema schema = schema(engine, u.table(), u.position());
        ExprCompiler.Scope scope = scope(schema, u.table());
        int n = u.assignments().size();
        int[] columns = new int[n];
        Ev[] values = new Ev[n];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Statement.Assignment a = u.assignments().get(i);
            int c = schema.columnIndex(a.column());
            if (c < 0) {
                throw new SqlError("42703", "column does not exist [column=" + a.column() + ", table=" + u.table()
                        + "]", a.position());
            }
            if (!seen.add(c)) {
                throw new SqlError("42601", "multiple assignments to same column [column=" + a.column() + "]",
                        a.position());
            }
            ColumnSpec spec = schema.columns().get(c);
            compiler.aggregateForbiddenIn = "UPDATE";
            Ev ev = compiler.compile(a.value(), scope, Values.dataType(spec.type()), null);
            InsertPlan.checkAssignable(ev.type, ev.adaptable(), spec, a.value().position());
            columns[i] = c;
            values[i] = ev;
        }
        Ev where = compileWhere(u.where(), scope, compiler);
        return new RewritePlan(Kind.UPDATE, u.table(), schema, where, columns, values, bounds(where, schema), null);
    }

    static RewritePlan delete(Statement.Delete d, Engine engine, ExprCompiler compiler) {
        TableSchema schema = schema(engine, d.table(), d.position());
        Ev where = compileWhere(d.where(), scope(schema, d.table()), compiler);
        return new RewritePlan(Kind.DELETE, d.table(), schema, where, new int[0], new Ev[0], bounds(where, schema),
                null);
    }

    static RewritePlan truncate(Statement.Truncate t, Engine engine) {
        return new RewritePlan(Kind.TRUNCATE, t.table(), schema(engine, t.table(), t.position()), null, new int[0],
                new Ev[0], List.of(), null);
    }

    static RewritePlan dropPartitions(Statement.DropPartitions d, Engine engine) {
        return new RewritePlan(Kind.DROP_PARTITIONS, d.table(), schema(engine, d.table(), d.position()), null,
                new int[0], new Ev[0], List.of(), List.copyOf(d.partitions()));
    }

    /**
     * {@code ALTER TABLE t DROP PARTITION WHERE condition}: the condition must be an AND of comparisons of the
     * designated timestamp with constants ({@code <, <=, >, >=, =}); anything else is 0A000. The partitions all
     * of whose rows match (by their min and max designated timestamp) are dropped in one commit; a partition only
     * partly matching stays whole (DELETE removes single rows).
     */
    static RewritePlan dropPartitionsWhere(Statement.DropPartitionsWhere d, Engine engine, ExprCompiler compiler) {
        TableSchema schema = schema(engine, d.table(), d.position());
        Ev where = compileWhere(d.where(), scope(schema, d.table()), compiler);
        List<Bound> bounds = bounds(where, schema);
        List<Ev> conjuncts = new ArrayList<>();
        flattenAnd(where, conjuncts);
        if (schema.timestampIndex() < 0 || bounds.size() != conjuncts.size()) {
            String column = schema.timestampIndex() < 0 ? "none"
                    : schema.columns().get(schema.timestampIndex()).name();
            throw new SqlError("0A000", "drop partition where supports only comparisons of the designated timestamp "
                    + "with constants joined by AND [table=" + d.table() + ", designatedTimestamp=" + column + "]",
                    d.where().position());
        }
        return new RewritePlan(Kind.DROP_PARTITIONS_WHERE, d.table(), schema, where, new int[0], new Ev[0], bounds,
                null);
    }

    private static TableSchema schema(Engine engine, String table, int position) {
        try {
            return engine.schema(table);
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                throw Errors.undefinedTable(table, position);
            }
            throw Errors.fromStorage(e, position);
        }
    }

    private static ExprCompiler.Scope scope(TableSchema schema, String table) {
        return ref -> {
            if (ref.qualifier() != null && !ref.qualifier().equals(table)) {
                throw new SqlError("42P01", "missing FROM-clause entry for table [table=" + ref.qualifier() + "]",
                        ref.position());
            }
            int i = schema.columnIndex(ref.name());
            if (i < 0) {
                throw Errors.undefinedColumn(ref.qualifier() == null ? ref.name() : ref.qualifier() + "."
                        + ref.name(), ref.position());
            }
            return new Ev.Slot(i, Values.dataType(schema.columns().get(i).type()));
        };
    }

    private static Ev compileWhere(Expr where, ExprCompiler.Scope scope, ExprCompiler compiler) {
        if (where == null) {
            return null;
        }
        compiler.aggregateForbiddenIn = "WHERE";
        Ev ev = compiler.compile(where, scope, DataType.BOOL, null);
        if (ev.type != DataType.BOOL) {
            if (ev.adaptable()) {
                ev = new Ev.Cast(ev, DataType.BOOL);
            } else {
                throw Errors.datatypeMismatch("argument of WHERE must be type boolean, not type "
                        + Values.typeName(ev.type), where.position());
            }
        }
        return ev;
    }

    /** The {@code ts op constant} conjuncts of the WHERE's top-level AND, for partition pruning. */
    private static List<Bound> bounds(Ev where, TableSchema schema) {
        List<Bound> out = new ArrayList<>();
        if (where == null || schema.timestampIndex() < 0) {
            return out;
        }
        List<Ev> conjuncts = new ArrayList<>();
        flattenAnd(where, conjuncts);
        for (Ev c : conjuncts) {
            if (!(c instanceof Ev.Compare cmp) || cmp.op == BinaryOp.NE) {
                continue;
            }
            Ev col = cmp.left;
            Ev constant = cmp.right;
            BinaryOp op = cmp.op;
            if (!(col instanceof Ev.Slot)) {
                col = cmp.right;
                constant = cmp.left;
                op = switch (op) {
                    case LT -> BinaryOp.GT;
                    case LE -> BinaryOp.GE;
                    case GT -> BinaryOp.LT;
                    case GE -> BinaryOp.LE;
                    default -> op;
                };
            }
            if (col instanceof Ev.Slot slot && slot.index == schema.timestampIndex() && constant.rowIndependent()
                    && constant.type == DataType.TIMESTAMP) {
                out.add(new Bound(op, constant));
            }
        }
        return out;
    }

    private static void flattenAnd(Ev e, List<Ev> out) {
        if (e instanceof Ev.Logic l && l.and) {
            flattenAnd(l.left, out);
            flattenAnd(l.right, out);
        } else {
            out.add(e);
        }
    }

    /** Runs the statement as one rewrite commit through {@code tx} (which must have no buffered rows). */
    Result execute(WriteTransaction tx, Engine engine, Ev.Ctx ctx) {
        long[] range = {Long.MIN_VALUE, Long.MAX_VALUE};
        for (Bound b : bounds) {
            Object v = b.constant.eval(ctx);
            if (v == null) {
                range[0] = 1; // ts op NULL is never true
                range[1] = 0;
                continue;
            }
            long t = ((Number) v).longValue();
            switch (b.op) {
                case EQ -> { range[0] = Math.max(range[0], t); range[1] = Math.min(range[1], t); }
                case LT -> range[1] = Math.min(range[1], t == Long.MIN_VALUE ? t : t - 1);
                case LE -> range[1] = Math.min(range[1], t);
                case GT -> range[0] = Math.max(range[0], t == Long.MAX_VALUE ? t : t + 1);
                case GE -> range[0] = Math.max(range[0], t);
                default -> { }
            }
        }
        if (kind == Kind.DROP_PARTITIONS) {
            checkPartitionsExist(engine);
        }
        long[] count = {0};
        PartitionRewriter rewriter = new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot p) {
                return switch (kind) {
                    case TRUNCATE -> true;
                    case DROP_PARTITIONS -> partitions.contains(p.name());
                    case DROP_PARTITIONS_WHERE -> range[0] <= range[1] && p.minTimestamp() >= range[0]
                            && p.maxTimestamp() <= range[1];
                    default -> range[0] <= range[1] && p.maxTimestamp() >= range[0] && p.minTimestamp() <= range[1];
                };
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot p) {
                if (kind == Kind.TRUNCATE || kind == Kind.DROP_PARTITIONS || kind == Kind.DROP_PARTITIONS_WHERE) {
                    count[0] += p.rowCount();
                    return List.of();
                }
                return rewritePartition(p, ctx, count);
            }
        };
        try {
            tx.rewrite(table, rewriter);
        } catch (StorageException e) {
            throw Errors.fromStorage(e, 0);
        }
        return new Result.Command(switch (kind) {
            case UPDATE -> "UPDATE " + count[0];
            case DELETE -> "DELETE " + count[0];
            case TRUNCATE -> "TRUNCATE TABLE";
            case DROP_PARTITIONS, DROP_PARTITIONS_WHERE -> "ALTER TABLE";
        });
    }

    private void checkPartitionsExist(Engine engine) {
        try (TableSnapshot s = engine.snapshot(table)) {
            Set<String> existing = new HashSet<>();
            for (PartitionSnapshot p : s.partitions()) {
                existing.add(p.name());
            }
            for (String name : partitions) {
                if (!existing.contains(name)) {
                    throw new SqlError("42704", "partition does not exist [table=" + table + ", partition=" + name
                            + "]");
                }
            }
        }
    }

    /** New rows of one partition, or null if no row matches (the partition is then not written). */
    private List<Object[]> rewritePartition(PartitionSnapshot p, Ev.Ctx ctx, long[] count) {
        int columns = schema.columnCount();
        long rows = p.rowCount();
        List<Object[]> out = new ArrayList<>((int) Math.min(rows, Integer.MAX_VALUE - 8));
        long matched = 0;
        int ts = schema.timestampIndex();
        ColumnChunk[] chunks = new ColumnChunk[columns];
        for (long first = 0; first < rows; first += CHUNK_ROWS) {
            if (ctx.guard != null) {
                ctx.guard.check();
            }
            int n = (int) Math.min(CHUNK_ROWS, rows - first);
            for (int c = 0; c < columns; c++) {
                chunks[c] = p.read(c, first, n);
            }
            for (int i = 0; i < n; i++) {
                Object[] row = new Object[columns];
                for (int c = 0; c < columns; c++) {
                    row[c] = chunks[c].getValue(i);
                }
                ctx.row = row;
                if (where != null && !Boolean.TRUE.equals(where.eval(ctx))) {
                    out.add(row);
                    continue;
                }
                matched++;
                if (kind == Kind.DELETE) {
                    continue;
                }
                Object[] updated = row.clone();
                for (int s = 0; s < setColumns.length; s++) {
                    int c = setColumns[s];
                    ColumnSpec spec = schema.columns().get(c);
                    Ev ev = setValues[s];
                    Object v = ev.eval(ctx);
                    v = v == null ? null : InsertPlan.assign(v, spec.type(), spec.name(), ev.adaptable(), ev.type);
                    if (v == null && c == ts) {
                        throw InsertPlan.nullTimestamp(spec.name(), table);
                    }
                    updated[c] = v;
                }
                out.add(updated);
            }
        }
        if (matched == 0) {
            return null;
        }
        count[0] += matched;
        return out;
    }
}
