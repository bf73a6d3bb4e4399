package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled SELECT: where the rows come from (a table, the {@code tables()} function, or a single empty row),
 * the filter split into range filters the scanner runs on raw chunks and a residual predicate on boxed rows,
 * the optional aggregation (group keys, aggregate calls, HAVING), the output expressions (visible columns
 * then hidden ORDER BY keys), the sort and LIMIT/OFFSET. Without ORDER BY and aggregation rows stream from the
 * table to the cursor; otherwise they are materialised first.
 */
final class SelectPlan {

    /** SYSTEM_FUNCTION: checkpoint_status() and the other {@link SystemFunctions}; {@code table} is its name. */
    enum SourceKind { NONE, TABLE, TABLES_FUNCTION, SYSTEM_FUNCTION }

    /** The columns of {@code tables()}. */
    static final List<ColumnSpec> TABLES_COLUMNS = List.of(
            new ColumnSpec("table_name", ColumnType.VARCHAR),
            new ColumnSpec("partition_by", ColumnType.VARCHAR),
            new ColumnSpec("timestamp_column", ColumnType.VARCHAR),
            new ColumnSpec("row_count", ColumnType.LONG),
            new ColumnSpec("partition_count", ColumnType.INT),
            new ColumnSpec("ttl", ColumnType.VARCHAR));

    /** The error of a plan whose table's columns changed under it (the session then plans again). */
    static final String DEFINITION_CHANGED = "table definition changed since the statement was prepared";

    static boolean isDefinitionChanged(SqlError e) {
        return "0A000".equals(e.sqlState()) && e.getMessage() != null
                && e.getMessage().startsWith(DEFINITION_CHANGED);
    }

    /** A conjunct {@code column op constant} the scanner can run as a range filter. */
    record FastConjunct(int column, ColumnType columnType, BinaryOp op, Ev constant) {}

    record SortKey(int output, boolean descending, boolean nullsFirst) {}

    final List<ResultColumn> columns;
    final SourceKind sourceKind;
    final String table;
    final TableSchema schema;
    final int sourceWidth;
    final List<FastConjunct> fast;
    final Ev residual;
    /** The whole WHERE clause, for rows that do not come through the scanner's range filters. */
    final Ev where;
    final int[] rowColumns;
    /** The columns the residual predicate reads (read first), and the others the query needs. */
    final int[] residualColumns;
    final int[] restColumns;
    final boolean aggregate;
    final Ev[] groupKeys;
    final Aggregates.Spec[] aggs;
    final Ev having;
    final Ev[] outputs;
    final int visible;
    final SortKey[] sort;
    final Ev limit;
    final Ev offset;

    private SelectPlan(Builder b) {
        this.columns = b.columns;
        this.sourceKind = b.sourceKind;
        this.table = b.table;
        this.schema = b.schema;
        this.sourceWidth = b.sourceColumns.size();
        this.fast = b.fast;
        this.residual = b.residual;
        this.where = b.where;
        this.rowColumns = b.rowColumns;
        BitSet residualSet = new BitSet();
        if (b.residual != null) {
            collectSlots(b.residual, residualSet);
        }
        BitSet rest = new BitSet();
        for (int c : b.rowColumns) {
            if (!residualSet.get(c)) {
                rest.set(c);
            }
        }
        this.residualColumns = residualSet.stream().toArray();
        this.restColumns = rest.stream().toArray();
        this.aggregate = b.aggregate;
        this.groupKeys = b.groupKeys.toArray(new Ev[0]);
        this.aggs = b.aggs.toArray(new Aggregates.Spec[0]);
        this.having = b.having;
        this.outputs = b.outputs.toArray(new Ev[0]);
        this.visible = b.visible;
        this.sort = b.sort.toArray(new SortKey[0]);
        this.limit = b.limit;
        this.offset = b.offset;
    }

    // =============================================================================================================
    // planning
    // =============================================================================================================

    static SelectPlan plan(Statement.Select select, Engine engine, ExprCompiler compiler) {
        return new Builder(select, engine, compiler).build();
    }

    private static final class Builder {
        final Statement.Select select;
        final Engine engine;
        final ExprCompiler compiler;
        SourceKind sourceKind = SourceKind.NONE;
        String table;
        String alias;
        TableSchema schema;
        List<ColumnSpec> sourceColumns = List.of();
        List<FastConjunct> fast = new ArrayList<>();
        Ev residual;
        Ev where;
        int[] rowColumns = new int[0];
        boolean aggregate;
        List<Ev> groupKeys = new ArrayList<>();
        Map<String, Integer> groupKeyIndex = new HashMap<>();
        List<Aggregates.Spec> aggs = new ArrayList<>();
        Ev having;
        List<Ev> outputs = new ArrayList<>();
        List<ResultColumn> columns = new ArrayList<>();
        int visible;
        List<SortKey> sort = new ArrayList<>();
        Ev limit;
        Ev offset;
        /** Output column names in order, for ORDER BY name / GROUP BY name. */
        List<String> outputNames = new ArrayList<>();
        List<Expr> outputExprs = new ArrayList<>();

        Builder(Statement.Select select, Engine engine, ExprCompiler compiler) {
            this.select = select;
            this.engine = engine;
            this.compiler = compiler;
        }

        SelectPlan build() {
            resolveSource();
            ExprCompiler.Scope rowScope = this::resolveSourceColumn;

            // Expand the select list into expressions with names.
            for (Statement.SelectItem item : select.items()) {
                if (item instanceof Statement.SelectItem.Star star) {
                    if (sourceKind == SourceKind.NONE) {
                        throw new SqlError("42601", "select * with no tables specified is not valid", star.position());
                    }
                    for (ColumnSpec c : sourceColumns) {
                        outputExprs.add(new Expr.ColumnRef(null, c.name(), star.position()));
                        outputNames.add(c.name());
                    }
                } else {
                    Statement.SelectItem.Item it = (Statement.SelectItem.Item) item;
                    outputExprs.add(it.expr());
                    outputNames.add(it.alias() != null ? it.alias() : defaultName(it.expr()));
                }
            }

            // WHERE: aggregates not allowed; split into range filters and a residual.
            if (select.where() != null) {
                compiler.aggregateForbiddenIn = "WHERE";
                Ev where = compiler.compile(select.where(), rowScope, DataType.BOOL, null);
                if (where.type != DataType.BOOL) {
                    if (where.adaptable()) {
                        where = new Ev.Cast(where, DataType.BOOL);
                    } else {
                        throw Errors.datatypeMismatch("argument of WHERE must be type boolean, not type "
                                + Values.typeName(where.type), select.where().position());
                    }
                }
                this.where = where;
                splitWhere(where);
            }

            aggregate = !select.groupBy().isEmpty() || select.having() != null || usesAggregates();
            if (aggregate) {
                planAggregation(rowScope);
            } else {
                compiler.aggregateForbiddenIn = "this context";
                for (Expr e : outputExprs) {
                    outputs.add(compiler.compile(e, rowScope, null, null));
                }
            }
            visible = outputs.size();
            for (int i = 0; i < visible; i++) {
                DataType t = outputs.get(i).type;
                columns.add(new ResultColumn(outputNames.get(i), t == DataType.UNKNOWN ? DataType.TEXT : t));
            }
            planOrderBy(rowScope);
            limit = limitExpr(select.limit(), "LIMIT");
            offset = limitExpr(select.offset(), "OFFSET");
            rowColumns = neededRowColumns();
            return new SelectPlan(this);
        }

        private void resolveSource() {
            Statement.FromSource from = select.from();
            if (from == null) {
                return;
            }
            if (from instanceof Statement.FromSource.Table t) {
                TableSchema s;
                try {
                    s = engine.schema(t.name());
                } catch (io.stillpoint.storage.StorageException e) {
                    if (e.kind() == io.stillpoint.storage.StorageException.Kind.TABLE_NOT_FOUND) {
                        if (SystemFunctions.columns(t.name()) != null) { // checkpoint_status without (), as QuestDB
                            systemFunction(t.name(), t.alias());
                            return;
                        }
                        throw Errors.undefinedTable(t.name(), t.position());
                    }
                    throw Errors.fromStorage(e, t.position());
                }
                sourceKind = SourceKind.TABLE;
                table = t.name();
                alias = t.alias();
                schema = s;
                sourceColumns = s.columns();
                return;
            }
            Statement.FromSource.TableFunction f = (Statement.FromSource.TableFunction) from;
            if (f.name().equalsIgnoreCase("tables") && f.args().isEmpty()) {
                sourceKind = SourceKind.TABLES_FUNCTION;
                table = "tables";
                alias = f.alias();
                sourceColumns = TABLES_COLUMNS;
                return;
            }
            if (SystemFunctions.columns(f.name()) != null && f.args().isEmpty()) {
                systemFunction(f.name(), f.alias());
                return;
            }
            throw Errors.undefinedFunction(f.name(), f.position());
        }

        private void systemFunction(String name, String alias) {
            sourceKind = SourceKind.SYSTEM_FUNCTION;
            table = name.toLowerCase(java.util.Locale.ROOT);
            this.alias = alias;
            sourceColumns = SystemFunctions.columns(name);
        }

        private Ev resolveSourceColumn(Expr.ColumnRef ref) {
            if (ref.qualifier() != null && !ref.qualifier().equals(table) && !ref.qualifier().equals(alias)) {
                throw new SqlError("42P01", "missing FROM-clause entry for table [table=" + ref.qualifier() + "]",
                        ref.position());
            }
            for (int i = 0; i < sourceColumns.size(); i++) {
                if (sourceColumns.get(i).name().equals(ref.name())) {
                    return new Ev.Slot(i, Values.dataType(sourceColumns.get(i).type()));
                }
            }
            throw Errors.undefinedColumn(ref.qualifier() == null ? ref.name() : ref.qualifier() + "." + ref.name(),
                    ref.position());
        }

        private void splitWhere(Ev where) {
            List<Ev> conjuncts = new ArrayList<>();
            flattenAnd(where, conjuncts);
            Ev rest = null;
            for (Ev c : conjuncts) {
                FastConjunct f = sourceKind == SourceKind.TABLE ? asFast(c) : null;
                if (f != null) {
                    fast.add(f);
                } else {
                    rest = rest == null ? c : new Ev.Logic(true, rest, c);
                }
            }
            residual = rest;
        }

        private static void flattenAnd(Ev e, List<Ev> out) {
            if (e instanceof Ev.Logic l && l.and) {
                flattenAnd(l.left, out);
                flattenAnd(l.right, out);
            } else {
                out.add(e);
            }
        }

        private FastConjunct asFast(Ev e) {
            if (!(e instanceof Ev.Compare cmp) || cmp.op == BinaryOp.NE) {
                return null;
            }
            Ev col = cmp.left;
            Ev constant = cmp.right;
            BinaryOp op = cmp.op;
            if (!(col instanceof Ev.Slot)) {
                col = cmp.right;
                constant = cmp.left;
                op = flip(op);
            }
            if (!(col instanceof Ev.Slot slot) || !constant.rowIndependent()) {
                return null;
            }
            ColumnType ct = sourceColumns.get(slot.index).type();
            boolean numeric = Values.isNumeric(constant.type);
            switch (ct) {
                case INT, LONG, DOUBLE:
                    if (!numeric) {
                        return null;
                    }
                    break;
                case TIMESTAMP:
                    if (constant.type != DataType.TIMESTAMP) {
                        return null;
                    }
                    break;
                case VARCHAR:
                    if (op != BinaryOp.EQ || !Values.isText(constant.type)) {
                        return null;
                    }
                    break;
                default:
                    return null;
            }
            return new FastConjunct(slot.index, ct, op, constant);
        }

        private static BinaryOp flip(BinaryOp op) {
            return switch (op) {
                case LT -> BinaryOp.GT;
                case LE -> BinaryOp.GE;
                case GT -> BinaryOp.LT;
                case GE -> BinaryOp.LE;
                default -> op;
            };
        }

        private boolean usesAggregates() {
            for (Expr e : outputExprs) {
                if (containsAggregate(e)) {
                    return true;
                }
            }
            for (Statement.OrderItem o : select.orderBy()) {
                if (containsAggregate(o.expr())) {
                    return true;
                }
            }
            return false;
        }

        // ---- aggregation ----------------------------------------------------------------------------------------

        private void planAggregation(ExprCompiler.Scope rowScope) {
            compiler.aggregateForbiddenIn = "GROUP BY";
            for (Expr g : select.groupBy()) {
                Expr key = groupKeyExpr(g);
                String k = exprKey(key);
                if (groupKeyIndex.containsKey(k)) {
                    continue;
                }
                groupKeyIndex.put(k, groupKeys.size());
                groupKeys.add(compiler.compile(key, rowScope, null, null));
            }
            ExprCompiler.Interceptor interceptor = e -> interceptGroupExpr(e, rowScope);
            ExprCompiler.Scope groupScope = ref -> {
                rowScope.resolve(ref); // 42703 before 42803
                throw new SqlError("42803", "column must appear in the GROUP BY clause or be used in an aggregate function [column="
                        + ref.name() + "]", ref.position());
            };
            for (Expr e : outputExprs) {
                outputs.add(compiler.compile(e, groupScope, null, interceptor));
            }
            if (select.having() != null) {
                Ev h = compiler.compile(select.having(), groupScope, DataType.BOOL, interceptor);
                if (h.type != DataType.BOOL) {
                    throw Errors.datatypeMismatch("argument of HAVING must be type boolean, not type "
                            + Values.typeName(h.type), select.having().position());
                }
                having = h;
            }
        }

        /** GROUP BY 1 and GROUP BY alias refer to the select list, as in PostgreSQL. */
        private Expr groupKeyExpr(Expr g) {
            if (g instanceof Expr.Literal l && l.value() instanceof Long n) {
                if (n < 1 || n > outputExprs.size()) {
                    throw new SqlError("42P10", "GROUP BY position is not in select list [position=" + n + "]", l.position());
                }
                return outputExprs.get((int) (n - 1));
            }
            if (g instanceof Expr.ColumnRef c && c.qualifier() == null && !isSourceColumn(c.name())) {
                int i = outputNames.indexOf(c.name());
                if (i >= 0) {
                    return outputExprs.get(i);
                }
            }
            return g;
        }

        private boolean isSourceColumn(String name) {
            for (ColumnSpec c : sourceColumns) {
                if (c.name().equals(name)) {
                    return true;
                }
            }
            return false;
        }

        private Ev interceptGroupExpr(Expr e, ExprCompiler.Scope rowScope) {
            Integer key = groupKeyIndex.get(exprKey(e));
            if (key != null) {
                return new Ev.Slot(key, groupKeys.get(key).type);
            }
            if (e instanceof Expr.FunctionCall f && ExprCompiler.isAggregateName(f.name())) {
                Ev arg = null;
                int column = -1;
                if (f.star()) {
                    if (!f.name().equals("count")) {
                        throw new SqlError("42601", "only count accepts * [function=" + f.name() + "]", f.position());
                    }
                } else {
                    if (f.args().size() != 1) {
                        throw Errors.undefinedFunction(f.name() + " with " + f.args().size() + " arguments", f.position());
                    }
                    String saved = compiler.aggregateForbiddenIn;
                    compiler.aggregateForbiddenIn = "aggregate function arguments (calls cannot be nested)";
                    arg = compiler.compile(f.args().get(0), rowScope, null, null);
                    compiler.aggregateForbiddenIn = saved;
                    if (arg instanceof Ev.Slot s && sourceKind == SourceKind.TABLE) {
                        column = s.index;
                    }
                }
                DataType type = Aggregates.resultType(f.name(), arg, f.position());
                if (arg != null && arg.adaptable() && !f.name().equals("count")) {
                    arg = new Ev.Cast(arg, type);
                }
                aggs.add(new Aggregates.Spec(f.name(), arg, f.distinct(), type, column));
                return new Ev.Slot(groupKeys.size() + aggs.size() - 1, type);
            }
            return null;
        }

        // ---- ORDER BY, LIMIT --------------------------------------------------------------------------------------

        private void planOrderBy(ExprCompiler.Scope rowScope) {
            for (Statement.OrderItem o : select.orderBy()) {
                int index = -1;
                Expr e = o.expr();
                if (e instanceof Expr.Literal l && l.value() instanceof Long n) {
                    if (n < 1 || n > visible) {
                        throw new SqlError("42P10", "ORDER BY position is not in select list [position=" + n + "]", l.position());
                    }
                    index = (int) (n - 1);
                } else if (e instanceof Expr.ColumnRef c && c.qualifier() == null) {
                    int first = outputNames.indexOf(c.name());
                    if (first >= 0 && (first == outputNames.lastIndexOf(c.name()) || !isSourceColumn(c.name()))) {
                        index = first;
                    }
                }
                if (index < 0) {
                    Ev key;
                    if (aggregate) {
                        ExprCompiler.Scope groupScope = ref -> {
                            rowScope.resolve(ref);
                            throw new SqlError("42803", "column must appear in the GROUP BY clause or be used in an aggregate function [column="
                                    + ref.name() + "]", ref.position());
                        };
                        key = compiler.compile(e, groupScope, null, x -> interceptGroupExpr(x, rowScope));
                    } else {
                        compiler.aggregateForbiddenIn = "this context";
                        key = compiler.compile(e, rowScope, null, null);
                    }
                    outputs.add(key);
                    index = outputs.size() - 1;
                }
                boolean nullsFirst = o.nullsFirst() != null ? o.nullsFirst() : o.descending();
                sort.add(new SortKey(index, o.descending(), nullsFirst));
            }
        }

        private Ev limitExpr(Expr e, String clause) {
            if (e == null) {
                return null;
            }
            compiler.aggregateForbiddenIn = clause;
            Ev ev = compiler.compile(e, ExprCompiler.NO_COLUMNS, DataType.INT8, null);
            if (ev.type != DataType.INT8 && ev.type != DataType.INT4) {
                ev = compiler.cast(ev, DataType.INT8, e.position());
            }
            return ev;
        }

        private int[] neededRowColumns() {
            BitSet needed = new BitSet();
            if (residual != null) {
                collectSlots(residual, needed);
            }
            if (aggregate) {
                for (Ev k : groupKeys) {
                    collectSlots(k, needed);
                }
                for (Aggregates.Spec s : aggs) {
                    if (s.arg() != null) {
                        collectSlots(s.arg(), needed);
                    }
                }
            } else {
                for (Ev o : outputs) {
                    collectSlots(o, needed);
                }
            }
            return needed.stream().toArray();
        }
    }

    /** The column names PostgreSQL gives unaliased select items. */
    static String defaultName(Expr e) {
        if (e instanceof Expr.ColumnRef c) {
            return c.name();
        }
        if (e instanceof Expr.FunctionCall f) {
            return f.name();
        }
        if (e instanceof Expr.Cast c) {
            if (c.operand() instanceof Expr.ColumnRef || c.operand() instanceof Expr.FunctionCall) {
                return defaultName(c.operand());
            }
            return Values.castColumnName(ExprCompiler.dataType(c.type()));
        }
        return "?column?";
    }

    static boolean containsAggregate(Expr e) {
        if (e instanceof Expr.FunctionCall f) {
            if (ExprCompiler.isAggregateName(f.name())) {
                return true;
            }
            for (Expr a : f.args()) {
                if (containsAggregate(a)) {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Expr.Unary u) {
            return containsAggregate(u.operand());
        }
        if (e instanceof Expr.Binary b) {
            return containsAggregate(b.left()) || containsAggregate(b.right());
        }
        if (e instanceof Expr.IsNull n) {
            return containsAggregate(n.operand());
        }
        if (e instanceof Expr.Between b) {
            return containsAggregate(b.operand()) || containsAggregate(b.low()) || containsAggregate(b.high());
        }
        if (e instanceof Expr.InList in) {
            if (containsAggregate(in.operand())) {
                return true;
            }
            for (Expr i : in.items()) {
                if (containsAggregate(i)) {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Expr.Cast c) {
            return containsAggregate(c.operand());
        }
        return false;
    }

    /** A text key of an expression that ignores positions and qualifiers, to match GROUP BY expressions. */
    static String exprKey(Expr e) {
        if (e instanceof Expr.Literal l) {
            return "lit(" + (l.value() == null ? "null" : l.value().getClass().getSimpleName() + ":" + l.value()) + ")";
        }
        if (e instanceof Expr.Parameter p) {
            return "$" + p.index();
        }
        if (e instanceof Expr.ColumnRef c) {
            return "col(" + c.name() + ")";
        }
        if (e instanceof Expr.Unary u) {
            return u.op() + "(" + exprKey(u.operand()) + ")";
        }
        if (e instanceof Expr.Binary b) {
            return b.op() + "(" + exprKey(b.left()) + "," + exprKey(b.right()) + ")";
        }
        if (e instanceof Expr.IsNull n) {
            return "isnull" + n.negated() + "(" + exprKey(n.operand()) + ")";
        }
        if (e instanceof Expr.Between b) {
            return "between" + b.negated() + "(" + exprKey(b.operand()) + "," + exprKey(b.low()) + "," + exprKey(b.high()) + ")";
        }
        if (e instanceof Expr.InList in) {
            StringBuilder sb = new StringBuilder("in" + in.negated() + "(" + exprKey(in.operand()));
            for (Expr i : in.items()) {
                sb.append(',').append(exprKey(i));
            }
            return sb.append(')').toString();
        }
        if (e instanceof Expr.Cast c) {
            return "cast(" + exprKey(c.operand()) + "," + c.type() + ")";
        }
        if (e instanceof Expr.FunctionCall f) {
            StringBuilder sb = new StringBuilder("fn:" + f.name() + (f.star() ? "*" : "") + (f.distinct() ? "d" : "") + "(");
            for (Expr a : f.args()) {
                sb.append(exprKey(a)).append(',');
            }
            return sb.append(')').toString();
        }
        return e.toString();
    }

    /** Adds the source slots an expression reads. */
    static void collectSlots(Ev e, BitSet out) {
        if (e instanceof Ev.Slot s) {
            out.set(s.index);
        } else if (e instanceof Ev.Not n) {
            collectSlots(n.operand, out);
        } else if (e instanceof Ev.Logic l) {
            collectSlots(l.left, out);
            collectSlots(l.right, out);
        } else if (e instanceof Ev.IsNull n) {
            collectSlots(n.operand, out);
        } else if (e instanceof Ev.Compare c) {
            collectSlots(c.left, out);
            collectSlots(c.right, out);
        } else if (e instanceof Ev.InList in) {
            collectSlots(in.operand, out);
            for (Ev i : in.items) {
                collectSlots(i, out);
            }
        } else if (e instanceof Ev.Arith a) {
            collectSlots(a.left, out);
            collectSlots(a.right, out);
        } else if (e instanceof Ev.Negate n) {
            collectSlots(n.operand, out);
        } else if (e instanceof Ev.Concat c) {
            collectSlots(c.left, out);
            collectSlots(c.right, out);
        } else if (e instanceof Ev.Cast c) {
            collectSlots(c.operand, out);
        } else if (e instanceof Ev.Call c) {
            for (Ev a : c.args) {
                collectSlots(a, out);
            }
        }
    }

    // =============================================================================================================
    // execution
    // =============================================================================================================

    /** Runs the plan: opens the snapshot now and returns a cursor that owns it. */
    Result execute(Engine engine, Ev.Ctx ctx, InsertPlan.OwnRows ownRows) {
        long limitRows = bound(limit, ctx, "LIMIT", "2201W");
        long offsetRows = bound(offset, ctx, "OFFSET", "2201X");
        Source source = openSource(engine, ctx, ownRows);
        try {
            if (!aggregate && sort.length == 0) {
                return new Result.Rows(columns, new StreamingCursor(source, ctx, offsetRows, limitRows), "SELECT");
            }
            List<Object[]> rows;
            if (!aggregate && limitRows >= 0 && limitRows + Math.max(offsetRows, 0) < TOP_N_MAX) {
                rows = topN(source, ctx, (int) (limitRows + Math.max(offsetRows, 0)));
            } else {
                rows = aggregate ? aggregateRows(source, ctx) : projectAll(source, ctx);
            }
            source.close();
            if (sort.length > 0) {
                rows.sort(comparator());
            }
            return new Result.Rows(columns, new ListCursor(rows, visible, offsetRows, limitRows), "SELECT");
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
    }

    private static long bound(Ev e, Ev.Ctx ctx, String clause, String state) {
        if (e == null) {
            return -1;
        }
        Object v = e.eval(ctx);
        if (v == null) {
            return -1;
        }
        long n = ((Number) v).longValue();
        if (n < 0) {
            throw new SqlError(state, clause + " must not be negative [value=" + n + "]");
        }
        return n;
    }

    /** Rows of the FROM clause as boxed arrays, after the WHERE clause. */
    private final class Source implements AutoCloseable {
        final TableScanner scanner;
        final List<Object[]> list;
        int listPos;
        final Object[] row;
        final Ev.Ctx ctx;
        boolean scannerDone;

        Source(TableScanner scanner, List<Object[]> list, Ev.Ctx ctx) {
            this.scanner = scanner;
            this.list = list;
            this.ctx = ctx;
            this.row = new Object[Math.max(sourceWidth, 1)];
        }

        /** The next row passing the WHERE clause, in a reused array, or null at the end. */
        Object[] next() {
            while (true) {
                if (scanner != null && !scannerDone) {
                    if (scanner.nextRow(row)) {
                        if (residual != null) {
                            ctx.row = row;
                            if (residual.eval(ctx) != Boolean.TRUE) {
                                continue;
                            }
                        }
                        scanner.completeRow(row);
                        return row;
                    }
                    scannerDone = true;
                }
                Object[] r = nextListed();
                if (r == null) {
                    return null;
                }
                return r;
            }
        }

        /**
         * The next row of the list: the rows of a table function, or the transaction's own uncommitted rows
         * after the scanned ones (those did not pass the range filters, so the whole WHERE applies).
         */
        Object[] nextListed() {
            Ev filter = scanner != null ? where : residual;
            while (list != null && listPos < list.size()) {
                Object[] r = list.get(listPos++);
                if (filter != null) {
                    ctx.row = r;
                    if (filter.eval(ctx) != Boolean.TRUE) {
                        continue;
                    }
                }
                return r;
            }
            return null;
        }

        @Override
        public void close() {
            if (scanner != null) {
                scanner.close();
            }
        }
    }

    private Source openSource(Engine engine, Ev.Ctx ctx, InsertPlan.OwnRows ownRows) {
        switch (sourceKind) {
            case NONE:
                return new Source(null, List.<Object[]>of(new Object[0]), ctx);
            case TABLES_FUNCTION: {
                List<Object[]> rows = new ArrayList<>();
                for (TableInfo t : engine.tables()) {
                    rows.add(new Object[] {t.name(), t.partitionBy().name(), t.timestampColumn(), t.rowCount(),
                            t.partitionCount(), ttlText(engine, t.name())});
                }
                return new Source(null, rows, ctx);
            }
            case SYSTEM_FUNCTION:
                return new Source(null, SystemFunctions.rows(table, engine), ctx);
            default:
                break;
        }
        TableSnapshot snapshot;
        try {
            snapshot = engine.snapshot(table);
        } catch (io.stillpoint.storage.StorageException e) {
            throw Errors.fromStorage(e, 0);
        }
        try {
            // The session re-plans a prepared statement whose table changed (PlanDependencies); this catches an
            // ALTER that lands between that check and this snapshot. Identity first: the O(1) common case.
            if (snapshot.schema() != schema && !snapshot.schema().columns().equals(schema.columns())) {
                throw new SqlError("0A000", DEFINITION_CHANGED + " [table=" + table + "]");
            }
            TableScanner.RangeFilter[] filters = bindFilters(ctx);
            List<Object[]> own = ownRows == null ? List.of() : ownRows.of(table);
            return new Source(new TableScanner(snapshot, filters, residualColumns, restColumns, ctx.guard), own.isEmpty() ? null : own, ctx);
        } catch (RuntimeException | Error e) {
            snapshot.close();
            throw e;
        }
    }

    /** The table's TTL as {@code tables()} shows it ({@code 30 DAYS}), null when it has none or is gone. */
    private static String ttlText(Engine engine, String table) {
        try {
            io.stillpoint.storage.Ttl ttl = engine.schema(table).ttl();
            return ttl == null ? null : ttl.toString();
        } catch (io.stillpoint.storage.StorageException e) {
            return null; // dropped since the listing was taken
        }
    }

    /** Evaluates the constants of the range filters and merges them into one range per column. */
    private TableScanner.RangeFilter[] bindFilters(Ev.Ctx ctx) {
        if (fast.isEmpty()) {
            return new TableScanner.RangeFilter[0];
        }
        Map<Integer, TableScanner.RangeFilter> byColumn = new LinkedHashMap<>();
        List<TableScanner.RangeFilter> textFilters = new ArrayList<>();
        for (FastConjunct f : fast) {
            if (f.columnType() == ColumnType.VARCHAR) {
                Object v = f.constant().eval(ctx);
                textFilters.add(TableScanner.RangeFilter.textEquals(f.column(), v == null ? null : v.toString()));
                continue;
            }
            boolean doubles = f.columnType() == ColumnType.DOUBLE;
            TableScanner.RangeFilter r = byColumn.computeIfAbsent(f.column(), c -> new TableScanner.RangeFilter(c, doubles));
            Object v = f.constant().eval(ctx);
            if (v == null) {
                // column op NULL is never true
                r.lo = 1;
                r.hi = 0;
                r.dlo = 1;
                r.dhi = 0;
                continue;
            }
            if (doubles) {
                double d = ((Number) v).doubleValue();
                switch (f.op()) {
                    case EQ -> { r.dlo = Math.max(r.dlo, d); r.dhi = Math.min(r.dhi, d); }
                    case LT -> r.dhi = Math.min(r.dhi, Math.nextDown(d));
                    case LE -> r.dhi = Math.min(r.dhi, d);
                    case GT -> r.dlo = Math.max(r.dlo, Math.nextUp(d));
                    case GE -> r.dlo = Math.max(r.dlo, d);
                    default -> throw new IllegalStateException("not a range operator: " + f.op());
                }
            } else if (v instanceof Double dv) {
                narrowLong(r, f.op(), dv);
            } else {
                long l = ((Number) v).longValue();
                switch (f.op()) {
                    case EQ -> { r.lo = Math.max(r.lo, l); r.hi = Math.min(r.hi, l); }
                    case LT -> { if (l == Long.MIN_VALUE) { r.lo = 1; r.hi = 0; } else { r.hi = Math.min(r.hi, l - 1); } }
                    case LE -> r.hi = Math.min(r.hi, l);
                    case GT -> { if (l == Long.MAX_VALUE) { r.lo = 1; r.hi = 0; } else { r.lo = Math.max(r.lo, l + 1); } }
                    case GE -> r.lo = Math.max(r.lo, l);
                    default -> throw new IllegalStateException("not a range operator: " + f.op());
                }
            }
        }
        // Numeric ranges first: they are cheaper than string comparisons and narrow the selection.
        List<TableScanner.RangeFilter> all = new ArrayList<>(byColumn.values());
        all.addAll(textFilters);
        return all.toArray(new TableScanner.RangeFilter[0]);
    }

    /** An integer column compared with a double: the equivalent integer bounds. */
    private static void narrowLong(TableScanner.RangeFilter r, BinaryOp op, double d) {
        if (Double.isNaN(d)) {
            // NaN is larger than every number in PostgreSQL's ordering
            if (op == BinaryOp.EQ || op == BinaryOp.GT || op == BinaryOp.GE) {
                r.lo = 1;
                r.hi = 0;
            }
            return;
        }
        double floor = Math.floor(d);
        double ceil = Math.ceil(d);
        switch (op) {
            case EQ -> {
                if (floor != d || d < -9.2e18 || d > 9.2e18) {
                    r.lo = 1;
                    r.hi = 0;
                } else {
                    r.lo = Math.max(r.lo, (long) d);
                    r.hi = Math.min(r.hi, (long) d);
                }
            }
            case LT -> {
                // x < d  <=>  x <= ceil(d) - 1
                if (ceil <= -9.223372036854775808E18) {
                    r.lo = 1;
                    r.hi = 0;
                } else {
                    r.hi = Math.min(r.hi, ceil >= 9.223372036854775807E18 ? Long.MAX_VALUE : (long) ceil - 1);
                }
            }
            case LE -> r.hi = Math.min(r.hi, clampLong(floor));
            case GT -> {
                // x > d  <=>  x >= floor(d) + 1
                if (floor >= 9.223372036854775807E18) {
                    r.lo = 1;
                    r.hi = 0;
                } else {
                    r.lo = Math.max(r.lo, floor <= -9.223372036854775808E18 ? Long.MIN_VALUE : (long) floor + 1);
                }
            }
            case GE -> r.lo = Math.max(r.lo, clampLong(ceil));
            default -> throw new IllegalStateException("not a range operator: " + op);
        }
    }

    private static long clampLong(double d) {
        if (d <= -9.223372036854775808E18) {
            return Long.MIN_VALUE;
        }
        if (d >= 9.223372036854775807E18) {
            return Long.MAX_VALUE;
        }
        return (long) d;
    }

    private Object[] project(Object[] row, Ev.Ctx ctx) {
        ctx.row = row;
        Object[] out = new Object[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            out[i] = outputs[i].eval(ctx);
        }
        return out;
    }

    private List<Object[]> projectAll(Source source, Ev.Ctx ctx) {
        List<Object[]> rows = new ArrayList<>();
        Object[] r;
        while ((r = source.next()) != null) {
            rows.add(project(r, ctx));
        }
        return rows;
    }

    /** Up to this many rows, ORDER BY ... LIMIT keeps only the best rows in a heap instead of sorting all. */
    private static final int TOP_N_MAX = 100_000;

    /** The first {@code n} rows in sort order (unsorted), keeping at most n rows in memory. */
    private List<Object[]> topN(Source source, Ev.Ctx ctx, int n) {
        if (n == 0) {
            return new ArrayList<>();
        }
        Comparator<Object[]> order = comparator();
        java.util.PriorityQueue<Object[]> heap = new java.util.PriorityQueue<>(n + 1, order.reversed());
        Object[] r;
        while ((r = source.next()) != null) {
            Object[] out = project(r, ctx);
            if (heap.size() < n) {
                heap.add(out);
            } else if (order.compare(out, heap.peek()) < 0) {
                heap.poll();
                heap.add(out);
            }
        }
        return new ArrayList<>(heap);
    }

    /** Groups, aggregates, applies HAVING and projects; one output row per group. */
    private List<Object[]> aggregateRows(Source source, Ev.Ctx ctx) {
        List<Object[]> groupRows = new ArrayList<>();
        if (groupKeys.length == 0) {
            Aggregates.Acc[] accs = newAccumulators();
            if (source.scanner != null && residual == null && columnarAggregates()) {
                TableScanner.Batch b;
                while ((b = source.scanner.nextBatch()) != null) {
                    for (int i = 0; i < aggs.length; i++) {
                        Aggregates.Spec s = aggs[i];
                        if (s.arg() == null) {
                            accs[i].addRows(b.n);
                        } else {
                            accs[i].addChunk(b.column(s.column()), b.sel, b.n);
                        }
                    }
                }
                source.scannerDone = true;
                Object[] own;
                while ((own = source.nextListed()) != null) {
                    accumulate(accs, own, ctx);
                }
            } else {
                Object[] r;
                while ((r = source.next()) != null) {
                    accumulate(accs, r, ctx);
                }
            }
            groupRows.add(groupRow(new Object[0], accs));
        } else {
            Map<GroupKey, Aggregates.Acc[]> groups = new LinkedHashMap<>();
            Object[] r;
            while ((r = source.next()) != null) {
                ctx.row = r;
                Object[] key = new Object[groupKeys.length];
                for (int i = 0; i < key.length; i++) {
                    key[i] = groupKeys[i].eval(ctx);
                }
                Aggregates.Acc[] accs = groups.computeIfAbsent(new GroupKey(key), k -> newAccumulators());
                accumulate(accs, r, ctx);
            }
            for (Map.Entry<GroupKey, Aggregates.Acc[]> e : groups.entrySet()) {
                groupRows.add(groupRow(e.getKey().values, e.getValue()));
            }
        }
        List<Object[]> out = new ArrayList<>(groupRows.size());
        for (Object[] g : groupRows) {
            if (having != null) {
                ctx.row = g;
                if (having.eval(ctx) != Boolean.TRUE) {
                    continue;
                }
            }
            out.add(project(g, ctx));
        }
        return out;
    }

    private boolean columnarAggregates() {
        for (Aggregates.Spec s : aggs) {
            if (!s.columnar()) {
                return false;
            }
        }
        return true;
    }

    private Aggregates.Acc[] newAccumulators() {
        Aggregates.Acc[] accs = new Aggregates.Acc[aggs.length];
        for (int i = 0; i < accs.length; i++) {
            accs[i] = aggs[i].newAccumulator();
        }
        return accs;
    }

    private void accumulate(Aggregates.Acc[] accs, Object[] row, Ev.Ctx ctx) {
        ctx.row = row;
        for (int i = 0; i < accs.length; i++) {
            Aggregates.Spec s = aggs[i];
            accs[i].add(s.arg() == null ? Boolean.TRUE : s.arg().eval(ctx));
        }
    }

    private Object[] groupRow(Object[] key, Aggregates.Acc[] accs) {
        Object[] g = new Object[key.length + accs.length];
        System.arraycopy(key, 0, g, 0, key.length);
        for (int i = 0; i < accs.length; i++) {
            g[key.length + i] = accs[i].result();
        }
        return g;
    }

    /** Group keys compare by value; NULLs group together, as in SQL's GROUP BY. */
    private record GroupKey(Object[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof GroupKey k && java.util.Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(values);
        }
    }

    private Comparator<Object[]> comparator() {
        SortKey[] keys = sort;
        return (a, b) -> {
            for (SortKey k : keys) {
                Object x = a[k.output()];
                Object y = b[k.output()];
                int c;
                if (x == null || y == null) {
                    if (x == y) {
                        continue;
                    }
                    // nulls first/last regardless of direction
                    c = (x == null) == k.nullsFirst() ? -1 : 1;
                    return c;
                }
                c = Values.compare(x, y);
                if (c != 0) {
                    return k.descending() ? -c : c;
                }
            }
            return 0;
        };
    }

    /** Streams rows from the source through the projection, applying OFFSET and LIMIT. */
    private final class StreamingCursor implements RowCursor {
        private final Source source;
        private final Ev.Ctx ctx;
        private long toSkip;
        private long remaining;
        private boolean closed;

        StreamingCursor(Source source, Ev.Ctx ctx, long offset, long limit) {
            this.source = source;
            this.ctx = ctx;
            this.toSkip = Math.max(offset, 0);
            this.remaining = limit;
        }

        @Override
        public Object[] next() {
            if (closed || remaining == 0) {
                close();
                return null;
            }
            try {
                while (true) {
                    Object[] r = source.next();
                    if (r == null) {
                        close();
                        return null;
                    }
                    if (toSkip > 0) {
                        toSkip--;
                        continue;
                    }
                    if (remaining > 0) {
                        remaining--;
                    }
                    return project(r, ctx);
                }
            } catch (Throwable t) {
                close();
                throw Errors.wrap(t);
            }
        }

        /**
         * Whole chunks of the scan when the query is a plain {@code SELECT col, ... FROM t} (every output a source
         * column, no residual predicate, OFFSET or LIMIT): range filters still apply through the batch's
         * selection. Null otherwise, and at the end of the scan.
         */
        @Override
        public RowBatch nextBatch() {
            if (closed || source.scanner == null || source.scannerDone || residual != null || toSkip > 0
                    || remaining >= 0 || outputs.length != columns.size()) {
                return null;
            }
            if (batchColumns == null) {
                int[] map = new int[outputs.length];
                for (int i = 0; i < outputs.length; i++) {
                    if (!(outputs[i] instanceof Ev.Slot slot) || slot.type != columns.get(i).type()) {
                        return null;
                    }
                    map[i] = slot.index;
                }
                batchColumns = map;
            }
            try {
                TableScanner.Batch b = source.scanner.nextBatch();
                if (b == null) {
                    source.scannerDone = true;
                    return null;
                }
                scanBatch = b;
                return batchView;
            } catch (Throwable t) {
                close();
                throw Errors.wrap(t);
            }
        }

        /** Result column -> source column, once the query is known to qualify for batches. */
        private int[] batchColumns;
        private TableScanner.Batch scanBatch;
        private final RowBatch batchView = new RowBatch() {
            @Override
            public int size() {
                return scanBatch.n;
            }

            @Override
            public int row(int k) {
                return scanBatch.row(k);
            }

            @Override
            public io.stillpoint.storage.ColumnChunk column(int c) {
                return scanBatch.column(batchColumns[c]);
            }
        };

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                source.close();
            }
        }
    }

    /** Rows already computed; returns the first {@code visible} values of each. */
    static final class ListCursor implements RowCursor {
        private final List<Object[]> rows;
        private final int visible;
        private int pos;
        private final int end;

        ListCursor(List<Object[]> rows, int visible, long offset, long limit) {
            this.rows = rows;
            this.visible = visible;
            this.pos = (int) Math.min(rows.size(), Math.max(offset, 0));
            this.end = limit < 0 ? rows.size() : (int) Math.min(rows.size(), pos + limit);
        }

        @Override
        public Object[] next() {
            if (pos >= end) {
                return null;
            }
            Object[] r = rows.get(pos++);
            return r.length == visible ? r : java.util.Arrays.copyOf(r, visible);
        }

        @Override
        public void close() {
            pos = end;
        }
    }

    @Override
    public String toString() {
        return "SelectPlan[" + sourceKind + " " + Objects.toString(table, "") + "]";
    }
}
