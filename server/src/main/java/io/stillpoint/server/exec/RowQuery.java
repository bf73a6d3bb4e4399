package io.stillpoint.server.exec;

import io.stillpoint.sql.IntervalValue;
import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The row-at-a-time query engine for what the columnar {@link SelectPlan} does not run: joins, subqueries (in FROM,
 * scalar, ARRAY(...), EXISTS, IN), UNION, CASE, LIKE and regular expressions, {@code = ANY(array)}, arrays and
 * subscripts, row_number() OVER, and the {@link Catalog} tables with the functions catalog queries call
 * (format_type, pg_table_is_visible, pg_get_userbyid, ...). psql's and pgjdbc's metadata queries run here.
 *
 * <p>Everything is materialised as lists of rows and joined by nested loops (a hash table when the ON condition
 * has an equality between the two sides), which suits catalogs of a few hundred rows and small joins of user
 * tables; user tables are read through a {@code SELECT *} {@link SelectPlan}, so a transaction sees its own rows.
 * Values are dynamically typed Java objects (Boolean, Integer, Long, Double, String, TIMESTAMP as Long micros,
 * arrays as {@link List}); each expression also has a static {@link DataType} for the RowDescription, and values
 * are converted to it on output. Untyped literals compare with whatever they meet, as PostgreSQL's unknown type does.
 */
final class RowQuery {

    /** Functions only this engine implements: a query calling one is routed here. */
    static final Set<String> ROW_ONLY_FUNCTIONS = Set.of("format_type", "pg_table_is_visible",
            "pg_type_is_visible", "pg_get_userbyid", "obj_description", "col_description", "shobj_description",
            "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_triggerdef", "pg_get_viewdef",
            "pg_get_statisticsobjdef_columns", "pg_relation_is_publishable", "array_to_string", "array_upper",
            "array_lower", "array_length", "cardinality", "pg_encoding_to_char", "current_catalog",
            "current_schemas", "nullif", "concat", "replace", "quote_ident", "has_table_privilege",
            "has_schema_privilege", "has_database_privilege", "pg_has_role", "pg_is_in_recovery", "string_agg",
            "array_agg", "bool_and", "bool_or", "every", "pg_backend_pid", "btrim", "position", "strpos",
            "substr", "substring", "left", "right", "starts_with", "pg_table_size", "pg_relation_size",
            "pg_total_relation_size", "pg_indexes_size", "pg_size_pretty", "pg_function_is_visible",
            "pg_get_function_result", "pg_get_function_arguments", "ltrim", "rtrim", "unnest", "generate_series",
            "information_schema._pg_expandarray");

    /** Set-returning functions allowed in the select list (one output row per element, in lockstep). */
    private static final Set<String> SET_RETURNING = Set.of("unnest", "generate_series",
            "information_schema._pg_expandarray");

    /**
     * The most rows one statement may materialise in this engine (joins, scans, series, set-returning functions);
     * not final only so that a test can lower it.
     */
    static volatile long maxRows = 2_000_000;

    private static final Set<String> AGGREGATES = Set.of("count", "sum", "min", "max", "avg", "string_agg",
            "array_agg", "bool_and", "bool_or", "every");

    private static final String VERSION =
            "PostgreSQL 15.0 (Stillpoint 0.1.0) on x86_64-pc-linux-gnu, compiled by javac, 64-bit";

    final List<ResultColumn> columns;
    private final Query query;
    private final Catalog.SessionView session;

    private RowQuery(List<ResultColumn> columns, Query query, Catalog.SessionView session) {
        this.columns = columns;
        this.query = query;
        this.session = session;
    }

    // =============================================================================================================
    // routing
    // =============================================================================================================

    /** True if {@code st} needs this engine: a union, a join or subquery, a catalog table, or an expression only this engine runs. */
    static boolean handles(Statement st) {
        if (st instanceof Statement.Union) {
            return true;
        }
        if (!(st instanceof Statement.Select s)) {
            return false;
        }
        if (s.distinct()) {
            return true;
        }
        if (s.from() != null) {
            if (s.from() instanceof Statement.FromSource.Join || s.from() instanceof Statement.FromSource.Subquery
                    || s.from() instanceof Statement.FromSource.ColumnAliases) {
                return true;
            }
            if (s.from() instanceof Statement.FromSource.Table t && Catalog.isCatalogName(t.name())) {
                return true;
            }
            if (s.from() instanceof Statement.FromSource.TableFunction f
                    && (f.name().equals("generate_series") || f.name().equals("unnest"))) {
                return true;
            }
        }
        for (Statement.SelectItem item : s.items()) {
            if (item instanceof Statement.SelectItem.Item i && needsRows(i.expr())) {
                return true;
            }
        }
        for (Expr e : s.groupBy()) {
            if (needsRows(e)) {
                return true;
            }
        }
        for (Statement.OrderItem o : s.orderBy()) {
            if (needsRows(o.expr())) {
                return true;
            }
        }
        return needsRows(s.where()) || needsRows(s.having());
    }

    private static boolean needsRows(Expr e) {
        if (e == null || e instanceof Expr.Literal || e instanceof Expr.Parameter || e instanceof Expr.ColumnRef) {
            return false;
        }
        if (e instanceof Expr.Case || e instanceof Expr.Like || e instanceof Expr.RegexMatch
                || e instanceof Expr.ScalarSubquery || e instanceof Expr.ArraySubquery || e instanceof Expr.Exists
                || e instanceof Expr.InSubquery || e instanceof Expr.Quantified || e instanceof Expr.ArrayLiteral
                || e instanceof Expr.Subscript || e instanceof Expr.WindowCall || e instanceof Expr.CatalogCast) {
            return true;
        }
        if (e instanceof Expr.FunctionCall f) {
            if (ROW_ONLY_FUNCTIONS.contains(f.name())) {
                return true;
            }
            for (Expr a : f.args()) {
                if (needsRows(a)) {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Expr.Unary u) {
            return needsRows(u.operand());
        }
        if (e instanceof Expr.Binary b) {
            return needsRows(b.left()) || needsRows(b.right());
        }
        if (e instanceof Expr.IsNull n) {
            return needsRows(n.operand());
        }
        if (e instanceof Expr.Between b) {
            return needsRows(b.operand()) || needsRows(b.low()) || needsRows(b.high());
        }
        if (e instanceof Expr.InList in) {
            if (needsRows(in.operand())) {
                return true;
            }
            for (Expr i : in.items()) {
                if (needsRows(i)) {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Expr.Cast c) {
            return needsRows(c.operand());
        }
        return true;
    }

    // =============================================================================================================
    // planning
    // =============================================================================================================

    /** Compiles a SELECT or UNION; {@code paramTypes} entries still null after compilation are left to the caller. */
    static RowQuery plan(Statement st, Engine engine, ExprCompiler.SessionInfo info, DataType[] paramTypes,
                         Catalog.SessionView session) {
        Compiler c = new Compiler(engine, info, paramTypes);
        Query q = c.query(st, null);
        List<ResultColumn> cols = new ArrayList<>();
        for (Col col : q.cols) {
            cols.add(new ResultColumn(col.name, outputType(col.type)));
        }
        return new RowQuery(List.copyOf(cols), q, session);
    }

    private static DataType outputType(DataType t) {
        return t == DataType.UNKNOWN ? DataType.TEXT : t;
    }

    Result execute(Engine engine, Ev.Ctx ctx, InsertPlan.OwnRows ownRows) {
        Exec x = new Exec(engine, ctx, ownRows, new Catalog.Snapshot(engine, session));
        List<Object[]> rows = query.run(null, x);
        List<Object[]> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            Object[] o = new Object[columns.size()];
            for (int i = 0; i < o.length; i++) {
                o[i] = toOutput(r[i], columns.get(i).type(), query.cols.get(i).type);
            }
            out.add(o);
        }
        return new Result.Rows(columns, new SelectPlan.ListCursor(out, columns.size(), 0, -1), "SELECT");
    }

    /** Converts a value to the Java type of its column's {@link DataType}. */
    static Object toOutput(Object v, DataType t, DataType staticType) {
        if (v == null) {
            return null;
        }
        return switch (t) {
            case BOOL -> v instanceof Boolean ? v : Values.parseBoolean(text(v, staticType));
            case INT2 -> v instanceof Number n ? (Object) (short) n.longValue() : (Object) Short.parseShort(text(v, staticType));
            case INT4 -> v instanceof Number n ? (Object) (int) n.longValue() : (Object) Integer.parseInt(text(v, staticType));
            case INT8, TIMESTAMP -> v instanceof Number n ? (Object) n.longValue() : (Object) Long.parseLong(text(v, staticType));
            case FLOAT4 -> v instanceof Number n ? (Object) n.floatValue() : (Object) Float.parseFloat(text(v, staticType));
            case FLOAT8 -> v instanceof Number n ? (Object) n.doubleValue() : (Object) Double.parseDouble(text(v, staticType));
            case NUMERIC -> new java.math.BigDecimal(text(v, staticType));
            case TEXT, VARCHAR, UNKNOWN -> text(v, staticType);
            case INTERVAL -> v instanceof IntervalValue ? v : Values.parseInterval(text(v, staticType));
        };
    }

    /** PostgreSQL's text form of a value (arrays as {@code {a,b}}). */
    static String text(Object v, DataType staticType) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object e = list.get(i);
                String s = e == null ? "NULL" : text(e, DataType.TEXT);
                boolean quote = e != null && (s.isEmpty() || s.chars().anyMatch(c -> c == ',' || c == '{' || c == '}'
                        || c == '"' || c == '\\' || Character.isWhitespace(c)) || s.equalsIgnoreCase("null"));
                sb.append(quote ? '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"' : s);
            }
            return sb.append('}').toString();
        }
        if (v instanceof Map<?, ?> composite) {
            StringBuilder sb = new StringBuilder("(");
            boolean first = true;
            for (Object field : composite.values()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                if (field != null) {
                    sb.append(text(field, DataType.TEXT));
                }
            }
            return sb.append(')').toString();
        }
        if (v instanceof Boolean b) {
            return staticType == DataType.BOOL ? (b ? "t" : "f") : (b ? "true" : "false");
        }
        return Values.toText(v, staticType == DataType.TIMESTAMP && v instanceof Long ? DataType.TIMESTAMP
                : DataType.TEXT);
    }

    // =============================================================================================================
    // runtime structures
    // =============================================================================================================

    /** An output or source column: the table qualifier it answers to (may be null), its name and static type. */
    record Col(String qualifier, String name, DataType type) {}

    /** Names visible to an expression: the columns of the current row, then the enclosing query's (correlation). */
    static final class Scope {
        final List<Col> cols;
        final Scope parent;

        Scope(List<Col> cols, Scope parent) {
            this.cols = cols;
            this.parent = parent;
        }
    }

    /** The current row and the enclosing query's row, for correlated subqueries. */
    static final class Frame {
        final Object[] v;
        final Frame outer;
        final Exec x;

        Frame(Object[] v, Frame outer, Exec x) {
            this.v = v;
            this.outer = outer;
            this.x = x;
        }
    }

    /** What one execution shares: the engine, parameters, the transaction's own rows and the catalog snapshot. */
    static final class Exec {
        final Engine engine;
        final Ev.Ctx ctx;
        final InsertPlan.OwnRows own;
        final Catalog.Snapshot catalog;

        Exec(Engine engine, Ev.Ctx ctx, InsertPlan.OwnRows own, Catalog.Snapshot catalog) {
            this.engine = engine;
            this.ctx = ctx;
            this.own = own;
            this.catalog = catalog;
        }

        /** Rows this statement has materialised; past {@link #maxRows} it stops with 54000 rather than exhaust memory. */
        private long materialised;

        void check() {
            if (ctx.guard != null) {
                ctx.guard.check();
            }
        }

        void grow(long rows) {
            materialised += rows;
            long limit = maxRows;
            if (materialised > limit) {
                throw new SqlError("54000", "query too large for the row engine, which runs joins, subqueries and "
                        + "catalog queries in memory [rows=" + materialised + ", limit=" + limit + "]");
            }
        }
    }

    interface Node {
        Object eval(Frame f);
    }

    /** A compiled expression: its code, static type, and the column name PostgreSQL would give it. */
    record CExpr(Node node, DataType type, String name, boolean constant) {
        CExpr(Node node, DataType type, String name) {
            this(node, type, name, false);
        }
    }

    /** A compiled relation (FROM item). */
    abstract static class Rel {
        List<Col> cols;

        abstract List<Object[]> rows(Frame outer, Exec x);
    }

    /** A compiled query (SELECT or UNION). */
    abstract static class Query {
        List<Col> cols;

        abstract List<Object[]> run(Frame outer, Exec x);
    }

    // =============================================================================================================
    // compiler
    // =============================================================================================================

    /** Turns AST into {@link Query}, {@link Rel} and {@link CExpr} trees. */
    static final class Compiler {
        private final Engine engine;
        private final ExprCompiler.SessionInfo info;
        private final DataType[] paramTypes;
        /** While set, the current-row columns an expression reads (for pushing WHERE conjuncts into joins). */
        private java.util.BitSet tracking;

        Compiler(Engine engine, ExprCompiler.SessionInfo info, DataType[] paramTypes) {
            this.engine = engine;
            this.info = info;
            this.paramTypes = paramTypes;
        }

        Query query(Statement st, Scope parent) {
            if (st instanceof Statement.Select s) {
                return select(s, parent);
            }
            if (st instanceof Statement.Union u) {
                return union(u, parent);
            }
            throw new SqlError("0A000", "statement not supported as a query [statement="
                    + st.getClass().getSimpleName() + "]");
        }

        // ---- FROM ----

        Rel rel(Statement.FromSource from, Scope parent) {
            if (from instanceof Statement.FromSource.Table t) {
                return table(t);
            }
            if (from instanceof Statement.FromSource.Subquery s) {
                Query q = query(s.query(), parent);
                Rel r = new Rel() {
                    @Override
                    List<Object[]> rows(Frame outer, Exec x) {
                        return q.run(outer, x);
                    }
                };
                r.cols = requalify(q.cols, s.alias());
                return r;
            }
            if (from instanceof Statement.FromSource.TableFunction f) {
                return tableFunction(f, parent);
            }
            if (from instanceof Statement.FromSource.ColumnAliases a) {
                Rel inner = rel(a.source(), parent);
                if (a.columns().size() > inner.cols.size()) {
                    throw new SqlError("42P10", "table has " + inner.cols.size() + " columns available but "
                            + a.columns().size() + " columns specified", a.position());
                }
                List<Col> cols = new ArrayList<>(inner.cols);
                for (int i = 0; i < a.columns().size(); i++) {
                    Col c = cols.get(i);
                    cols.set(i, new Col(c.qualifier, a.columns().get(i), c.type));
                }
                Rel r = new Rel() {
                    @Override
                    List<Object[]> rows(Frame outer, Exec x) {
                        return inner.rows(outer, x);
                    }
                };
                r.cols = List.copyOf(cols);
                return r;
            }
            Statement.FromSource.Join j = (Statement.FromSource.Join) from;
            return join(j, parent);
        }

        private static List<Col> requalify(List<Col> cols, String qualifier) {
            List<Col> out = new ArrayList<>();
            for (Col c : cols) {
                out.add(new Col(qualifier, c.name, c.type));
            }
            return List.copyOf(out);
        }

        private Rel table(Statement.FromSource.Table t) {
            Catalog.Table virtual = Catalog.lookup(t.name());
            String qualifier = t.alias() != null ? t.alias() : bareName(t.name());
            if (virtual != null) {
                List<Col> cols = new ArrayList<>();
                for (Catalog.Column c : virtual.columns()) {
                    cols.add(new Col(qualifier, c.name(), c.dataType()));
                }
                Rel r = new Rel() {
                    @Override
                    List<Object[]> rows(Frame outer, Exec x) {
                        return x.catalog.rows(virtual);
                    }
                };
                r.cols = List.copyOf(cols);
                return r;
            }
            if (Catalog.isCatalogName(t.name())) {
                throw Errors.undefinedTable(t.name(), t.position());
            }
            TableSchema schema;
            try {
                schema = engine.schema(t.name());
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                    throw Errors.undefinedTable(t.name(), t.position());
                }
                throw Errors.fromStorage(e, t.position());
            }
            List<Col> cols = new ArrayList<>();
            for (ColumnSpec c : schema.columns()) {
                cols.add(new Col(qualifier, c.name(), Values.dataType(c.type())));
            }
            Statement.Select star = new Statement.Select(List.of(new Statement.SelectItem.Star(t.position())),
                    new Statement.FromSource.Table(t.name(), null, t.position()), null, List.of(), null, List.of(),
                    null, null);
            Rel r = new Rel() {
                @Override
                List<Object[]> rows(Frame outer, Exec x) {
                    return scan(star, x);
                }
            };
            r.cols = List.copyOf(cols);
            return r;
        }

        /** Reads all rows of a columnar SELECT (a user table or a table function such as tables()). */
        private List<Object[]> scan(Statement.Select select, Exec x) {
            SelectPlan plan = SelectPlan.plan(select, x.engine, new ExprCompiler(new DataType[0], info));
            Ev.Ctx ctx = new Ev.Ctx(x.ctx.params, x.ctx.nowMicros);
            ctx.guard = x.ctx.guard;
            Result.Rows rows = (Result.Rows) plan.execute(x.engine, ctx, x.own);
            List<Object[]> out = new ArrayList<>();
            try (RowCursor cursor = rows.cursor()) {
                for (Object[] r = cursor.next(); r != null; r = cursor.next()) {
                    out.add(r);
                    x.grow(1);
                }
            }
            return out;
        }

        private static String bareName(String name) {
            int dot = name.lastIndexOf('.');
            return dot < 0 ? name : name.substring(dot + 1);
        }

        private Rel tableFunction(Statement.FromSource.TableFunction f, Scope parent) {
            String qualifier = f.alias() != null ? f.alias() : f.name();
            if (f.name().equals("generate_series")) {
                if (f.args().size() < 2 || f.args().size() > 3) {
                    throw Errors.undefinedFunction(f.name(), f.position());
                }
                Scope scope = parent == null ? new Scope(List.of(), null) : parent;
                List<CExpr> args = new ArrayList<>();
                for (Expr a : f.args()) {
                    args.add(expr(a, new Ctx(scope)));
                }
                boolean big = args.stream().anyMatch(a -> a.type == DataType.INT8);
                Rel r = new Rel() {
                    @Override
                    List<Object[]> rows(Frame outer, Exec x) {
                        // the arguments may refer to the enclosing query's row (a correlated subquery's FROM)
                        Frame frame = outer != null ? outer : new Frame(new Object[0], null, x);
                        Object from = args.get(0).node.eval(frame);
                        Object to = args.get(1).node.eval(frame);
                        Object step = args.size() > 2 ? args.get(2).node.eval(frame) : 1L;
                        List<Object[]> out = new ArrayList<>();
                        if (from == null || to == null || step == null) {
                            return out;
                        }
                        long a = toLong(from);
                        long b = toLong(to);
                        long s = toLong(step);
                        if (s == 0) {
                            throw new SqlError("22023", "step size cannot equal zero");
                        }
                        for (long i = a; s > 0 ? i <= b : i >= b; i += s) {
                            out.add(new Object[] {big ? (Object) i : (Object) (int) i});
                            x.grow(1);
                            if (out.size() % 4096 == 0) {
                                x.check();
                            }
                        }
                        return out;
                    }
                };
                r.cols = List.of(new Col(qualifier, f.alias() != null ? f.alias() : "generate_series",
                        big ? DataType.INT8 : DataType.INT4));
                return r;
            }
            if (f.name().equals("unnest")) {
                if (f.args().size() != 1) {
                    throw Errors.undefinedFunction(f.name(), f.position());
                }
                Scope scope = parent == null ? new Scope(List.of(), null) : parent;
                CExpr array = expr(f.args().get(0), new Ctx(scope));
                Rel r = new Rel() {
                    @Override
                    List<Object[]> rows(Frame outer, Exec x) {
                        Frame frame = outer != null ? outer : new Frame(new Object[0], null, x);
                        List<?> items = asArray(array.node.eval(frame));
                        List<Object[]> out = new ArrayList<>();
                        if (items != null) {
                            for (Object i : items) {
                                out.add(new Object[] {i});
                            }
                        }
                        return out;
                    }
                };
                r.cols = List.of(new Col(qualifier, f.alias() != null ? f.alias() : "unnest", DataType.TEXT));
                return r;
            }
            // tables(), checkpoint_status() and the other functions the columnar plan knows.
            Statement.Select star = new Statement.Select(List.of(new Statement.SelectItem.Star(f.position())),
                    new Statement.FromSource.TableFunction(f.name(), f.args(), null, f.position()), null, List.of(),
                    null, List.of(), null, null);
            SelectPlan probe = SelectPlan.plan(star, engine, new ExprCompiler(new DataType[0], info));
            List<Col> cols = new ArrayList<>();
            for (ResultColumn c : probe.columns) {
                cols.add(new Col(qualifier, c.name(), c.type()));
            }
            Rel r = new Rel() {
                @Override
                List<Object[]> rows(Frame outer, Exec x) {
                    return scan(star, x);
                }
            };
            r.cols = List.copyOf(cols);
            return r;
        }

        private Rel join(Statement.FromSource.Join j, Scope parent) {
            return join(j, rel(j.left(), parent), rel(j.right(), parent), List.of(), parent);
        }

        /** A join of compiled inputs; {@code extra} are WHERE conjuncts pushed into an INNER or CROSS join. */
        private Rel join(Statement.FromSource.Join j, Rel left, Rel right, List<Expr> extra, Scope parent) {
            List<Col> cols = new ArrayList<>(left.cols);
            cols.addAll(right.cols);
            Scope scope = new Scope(List.copyOf(cols), parent);
            Expr on = j.on();
            for (String u : j.using()) {
                Expr eq = new Expr.Binary(BinaryOp.EQ, new Expr.ColumnRef(qualifierOf(left.cols, u, j), u, j.position()),
                        new Expr.ColumnRef(qualifierOf(right.cols, u, j), u, j.position()), j.position());
                on = on == null ? eq : new Expr.Binary(BinaryOp.AND, on, eq, j.position());
            }
            for (Expr e : extra) {
                on = on == null ? e : new Expr.Binary(BinaryOp.AND, on, e, e.position());
            }
            CExpr cond = on == null ? null : expr(on, new Ctx(scope));
            int lw = left.cols.size();
            int rw = right.cols.size();
            // An equality between a column of each side lets the join probe a hash table instead of looping.
            int[] hashKeys = cond == null ? null : hashKeys(on, left.cols, right.cols);
            Statement.JoinKind kind = j.kind();
            Rel r = new Rel() {
                @Override
                List<Object[]> rows(Frame outer, Exec x) {
                    // The right side first: when it is empty an inner join is empty without reading the left
                    // (a chain of comma joins with an empty catalog at its end costs nothing).
                    List<Object[]> rs = right.rows(outer, x);
                    boolean inner = kind == Statement.JoinKind.INNER || kind == Statement.JoinKind.CROSS;
                    if (rs.isEmpty() && inner) {
                        return new ArrayList<>();
                    }
                    List<Object[]> ls = left.rows(outer, x);
                    List<Object[]> out = new ArrayList<>();
                    if (kind == Statement.JoinKind.RIGHT) {
                        boolean[] matched = new boolean[ls.size()];
                        for (Object[] rr : rs) {
                            boolean any = false;
                            for (int i = 0; i < ls.size(); i++) {
                                Object[] row = concat(ls.get(i), rr, lw, rw);
                                if (cond == null || isTrue(cond.node.eval(new Frame(row, outer, x)))) {
                                    out.add(row);
                                    any = true;
                                    matched[i] = true;
                                    x.grow(1);
                                }
                            }
                            if (!any) {
                                out.add(concat(null, rr, lw, rw));
                            }
                        }
                        return out;
                    }
                    Map<Object, List<Object[]>> hash = null;
                    if (hashKeys != null) {
                        hash = new HashMap<>();
                        for (Object[] rr : rs) {
                            Object k = rr[hashKeys[1]];
                            if (k != null) {
                                hash.computeIfAbsent(hashKey(k), key -> new ArrayList<>()).add(rr);
                            }
                        }
                    }
                    int n = 0;
                    for (Object[] lr : ls) {
                        boolean any = false;
                        List<Object[]> candidates = rs;
                        if (hash != null) {
                            Object k = lr[hashKeys[0]];
                            candidates = k == null ? List.of() : hash.getOrDefault(hashKey(k), List.of());
                        }
                        for (Object[] rr : candidates) {
                            Object[] row = concat(lr, rr, lw, rw);
                            if (cond == null || isTrue(cond.node.eval(new Frame(row, outer, x)))) {
                                out.add(row);
                                any = true;
                                x.grow(1);
                            }
                            if (++n % 65536 == 0) {
                                x.check();
                            }
                        }
                        if (!any && kind == Statement.JoinKind.LEFT) {
                            out.add(concat(lr, null, lw, rw));
                        }
                    }
                    return out;
                }
            };
            r.cols = List.copyOf(cols);
            return r;
        }

        /** A WHERE conjunct and the columns (of the whole FROM row) it reads; null refs: not movable. */
        static final class Pending {
            final Expr conjunct;
            final java.util.BitSet refs;
            boolean claimed;

            Pending(Expr conjunct, java.util.BitSet refs) {
                this.conjunct = conjunct;
                this.refs = refs;
            }
        }

        /** Conjuncts without subqueries, windows, aggregates or set-returning calls may move into the FROM tree. */
        private static boolean pushable(Expr e) {
            if (e == null || e instanceof Expr.Literal || e instanceof Expr.Parameter || e instanceof Expr.ColumnRef) {
                return true;
            }
            if (e instanceof Expr.ScalarSubquery || e instanceof Expr.ArraySubquery || e instanceof Expr.Exists
                    || e instanceof Expr.InSubquery || e instanceof Expr.WindowCall) {
                return false;
            }
            if (e instanceof Expr.FunctionCall f) {
                if (AGGREGATES.contains(f.name()) || SET_RETURNING.contains(f.name())) {
                    return false;
                }
                return f.args().stream().allMatch(Compiler::pushable);
            }
            if (e instanceof Expr.Unary u) {
                return pushable(u.operand());
            }
            if (e instanceof Expr.Binary b) {
                return pushable(b.left()) && pushable(b.right());
            }
            if (e instanceof Expr.IsNull n) {
                return pushable(n.operand());
            }
            if (e instanceof Expr.Between b) {
                return pushable(b.operand()) && pushable(b.low()) && pushable(b.high());
            }
            if (e instanceof Expr.InList in) {
                return pushable(in.operand()) && in.items().stream().allMatch(Compiler::pushable);
            }
            if (e instanceof Expr.Cast c) {
                return pushable(c.operand());
            }
            if (e instanceof Expr.CatalogCast c) {
                return pushable(c.operand());
            }
            if (e instanceof Expr.Like l) {
                return pushable(l.operand()) && pushable(l.pattern());
            }
            if (e instanceof Expr.RegexMatch m) {
                return pushable(m.operand()) && pushable(m.pattern());
            }
            if (e instanceof Expr.Quantified q) {
                return pushable(q.left()) && pushable(q.array());
            }
            if (e instanceof Expr.Subscript sub) {
                return pushable(sub.array()) && pushable(sub.index());
            }
            return false;
        }

        /**
         * Compiles the FROM tree again with the pending conjuncts placed as low as they can go: a conjunct reading
         * one table filters it, one reading both sides of an INNER or CROSS join joins them. Only along inner joins
         * and the preserved side of outer joins ({@code free}), where that does not change the result.
         */
        private Rel pushDown(Statement.FromSource from, Scope parent, int offset, boolean free, List<Pending> pending) {
            if (from instanceof Statement.FromSource.Join j) {
                boolean inner = j.kind() == Statement.JoinKind.INNER || j.kind() == Statement.JoinKind.CROSS;
                Rel left = pushDown(j.left(), parent, offset, free && j.kind() != Statement.JoinKind.RIGHT, pending);
                Rel right = pushDown(j.right(), parent, offset + left.cols.size(),
                        free && j.kind() != Statement.JoinKind.LEFT, pending);
                int width = left.cols.size() + right.cols.size();
                List<Expr> extra = new ArrayList<>();
                if (free && inner) {
                    for (Pending p : pending) {
                        if (!p.claimed && p.refs != null && p.refs.nextSetBit(0) >= offset
                                && p.refs.previousSetBit(p.refs.length()) < offset + width) {
                            extra.add(p.conjunct);
                            p.claimed = true;
                        }
                    }
                }
                return join(j, left, right, extra, parent);
            }
            Rel leaf = rel(from, parent);
            if (!free) {
                return leaf;
            }
            int width = leaf.cols.size();
            List<CExpr> filters = new ArrayList<>();
            for (Pending p : pending) {
                if (!p.claimed && p.refs != null && p.refs.nextSetBit(0) >= offset
                        && p.refs.previousSetBit(p.refs.length()) < offset + width) {
                    filters.add(expr(p.conjunct, new Ctx(new Scope(leaf.cols, parent))));
                    p.claimed = true;
                }
            }
            if (filters.isEmpty()) {
                return leaf;
            }
            Rel r = new Rel() {
                @Override
                List<Object[]> rows(Frame outer, Exec x) {
                    List<Object[]> out = new ArrayList<>();
                    for (Object[] row : leaf.rows(outer, x)) {
                        Frame f = new Frame(row, outer, x);
                        boolean keep = true;
                        for (CExpr c : filters) {
                            if (!isTrue(c.node.eval(f))) {
                                keep = false;
                                break;
                            }
                        }
                        if (keep) {
                            out.add(row);
                        }
                    }
                    return out;
                }
            };
            r.cols = leaf.cols;
            return r;
        }

        private static String qualifierOf(List<Col> cols, String name, Statement.FromSource.Join j) {
            for (Col c : cols) {
                if (c.name.equals(name)) {
                    return c.qualifier;
                }
            }
            throw Errors.undefinedColumn(name, j.position());
        }

        /** [left index, right index] of a top-level conjunct {@code l.col = r.col} of the ON condition, or null. */
        private static int[] hashKeys(Expr on, List<Col> left, List<Col> right) {
            List<Expr> conjuncts = new ArrayList<>();
            flattenAnd(on, conjuncts);
            for (Expr c : conjuncts) {
                if (c instanceof Expr.Binary b && b.op() == BinaryOp.EQ && b.left() instanceof Expr.ColumnRef l
                        && b.right() instanceof Expr.ColumnRef r) {
                    int li = uniqueIndex(left, l);
                    int ri = uniqueIndex(right, r);
                    if (li >= 0 && ri >= 0 && uniqueIndex(right, l) < 0 && uniqueIndex(left, r) < 0) {
                        return new int[] {li, ri};
                    }
                    li = uniqueIndex(left, r);
                    ri = uniqueIndex(right, l);
                    if (li >= 0 && ri >= 0 && uniqueIndex(right, r) < 0 && uniqueIndex(left, l) < 0) {
                        return new int[] {li, ri};
                    }
                }
            }
            return null;
        }

        private static void flattenAnd(Expr e, List<Expr> out) {
            if (e instanceof Expr.Binary b && b.op() == BinaryOp.AND) {
                flattenAnd(b.left(), out);
                flattenAnd(b.right(), out);
            } else {
                out.add(e);
            }
        }

        private static int uniqueIndex(List<Col> cols, Expr.ColumnRef ref) {
            int found = -1;
            for (int i = 0; i < cols.size(); i++) {
                Col c = cols.get(i);
                if (c.name.equals(ref.name()) && (ref.qualifier() == null || ref.qualifier().equals(c.qualifier))) {
                    if (found >= 0) {
                        return -2;
                    }
                    found = i;
                }
            }
            return found;
        }

        // ---- SELECT ----

        Query select(Statement.Select s, Scope parent) {
            Rel from = s.from() == null ? null : rel(s.from(), parent);
            Expr remaining = s.where();
            if (from != null && s.where() != null && s.from() instanceof Statement.FromSource.Join) {
                // WHERE conjuncts that read only some of the joined tables filter those tables (or become join
                // conditions, hashed when they are equalities) instead of filtering the whole product.
                List<Expr> conjuncts = new ArrayList<>();
                flattenAnd(s.where(), conjuncts);
                List<Pending> pending = new ArrayList<>();
                Scope full = new Scope(from.cols, parent);
                for (Expr c : conjuncts) {
                    java.util.BitSet refs = new java.util.BitSet();
                    if (pushable(c)) {
                        tracking = refs;
                        try {
                            expr(c, new Ctx(full));
                        } finally {
                            tracking = null;
                        }
                    }
                    pending.add(new Pending(c, pushable(c) && !refs.isEmpty() ? refs : null));
                }
                from = pushDown(s.from(), parent, 0, true, pending);
                remaining = null;
                for (Pending p : pending) {
                    if (!p.claimed) {
                        remaining = remaining == null ? p.conjunct
                                : new Expr.Binary(BinaryOp.AND, remaining, p.conjunct, p.conjunct.position());
                    }
                }
            }
            Rel source = from;
            List<Col> inCols = from == null ? List.of() : from.cols;
            Scope scope = new Scope(inCols, parent);
            int width = inCols.size();
            CExpr where = remaining == null ? null : expr(remaining, new Ctx(scope));
            Ctx itemCtx = new Ctx(scope);
            itemCtx.aggs = new ArrayList<>();
            itemCtx.windows = new ArrayList<>();
            itemCtx.srfs = new ArrayList<>();
            itemCtx.aggBase = width;
            List<CExpr> items = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Statement.SelectItem item : s.items()) {
                if (item instanceof Statement.SelectItem.Star) {
                    if (inCols.isEmpty()) {
                        throw new SqlError("42601", "SELECT * with no tables specified is not valid");
                    }
                    for (int i = 0; i < inCols.size(); i++) {
                        int index = i;
                        items.add(new CExpr(f -> f.v[index], inCols.get(i).type, inCols.get(i).name));
                        names.add(inCols.get(i).name);
                    }
                } else {
                    Statement.SelectItem.Item it = (Statement.SelectItem.Item) item;
                    CExpr e = expr(it.expr(), itemCtx);
                    items.add(e);
                    names.add(it.alias() != null ? it.alias() : e.name);
                }
            }
            List<CExpr> groupKeys = new ArrayList<>();
            Ctx groupCtx = new Ctx(scope);
            for (Expr g : s.groupBy()) {
                if (g instanceof Expr.Literal l && l.value() instanceof Long n) {
                    if (n < 1 || n > s.items().size()
                            || !(s.items().get((int) (n - 1)) instanceof Statement.SelectItem.Item it)) {
                        throw new SqlError("42P10", "GROUP BY position is not in select list [position=" + n + "]",
                                l.position());
                    }
                    groupKeys.add(expr(it.expr(), groupCtx));
                } else {
                    groupKeys.add(expr(g, groupCtx));
                }
            }
            CExpr having = s.having() == null ? null : expr(s.having(), itemCtx);
            // ORDER BY: output column numbers and names, else expressions over the input (hidden keys).
            List<int[]> sortOutputs = new ArrayList<>();
            List<CExpr> hidden = new ArrayList<>();
            List<Statement.OrderItem> order = s.orderBy();
            for (Statement.OrderItem o : order) {
                int out = outputIndex(o.expr(), names, s.items().size() == items.size());
                if (out >= 0) {
                    sortOutputs.add(new int[] {out, -1});
                } else {
                    hidden.add(expr(o.expr(), itemCtx));
                    sortOutputs.add(new int[] {-1, hidden.size() - 1});
                }
            }
            boolean aggregate = !groupKeys.isEmpty() || !itemCtx.aggs.isEmpty();
            int aggCount = itemCtx.aggs.size();
            List<Window> windows = itemCtx.windows;
            for (Window w : windows) {
                w.slot += width + aggCount;
            }
            List<Srf> srfs = itemCtx.srfs;
            for (Srf srf : srfs) {
                srf.slot += width + aggCount + windows.size();
            }
            CExpr limit = s.limit() == null ? null : expr(s.limit(), new Ctx(new Scope(List.of(), parent)));
            CExpr offset = s.offset() == null ? null : expr(s.offset(), new Ctx(new Scope(List.of(), parent)));
            List<Agg> aggs = itemCtx.aggs;
            boolean distinct = s.distinct();
            if (distinct && !hidden.isEmpty()) {
                throw new SqlError("42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
            }
            List<Col> outCols = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                outCols.add(new Col(null, names.get(i), items.get(i).type));
            }
            Query q = new Query() {
                @Override
                List<Object[]> run(Frame outer, Exec x) {
                    List<Object[]> input = source == null ? List.<Object[]>of(new Object[0]) : source.rows(outer, x);
                    List<Object[]> rows = new ArrayList<>();
                    int frameWidth = width + aggCount + windows.size() + srfs.size();
                    for (Object[] r : input) {
                        if (where == null || isTrue(where.node.eval(new Frame(r, outer, x)))) {
                            rows.add(r);
                        }
                    }
                    List<Object[]> frames = new ArrayList<>();
                    if (aggregate) {
                        Map<List<Object>, List<Object[]>> groups = new LinkedHashMap<>();
                        for (Object[] r : rows) {
                            List<Object> key = new ArrayList<>(groupKeys.size());
                            Frame f = new Frame(r, outer, x);
                            for (CExpr g : groupKeys) {
                                key.add(hashKey(g.node.eval(f)));
                            }
                            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                        }
                        if (groups.isEmpty() && groupKeys.isEmpty()) {
                            groups.put(List.of(), List.of());
                        }
                        for (List<Object[]> group : groups.values()) {
                            Object[] frame = new Object[frameWidth];
                            if (!group.isEmpty()) {
                                System.arraycopy(group.get(0), 0, frame, 0, width);
                            }
                            for (int a = 0; a < aggCount; a++) {
                                frame[width + a] = aggs.get(a).compute(group, outer, x);
                            }
                            if (having == null || isTrue(having.node.eval(new Frame(frame, outer, x)))) {
                                frames.add(frame);
                            }
                        }
                    } else {
                        for (Object[] r : rows) {
                            frames.add(frameWidth == width ? r : Arrays.copyOf(r, frameWidth));
                        }
                    }
                    for (Window w : windows) {
                        w.compute(frames, outer, x);
                    }
                    if (!srfs.isEmpty()) {
                        frames = Srf.expand(srfs, frames, outer, x);
                    }
                    List<Object[]> out = new ArrayList<>(frames.size());
                    for (Object[] frame : frames) {
                        Frame f = new Frame(frame, outer, x);
                        Object[] o = new Object[items.size() + hidden.size()];
                        for (int i = 0; i < items.size(); i++) {
                            o[i] = items.get(i).node.eval(f);
                        }
                        for (int i = 0; i < hidden.size(); i++) {
                            o[items.size() + i] = hidden.get(i).node.eval(f);
                        }
                        out.add(o);
                    }
                    if (distinct) {
                        out = distinctVisible(out, items.size());
                    }
                    if (!order.isEmpty()) {
                        int visible = items.size();
                        sort(out, order, sortOutputs, visible);
                    }
                    return limitRows(out, limit, offset, outer, x, items.size());
                }
            };
            q.cols = List.copyOf(outCols);
            return q;
        }

        /** The output column an ORDER BY key names (1-based number or output name), or -1. */
        private static int outputIndex(Expr e, List<String> names, boolean noStar) {
            if (e instanceof Expr.Literal l && l.value() instanceof Long n) {
                if (n < 1 || n > names.size()) {
                    throw new SqlError("42P10", "ORDER BY position is not in select list [position=" + n + "]",
                            l.position());
                }
                return (int) (n - 1);
            }
            if (e instanceof Expr.ColumnRef ref && ref.qualifier() == null) {
                int found = -1;
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).equals(ref.name())) {
                        if (found >= 0) {
                            throw new SqlError("42702", "ORDER BY is ambiguous [column=" + ref.name() + "]",
                                    ref.position());
                        }
                        found = i;
                    }
                }
                return found;
            }
            return -1;
        }

        // ---- UNION ----

        Query union(Statement.Union u, Scope parent) {
            List<Query> branches = new ArrayList<>();
            for (Statement.Select s : u.branches()) {
                branches.add(select(s, parent));
            }
            int width = branches.get(0).cols.size();
            List<Col> cols = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                DataType t = DataType.UNKNOWN;
                for (Query b : branches) {
                    if (b.cols.size() != width) {
                        throw new SqlError("42601", "each UNION query must have the same number of columns");
                    }
                    if (t == DataType.UNKNOWN) {
                        t = b.cols.get(i).type;
                    }
                }
                cols.add(new Col(null, branches.get(0).cols.get(i).name, t == DataType.UNKNOWN ? DataType.TEXT : t));
            }
            List<String> names = cols.stream().map(Col::name).toList();
            List<int[]> sortOutputs = new ArrayList<>();
            List<CExpr> hidden = new ArrayList<>();
            Scope outScope = new Scope(List.copyOf(cols), parent);
            for (Statement.OrderItem o : u.orderBy()) {
                int out = outputIndex(o.expr(), names, true);
                if (out >= 0) {
                    sortOutputs.add(new int[] {out, -1});
                } else {
                    hidden.add(expr(o.expr(), new Ctx(outScope)));
                    sortOutputs.add(new int[] {-1, hidden.size() - 1});
                }
            }
            CExpr limit = u.limit() == null ? null : expr(u.limit(), new Ctx(new Scope(List.of(), parent)));
            CExpr offset = u.offset() == null ? null : expr(u.offset(), new Ctx(new Scope(List.of(), parent)));
            List<Boolean> all = u.all();
            Query q = new Query() {
                @Override
                List<Object[]> run(Frame outer, Exec x) {
                    List<Object[]> acc = new ArrayList<>(branches.get(0).run(outer, x));
                    if (branches.size() > 1 && !all.get(0)) {
                        acc = distinct(acc);
                    }
                    for (int i = 1; i < branches.size(); i++) {
                        acc.addAll(branches.get(i).run(outer, x));
                        if (!all.get(i - 1)) {
                            acc = distinct(acc);
                        }
                    }
                    List<Object[]> out = new ArrayList<>(acc.size());
                    for (Object[] r : acc) {
                        Object[] o = Arrays.copyOf(r, width + hidden.size());
                        Frame f = new Frame(r, outer, x);
                        for (int i = 0; i < hidden.size(); i++) {
                            o[width + i] = hidden.get(i).node.eval(f);
                        }
                        out.add(o);
                    }
                    if (!u.orderBy().isEmpty()) {
                        sort(out, u.orderBy(), sortOutputs, width);
                    }
                    return limitRows(out, limit, offset, outer, x, width);
                }
            };
            q.cols = List.copyOf(cols);
            return q;
        }

        // ---- expressions ----

        /** Where an expression is compiled: its scope, and the aggregate and window calls it may register. */
        static final class Ctx {
            final Scope scope;
            List<Agg> aggs;
            List<Window> windows;
            List<Srf> srfs;
            int aggBase;

            Ctx(Scope scope) {
                this.scope = scope;
            }

            Ctx plain() {
                return new Ctx(scope);
            }
        }

        CExpr expr(Expr e, Ctx c) {
            if (e instanceof Expr.Literal l) {
                Object v = l.value();
                DataType t = v == null || v instanceof String ? DataType.UNKNOWN
                        : v instanceof Boolean ? DataType.BOOL
                        : v instanceof Long n ? (n == (int) (long) n ? DataType.INT4 : DataType.INT8)
                        : DataType.FLOAT8;
                Object value = v instanceof Long n && t == DataType.INT4 ? (Object) (int) (long) n : v;
                String name = v instanceof Boolean ? "bool" : "?column?";
                return new CExpr(f -> value, t, name, true);
            }
            if (e instanceof Expr.Parameter p) {
                int i = p.index() - 1;
                if (i >= paramTypes.length) {
                    throw new SqlError("42P02", "there is no parameter [parameter=$" + p.index() + "]", p.position());
                }
                if (paramTypes[i] == null) {
                    paramTypes[i] = DataType.TEXT;
                }
                DataType t = Values.expressionType(paramTypes[i]);
                return new CExpr(f -> Values.normalizeParam(f.x.ctx.params[i]), t == DataType.VARCHAR
                        ? DataType.TEXT : t, "?column?");
            }
            if (e instanceof Expr.ColumnRef ref) {
                return column(ref, c.scope);
            }
            if (e instanceof Expr.Unary u) {
                CExpr operand = expr(u.operand(), c);
                return switch (u.op()) {
                    case NOT -> new CExpr(f -> {
                        Object v = operand.node.eval(f);
                        return v == null ? null : !truth(v);
                    }, DataType.BOOL, "?column?");
                    case NEGATE -> new CExpr(f -> negate(operand.node.eval(f)), operand.type, "?column?");
                    case PLUS -> operand;
                };
            }
            if (e instanceof Expr.Binary b) {
                return binary(b, c);
            }
            if (e instanceof Expr.IsNull n) {
                CExpr operand = expr(n.operand(), c);
                boolean negated = n.negated();
                return new CExpr(f -> (operand.node.eval(f) == null) != negated, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.Between b) {
                CExpr v = expr(b.operand(), c);
                CExpr lo = expr(b.low(), c);
                CExpr hi = expr(b.high(), c);
                boolean negated = b.negated();
                return new CExpr(f -> {
                    Object x = v.node.eval(f);
                    Object l = lo.node.eval(f);
                    Object h = hi.node.eval(f);
                    if (x == null || l == null || h == null) {
                        return null;
                    }
                    boolean in = compare(x, l) >= 0 && compare(x, h) <= 0;
                    return in != negated;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.InList in) {
                CExpr v = expr(in.operand(), c);
                List<CExpr> items = new ArrayList<>();
                for (Expr i : in.items()) {
                    items.add(expr(i, c));
                }
                boolean negated = in.negated();
                return new CExpr(f -> {
                    Object x = v.node.eval(f);
                    if (x == null) {
                        return null;
                    }
                    boolean sawNull = false;
                    for (CExpr i : items) {
                        Object y = i.node.eval(f);
                        if (y == null) {
                            sawNull = true;
                        } else if (compare(x, y) == 0) {
                            return !negated;
                        }
                    }
                    return sawNull ? null : negated;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.FunctionCall fc) {
                return function(fc, c);
            }
            if (e instanceof Expr.Cast cast) {
                CExpr operand = expr(cast.operand(), c);
                DataType target = ExprCompiler.dataType(cast.type());
                DataType from = operand.type;
                String name = operand.name.equals("?column?") ? Values.castColumnName(target) : operand.name;
                return new CExpr(f -> castTo(operand.node.eval(f), from, target), target, name);
            }
            if (e instanceof Expr.CatalogCast cast) {
                return catalogCast(cast, c);
            }
            if (e instanceof Expr.Case k) {
                return caseExpr(k, c);
            }
            if (e instanceof Expr.Like like) {
                CExpr v = expr(like.operand(), c);
                CExpr p = expr(like.pattern(), c);
                boolean negated = like.negated();
                boolean ci = like.caseInsensitive();
                Map<String, Pattern> cache = new HashMap<>();
                return new CExpr(f -> {
                    Object x = v.node.eval(f);
                    Object y = p.node.eval(f);
                    if (x == null || y == null) {
                        return null;
                    }
                    Pattern pattern = cache.computeIfAbsent(text(y, p.type), s -> likePattern(s, ci));
                    return pattern.matcher(text(x, v.type)).matches() != negated;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.RegexMatch m) {
                CExpr v = expr(m.operand(), c);
                CExpr p = expr(m.pattern(), c);
                boolean negated = m.negated();
                boolean ci = m.caseInsensitive();
                Map<String, Pattern> cache = new HashMap<>();
                int position = m.position();
                return new CExpr(f -> {
                    Object x = v.node.eval(f);
                    Object y = p.node.eval(f);
                    if (x == null || y == null) {
                        return null;
                    }
                    Pattern pattern = cache.computeIfAbsent(text(y, p.type), s -> regex(s, ci, position));
                    return pattern.matcher(text(x, v.type)).find() != negated;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.ScalarSubquery sq) {
                Query q = query(sq.query(), c.scope);
                if (q.cols.size() != 1) {
                    throw new SqlError("42601", "subquery must return only one column", sq.position());
                }
                return new CExpr(f -> {
                    List<Object[]> rows = q.run(f, f.x);
                    if (rows.size() > 1) {
                        throw new SqlError("21000", "more than one row returned by a subquery used as an expression");
                    }
                    return rows.isEmpty() ? null : rows.get(0)[0];
                }, q.cols.get(0).type, q.cols.get(0).name);
            }
            if (e instanceof Expr.ArraySubquery sq) {
                Query q = query(sq.query(), c.scope);
                if (q.cols.size() != 1) {
                    throw new SqlError("42601", "subquery must return only one column", sq.position());
                }
                return new CExpr(f -> {
                    List<Object> out = new ArrayList<>();
                    for (Object[] r : q.run(f, f.x)) {
                        out.add(r[0]);
                    }
                    return out;
                }, DataType.TEXT, "array");
            }
            if (e instanceof Expr.Exists ex) {
                Query q = query(ex.query(), c.scope);
                boolean negated = ex.negated();
                return new CExpr(f -> q.run(f, f.x).isEmpty() == negated, DataType.BOOL, "exists");
            }
            if (e instanceof Expr.InSubquery in) {
                CExpr v = expr(in.operand(), c);
                Query q = query(in.query(), c.scope);
                if (q.cols.size() != 1) {
                    throw new SqlError("42601", "subquery has too many columns", in.position());
                }
                boolean negated = in.negated();
                return new CExpr(f -> {
                    Object x = v.node.eval(f);
                    if (x == null) {
                        return null;
                    }
                    boolean sawNull = false;
                    for (Object[] r : q.run(f, f.x)) {
                        if (r[0] == null) {
                            sawNull = true;
                        } else if (compare(x, r[0]) == 0) {
                            return !negated;
                        }
                    }
                    return sawNull ? null : negated;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.Quantified qe) {
                CExpr left = expr(qe.left(), c);
                CExpr array = expr(qe.array(), c);
                BinaryOp op = qe.op();
                boolean all = qe.all();
                return new CExpr(f -> {
                    Object x = left.node.eval(f);
                    List<?> items = asArray(array.node.eval(f));
                    if (items == null) {
                        return null;
                    }
                    boolean sawNull = x == null && !items.isEmpty();
                    for (Object y : items) {
                        if (x == null || y == null) {
                            sawNull = true;
                            continue;
                        }
                        boolean r = comparison(op, compare(x, y));
                        if (r && !all) {
                            return true;
                        }
                        if (!r && all) {
                            return false;
                        }
                    }
                    return sawNull ? null : all;
                }, DataType.BOOL, "?column?");
            }
            if (e instanceof Expr.ArrayLiteral a) {
                List<CExpr> items = new ArrayList<>();
                for (Expr i : a.items()) {
                    items.add(expr(i, c));
                }
                return new CExpr(f -> {
                    List<Object> out = new ArrayList<>();
                    for (CExpr i : items) {
                        out.add(i.node.eval(f));
                    }
                    return out;
                }, DataType.TEXT, "array");
            }
            if (e instanceof Expr.Subscript s) {
                CExpr array = expr(s.array(), c);
                CExpr index = expr(s.index(), c);
                return new CExpr(f -> {
                    List<?> items = asArray(array.node.eval(f));
                    Object i = index.node.eval(f);
                    if (items == null || i == null) {
                        return null;
                    }
                    long n = toLong(i);
                    return n >= 1 && n <= items.size() ? items.get((int) n - 1) : null;
                }, DataType.TEXT, array.name);
            }
            if (e instanceof Expr.FieldSelect fs) {
                CExpr operand = expr(fs.operand(), c);
                String field = fs.field();
                int position = fs.position();
                return new CExpr(f -> {
                    Object v = operand.node.eval(f);
                    if (v == null) {
                        return null;
                    }
                    if (!(v instanceof Map<?, ?> composite) || !composite.containsKey(field)) {
                        throw new SqlError("42703", "column not found in data type [column=" + field + "]", position);
                    }
                    return composite.get(field);
                }, DataType.TEXT, field);
            }
            if (e instanceof Expr.Bitwise b) {
                CExpr l = expr(b.left(), c);
                CExpr r = expr(b.right(), c);
                boolean and = b.operator().equals("&");
                DataType t = l.type == DataType.INT8 || r.type == DataType.INT8 ? DataType.INT8
                        : l.type == DataType.INT2 && r.type == DataType.INT2 ? DataType.INT2 : DataType.INT4;
                return new CExpr(f -> {
                    Object x = l.node.eval(f);
                    Object y = r.node.eval(f);
                    if (x == null || y == null) {
                        return null;
                    }
                    long v = and ? toLong(x) & toLong(y) : toLong(x) | toLong(y);
                    return t == DataType.INT8 ? (Object) v : (Object) (int) v;
                }, t, "?column?");
            }
            if (e instanceof Expr.WindowCall w) {
                if (c.windows == null) {
                    throw new SqlError("42P20", "window functions are not allowed here", w.position());
                }
                Window window = new Window();
                for (Expr p : w.partitionBy()) {
                    window.partition.add(expr(p, c.plain()));
                }
                for (Statement.OrderItem o : w.orderBy()) {
                    window.order.add(expr(o.expr(), c.plain()));
                    window.orderItems.add(o);
                }
                window.slot = c.windows.size(); // made absolute once the aggregates are counted
                c.windows.add(window);
                return new CExpr(f -> f.v[window.slot], DataType.INT8, "row_number");
            }
            throw new SqlError("0A000", "expression not supported [expression=" + e.getClass().getSimpleName() + "]",
                    e.position());
        }

        private CExpr column(Expr.ColumnRef ref, Scope scope) {
            int depth = 0;
            for (Scope s = scope; s != null; s = s.parent, depth++) {
                int found = -1;
                for (int i = 0; i < s.cols.size(); i++) {
                    Col col = s.cols.get(i);
                    if (col.name.equals(ref.name()) && (ref.qualifier() == null || ref.qualifier().equals(col.qualifier))) {
                        if (found >= 0) {
                            throw new SqlError("42702", "column reference is ambiguous [column=" + ref.name() + "]",
                                    ref.position());
                        }
                        found = i;
                    }
                }
                if (found >= 0) {
                    int index = found;
                    int d = depth;
                    if (d == 0 && tracking != null) {
                        tracking.set(index);
                    }
                    Node node = d == 0 ? f -> f.v[index] : f -> {
                        Frame fr = f;
                        for (int k = 0; k < d; k++) {
                            fr = fr.outer;
                        }
                        return fr.v[index];
                    };
                    return new CExpr(node, s.cols.get(found).type, ref.name());
                }
            }
            if (ref.qualifier() != null) {
                boolean known = false;
                for (Scope s = scope; s != null && !known; s = s.parent) {
                    for (Col col : s.cols) {
                        known |= ref.qualifier().equals(col.qualifier);
                    }
                }
                if (!known) {
                    throw new SqlError("42P01", "missing FROM-clause entry for table [table=" + ref.qualifier() + "]",
                            ref.position());
                }
            }
            throw Errors.undefinedColumn(ref.qualifier() == null ? ref.name() : ref.qualifier() + "." + ref.name(),
                    ref.position());
        }

        private CExpr binary(Expr.Binary b, Ctx c) {
            CExpr l = expr(b.left(), c);
            CExpr r = expr(b.right(), c);
            BinaryOp op = b.op();
            switch (op) {
                case AND:
                    return new CExpr(f -> {
                        Object x = l.node.eval(f);
                        if (x != null && !truth(x)) {
                            return false;
                        }
                        Object y = r.node.eval(f);
                        if (y != null && !truth(y)) {
                            return false;
                        }
                        return x == null || y == null ? null : true;
                    }, DataType.BOOL, "?column?");
                case OR:
                    return new CExpr(f -> {
                        Object x = l.node.eval(f);
                        if (x != null && truth(x)) {
                            return true;
                        }
                        Object y = r.node.eval(f);
                        if (y != null && truth(y)) {
                            return true;
                        }
                        return x == null || y == null ? null : false;
                    }, DataType.BOOL, "?column?");
                case EQ, NE, LT, LE, GT, GE: {
                    CExpr left = coerceLiteral(l, r.type);
                    CExpr right = coerceLiteral(r, l.type);
                    return new CExpr(f -> {
                        Object x = left.node.eval(f);
                        Object y = right.node.eval(f);
                        return x == null || y == null ? null : comparison(op, compare(x, y));
                    }, DataType.BOOL, "?column?");
                }
                case CONCAT:
                    return new CExpr(f -> {
                        Object x = l.node.eval(f);
                        Object y = r.node.eval(f);
                        if (x instanceof List<?> || y instanceof List<?>) {
                            // array || array (or element): a NULL array counts as empty, as in PostgreSQL
                            List<Object> out = new ArrayList<>();
                            for (Object v : new Object[] {x, y}) {
                                if (v instanceof List<?> list) {
                                    out.addAll(list);
                                } else if (v != null) {
                                    out.add(v);
                                }
                            }
                            return out;
                        }
                        return x == null || y == null ? null : text(x, l.type) + text(y, r.type);
                    }, DataType.TEXT, "?column?");
                default: {
                    IntervalMath.Signature sig = IntervalMath.signature(op, l.type, r.type,
                            l.type == DataType.UNKNOWN, r.type == DataType.UNKNOWN);
                    if (sig != null) {
                        // Untyped literals are read as the operator's operand type once, here; other text at run time.
                        CExpr left = coerceLiteral(l, sig.left());
                        CExpr right = coerceLiteral(r, sig.right());
                        return new CExpr(f -> IntervalMath.apply(op, sig, left.node.eval(f), right.node.eval(f)),
                                sig.result(), "?column?");
                    }
                    DataType t = l.type == DataType.FLOAT8 || r.type == DataType.FLOAT8 ? DataType.FLOAT8
                            : l.type == DataType.TIMESTAMP ? DataType.TIMESTAMP
                            : l.type == DataType.INT8 || r.type == DataType.INT8 ? DataType.INT8
                            : l.type == DataType.UNKNOWN && r.type == DataType.UNKNOWN ? DataType.INT4
                            : l.type == DataType.UNKNOWN ? r.type : l.type;
                    return new CExpr(f -> arithmetic(op, l.node.eval(f), r.node.eval(f)), t, "?column?");
                }
            }
        }

        /** An untyped literal meeting a typed expression takes its type, as PostgreSQL's unknown does. */
        private static CExpr coerceLiteral(CExpr e, DataType other) {
            if (!e.constant || e.type != DataType.UNKNOWN || other == DataType.UNKNOWN || other == DataType.TEXT
                    || other == DataType.VARCHAR) {
                return e;
            }
            Object v = e.node.eval(null);
            if (!(v instanceof String s)) {
                return e;
            }
            Object parsed = Values.parse(s, other);
            return new CExpr(f -> parsed, other, e.name, true);
        }

        private CExpr caseExpr(Expr.Case k, Ctx c) {
            CExpr operand = k.operand() == null ? null : expr(k.operand(), c);
            List<CExpr[]> whens = new ArrayList<>();
            DataType type = DataType.UNKNOWN;
            for (Expr.When w : k.whens()) {
                CExpr cond = expr(w.condition(), c);
                CExpr result = expr(w.result(), c);
                if (type == DataType.UNKNOWN) {
                    type = result.type;
                }
                whens.add(new CExpr[] {cond, result});
            }
            CExpr otherwise = k.otherwise() == null ? null : expr(k.otherwise(), c);
            if (type == DataType.UNKNOWN && otherwise != null) {
                type = otherwise.type;
            }
            DataType resultType = type == DataType.UNKNOWN ? DataType.TEXT : type;
            return new CExpr(f -> {
                Object subject = operand == null ? null : operand.node.eval(f);
                for (CExpr[] w : whens) {
                    Object v = w[0].node.eval(f);
                    boolean hit = operand == null ? v != null && truth(v)
                            : subject != null && v != null && compare(subject, v) == 0;
                    if (hit) {
                        return w[1].node.eval(f);
                    }
                }
                return otherwise == null ? null : otherwise.node.eval(f);
            }, resultType, "case");
        }

        private CExpr catalogCast(Expr.CatalogCast cast, Ctx c) {
            CExpr operand = expr(cast.operand(), c);
            String type = cast.typeName();
            DataType from = operand.type;
            String name = operand.name.equals("?column?") ? type : operand.name;
            int position = cast.position();
            switch (type) {
                case "oid", "regproc", "regprocedure", "regrole":
                    return new CExpr(f -> {
                        Object v = operand.node.eval(f);
                        if (v == null || v instanceof Number) {
                            return v == null ? null : toLong(v);
                        }
                        String s = text(v, from);
                        if (type.equals("oid")) {
                            return Long.parseLong(s.trim());
                        }
                        if (type.equals("regrole")) {
                            return Catalog.SUPERUSER_OID;
                        }
                        return s.startsWith("pg_catalog.") ? s.substring(11) : s;
                    }, type.equals("regproc") || type.equals("regprocedure") ? DataType.TEXT : DataType.INT8, name);
                case "regclass", "regtype", "regnamespace": {
                    boolean fromText = from == DataType.UNKNOWN || from == DataType.TEXT || from == DataType.VARCHAR;
                    return new CExpr(f -> {
                        Object v = operand.node.eval(f);
                        if (v == null) {
                            return null;
                        }
                        Catalog.Snapshot cat = f.x.catalog;
                        if (v instanceof Number n) {
                            long oid = n.longValue();
                            String shown = switch (type) {
                                case "regclass" -> cat.relationName(oid);
                                case "regtype" -> Catalog.type(oid) == null ? null : Catalog.formatType(oid, null);
                                default -> cat.namespaceName(oid);
                            };
                            return shown == null ? String.valueOf(oid) : shown;
                        }
                        String s = text(v, from).trim();
                        Long oid = switch (type) {
                            case "regclass" -> cat.relationOid(s.replace("\"", ""));
                            case "regtype" -> typeOidByName(s);
                            default -> cat.namespaceOid(s);
                        };
                        if (oid == null) {
                            throw new SqlError(type.equals("regtype") ? "42704" : type.equals("regclass") ? "42P01"
                                    : "3F000", (type.equals("regclass") ? "relation" : type.equals("regtype") ? "type"
                                    : "schema") + " does not exist [name=" + s + "]", position);
                        }
                        return oid;
                    }, fromText ? DataType.INT8 : DataType.TEXT, name);
                }
                case "int2":
                    return new CExpr(f -> {
                        Object v = castTo(operand.node.eval(f), from, DataType.INT4);
                        if (v != null && ((Integer) v < Short.MIN_VALUE || (Integer) v > Short.MAX_VALUE)) {
                            throw new SqlError("22003", "smallint out of range [value=" + v + "]");
                        }
                        return v;
                    }, DataType.INT2, operand.name.equals("?column?") ? "int2" : operand.name);
                case "name", "char", "\"char\"":
                    return new CExpr(f -> {
                        Object v = operand.node.eval(f);
                        if (v == null) {
                            return null;
                        }
                        String s = text(v, from);
                        return type.equals("name") || s.isEmpty() ? s : s.substring(0, 1);
                    }, DataType.TEXT, name);
                default: {
                    if (!type.endsWith("[]") && !type.endsWith("vector")) {
                        throw new SqlError("42704", "type does not exist [type=" + type + "]", position);
                    }
                    String element = type.endsWith("[]") ? type.substring(0, type.length() - 2)
                            : type.startsWith("int2") ? "int2" : "oid";
                    DataType elementType = Catalog.dataTypeOf(element);
                    return new CExpr(f -> {
                        List<?> items = asArray(operand.node.eval(f));
                        if (items == null) {
                            return null;
                        }
                        List<Object> out = new ArrayList<>();
                        for (Object i : items) {
                            out.add(i == null ? null : castTo(i, DataType.UNKNOWN, elementType));
                        }
                        return out;
                    }, DataType.TEXT, name);
                }
            }
        }

        private static Long typeOidByName(String s) {
            String n = s.toLowerCase(Locale.ROOT);
            if (n.startsWith("pg_catalog.")) {
                n = n.substring(11);
            }
            Catalog.PgType t = Catalog.typeNamed(n);
            if (t != null) {
                return t.oid();
            }
            for (Catalog.PgType type : Catalog.TYPES) {
                if (type.display().equals(n)) {
                    return type.oid();
                }
            }
            return null;
        }

        // ---- functions ----

        private CExpr function(Expr.FunctionCall fc, Ctx c) {
            String name = fc.name();
            if (AGGREGATES.contains(name)) {
                return aggregate(fc, c);
            }
            if (SET_RETURNING.contains(name)) {
                return setReturning(fc, c);
            }
            List<CExpr> args = new ArrayList<>();
            for (Expr a : fc.args()) {
                args.add(expr(a, c));
            }
            int n = args.size();
            switch (name) {
                case "format_type":
                    arity(fc, n, 2);
                    return fn(name, DataType.TEXT, args, v -> v[0] == null ? null
                            : Catalog.formatType(toLong(v[0]), v[1] == null ? null : (int) toLong(v[1])));
                case "pg_function_is_visible":
                    return new CExpr(f -> true, DataType.BOOL, name);
                case "pg_get_function_result", "pg_get_function_arguments":
                    return new CExpr(f -> null, DataType.TEXT, name);
                case "pg_table_is_visible", "pg_type_is_visible":
                    arity(fc, n, 1);
                    return new CExpr(f -> {
                        Object v = args.get(0).node.eval(f);
                        return v == null ? null : name.equals("pg_type_is_visible")
                                || f.x.catalog.relationVisible(toLong(v));
                    }, DataType.BOOL, name);
                case "pg_get_userbyid":
                    arity(fc, n, 1);
                    return new CExpr(f -> {
                        Object v = args.get(0).node.eval(f);
                        if (v == null) {
                            return null;
                        }
                        long oid = toLong(v);
                        return oid == Catalog.SUPERUSER_OID ? f.x.catalog.user() : "unknown (OID=" + oid + ")";
                    }, DataType.TEXT, name);
                case "obj_description", "col_description", "shobj_description", "pg_get_indexdef",
                        "pg_get_constraintdef", "pg_get_triggerdef", "pg_get_viewdef",
                        "pg_get_statisticsobjdef_columns":
                    // No comments, indexes, constraints, triggers, views or statistics objects exist.
                    return new CExpr(f -> null, DataType.TEXT, name);
                case "pg_get_expr":
                    if (n < 2 || n > 3) {
                        throw Errors.undefinedFunction(name, fc.position());
                    }
                    return fn(name, DataType.TEXT, args, v -> v[0] == null ? null : text(v[0], DataType.TEXT));
                case "pg_table_size", "pg_relation_size", "pg_total_relation_size", "pg_indexes_size":
                    // The storage API reports no sizes; NULL is "unknown", which psql shows as empty.
                    return new CExpr(f -> null, DataType.INT8, name);
                case "pg_size_pretty":
                    arity(fc, n, 1);
                    return fn(name, DataType.TEXT, args, v -> v[0] == null ? null : sizePretty(toLong(v[0])));
                case "pg_relation_is_publishable", "pg_is_in_recovery":
                    return new CExpr(f -> false, DataType.BOOL, name);
                case "has_table_privilege", "has_schema_privilege", "has_database_privilege", "pg_has_role":
                    return new CExpr(f -> true, DataType.BOOL, name);
                case "pg_backend_pid":
                    return new CExpr(f -> (int) ProcessHandle.current().pid(), DataType.INT4, name);
                case "array_to_string":
                    if (n < 2 || n > 3) {
                        throw Errors.undefinedFunction(name, fc.position());
                    }
                    return fn(name, DataType.TEXT, args, v -> {
                        List<?> items = asArray(v[0]);
                        if (items == null || v[1] == null) {
                            return null;
                        }
                        StringBuilder sb = new StringBuilder();
                        boolean first = true;
                        for (Object i : items) {
                            if (i == null && (v.length < 3 || v[2] == null)) {
                                continue;
                            }
                            if (!first) {
                                sb.append(text(v[1], DataType.TEXT));
                            }
                            sb.append(i == null ? text(v[2], DataType.TEXT) : text(i, DataType.TEXT));
                            first = false;
                        }
                        return sb.toString();
                    });
                case "array_upper", "array_length", "cardinality", "array_lower":
                    return fn(name, DataType.INT4, args, v -> {
                        List<?> items = asArray(v[0]);
                        if (items == null || items.isEmpty()) {
                            return null;
                        }
                        return name.equals("array_lower") ? 1 : items.size();
                    });
                case "pg_encoding_to_char":
                    arity(fc, n, 1);
                    return fn(name, DataType.TEXT, args, v -> v[0] == null ? null : toLong(v[0]) == 6 ? "UTF8" : "");
                case "current_database", "current_catalog":
                    return new CExpr(f -> f.x.catalog.database(), DataType.TEXT, name);
                case "current_schema":
                    return new CExpr(f -> "public", DataType.TEXT, name);
                case "current_schemas":
                    arity(fc, n, 1);
                    return fn(name, DataType.TEXT, args, v -> v[0] == null ? null
                            : truth(v[0]) ? List.of("pg_catalog", "public") : List.of("public"));
                case "current_user", "session_user", "user", "current_role":
                    return new CExpr(f -> f.x.catalog.user(), DataType.TEXT, name);
                case "version":
                    return new CExpr(f -> VERSION, DataType.TEXT, name);
                case "now", "current_timestamp", "localtimestamp", "transaction_timestamp", "statement_timestamp":
                    return new CExpr(f -> f.x.ctx.nowMicros, DataType.TIMESTAMP, name);
                case "nullif":
                    arity(fc, n, 2);
                    return new CExpr(f -> {
                        Object a = args.get(0).node.eval(f);
                        Object b = args.get(1).node.eval(f);
                        return a != null && b != null && compare(a, b) == 0 ? null : a;
                    }, args.get(0).type, name);
                case "coalesce":
                    return new CExpr(f -> {
                        for (CExpr a : args) {
                            Object v = a.node.eval(f);
                            if (v != null) {
                                return v;
                            }
                        }
                        return null;
                    }, args.stream().map(a -> a.type).filter(t -> t != DataType.UNKNOWN).findFirst()
                            .orElse(DataType.TEXT), name);
                case "btrim", "ltrim", "rtrim":
                    if (n < 1 || n > 2) {
                        throw Errors.undefinedFunction(name, fc.position());
                    }
                    return fn(name, DataType.TEXT, args, v -> {
                        if (v[0] == null || (n == 2 && v[1] == null)) {
                            return null;
                        }
                        String str = text(v[0], args.get(0).type);
                        String chars = n == 2 ? text(v[1], DataType.TEXT) : " ";
                        int from = 0;
                        int to = str.length();
                        if (!name.equals("rtrim")) {
                            while (from < to && chars.indexOf(str.charAt(from)) >= 0) {
                                from++;
                            }
                        }
                        if (!name.equals("ltrim")) {
                            while (to > from && chars.indexOf(str.charAt(to - 1)) >= 0) {
                                to--;
                            }
                        }
                        return str.substring(from, to);
                    });
                case "lower", "upper", "quote_ident":
                    arity(fc, n, 1);
                    return fn(name, DataType.TEXT, args, v -> {
                        if (v[0] == null) {
                            return null;
                        }
                        String s = text(v[0], args.get(0).type);
                        return switch (name) {
                            case "lower" -> s.toLowerCase(Locale.ROOT);
                            case "upper" -> s.toUpperCase(Locale.ROOT);
                            default -> s.matches("[a-z_][a-z0-9_$]*") ? s : '"' + s.replace("\"", "\"\"") + '"';
                        };
                    });
                case "length", "char_length", "character_length":
                    arity(fc, n, 1);
                    return fn(name, DataType.INT4, args, v -> v[0] == null ? null
                            : text(v[0], args.get(0).type).codePointCount(0, text(v[0], args.get(0).type).length()));
                case "concat":
                    return fn(name, DataType.TEXT, args, v -> {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 0; i < v.length; i++) {
                            if (v[i] != null) {
                                sb.append(text(v[i], args.get(i).type));
                            }
                        }
                        return sb.toString();
                    });
                case "replace":
                    arity(fc, n, 3);
                    return fn(name, DataType.TEXT, args, v -> v[0] == null || v[1] == null || v[2] == null ? null
                            : text(v[0], args.get(0).type).replace(text(v[1], DataType.TEXT), text(v[2], DataType.TEXT)));
                case "starts_with":
                    arity(fc, n, 2);
                    return fn(name, DataType.BOOL, args, v -> v[0] == null || v[1] == null ? null
                            : text(v[0], DataType.TEXT).startsWith(text(v[1], DataType.TEXT)));
                case "strpos", "position":
                    arity(fc, n, 2);
                    return fn(name, DataType.INT4, args, v -> v[0] == null || v[1] == null ? null
                            : text(v[0], DataType.TEXT).indexOf(text(v[1], DataType.TEXT)) + 1);
                case "substr", "substring":
                    if (n < 2 || n > 3) {
                        throw Errors.undefinedFunction(name, fc.position());
                    }
                    return fn(name, DataType.TEXT, args, v -> {
                        if (v[0] == null || v[1] == null || (n == 3 && v[2] == null)) {
                            return null;
                        }
                        String s = text(v[0], args.get(0).type);
                        long start = toLong(v[1]);
                        long end = n == 3 ? start + toLong(v[2]) : Long.MAX_VALUE;
                        int from = (int) Math.max(1, Math.min(start, s.length() + 1L)) - 1;
                        int to = (int) Math.max(from, Math.min(end - 1, s.length()));
                        return s.substring(from, to);
                    });
                case "left", "right":
                    arity(fc, n, 2);
                    return fn(name, DataType.TEXT, args, v -> {
                        if (v[0] == null || v[1] == null) {
                            return null;
                        }
                        String s = text(v[0], args.get(0).type);
                        int k = (int) toLong(v[1]);
                        int len = k >= 0 ? Math.min(k, s.length()) : Math.max(0, s.length() + k);
                        return name.equals("left") ? s.substring(0, len) : s.substring(s.length() - len);
                    });
                case "abs":
                    arity(fc, n, 1);
                    return new CExpr(f -> {
                        Object v = args.get(0).node.eval(f);
                        return v == null ? null : compare(v, 0) < 0 ? negate(v) : v;
                    }, args.get(0).type, name);
                default:
                    throw Errors.undefinedFunction(name, fc.position());
            }
        }

        private static void arity(Expr.FunctionCall fc, int n, int expected) {
            if (n != expected) {
                throw Errors.undefinedFunction(fc.name(), fc.position());
            }
        }

        interface Fn {
            Object apply(Object[] values);
        }

        private static CExpr fn(String name, DataType type, List<CExpr> args, Fn fn) {
            return new CExpr(f -> {
                Object[] v = new Object[args.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = args.get(i).node.eval(f);
                }
                return fn.apply(v);
            }, type, name);
        }

        /** unnest, generate_series and _pg_expandarray in the select list: a slot the row expansion fills. */
        private CExpr setReturning(Expr.FunctionCall fc, Ctx c) {
            if (c.srfs == null) {
                throw new SqlError("0A000", "set-returning functions are not allowed here [function=" + fc.name() + "]",
                        fc.position());
            }
            int n = fc.args().size();
            boolean series = fc.name().equals("generate_series");
            if (series ? n < 2 || n > 3 : n != 1) {
                throw Errors.undefinedFunction(fc.name(), fc.position());
            }
            Srf srf = new Srf();
            srf.name = fc.name();
            for (Expr a : fc.args()) {
                srf.args.add(expr(a, c.plain()));
            }
            srf.slot = c.srfs.size(); // made absolute once aggregates and windows are counted
            c.srfs.add(srf);
            DataType type = series ? (srf.args.stream().anyMatch(a -> a.type == DataType.INT8) ? DataType.INT8
                    : DataType.INT4) : DataType.TEXT;
            String column = fc.name().startsWith("information_schema.") ? fc.name().substring(19) : fc.name();
            return new CExpr(f -> f.v[srf.slot], type, column);
        }

        private CExpr aggregate(Expr.FunctionCall fc, Ctx c) {
            if (c.aggs == null) {
                throw new SqlError("42803", "aggregate functions are not allowed here [function=" + fc.name() + "]",
                        fc.position());
            }
            Agg agg = new Agg();
            agg.name = fc.name();
            agg.star = fc.star();
            agg.distinct = fc.distinct();
            for (Expr a : fc.args()) {
                agg.args.add(expr(a, c.plain()));
            }
            if (!agg.star && agg.args.isEmpty()) {
                throw Errors.undefinedFunction(fc.name(), fc.position());
            }
            int slot = c.aggBase + c.aggs.size();
            c.aggs.add(agg);
            DataType t = switch (agg.name) {
                case "count" -> DataType.INT8;
                case "avg" -> agg.args.get(0).type == DataType.INTERVAL ? DataType.INTERVAL : DataType.FLOAT8;
                case "sum" -> agg.args.get(0).type == DataType.FLOAT8 || agg.args.get(0).type == DataType.INTERVAL
                        ? agg.args.get(0).type : DataType.INT8;
                case "min", "max" -> agg.args.get(0).type;
                case "bool_and", "bool_or", "every" -> DataType.BOOL;
                default -> DataType.TEXT;
            };
            return new CExpr(f -> f.v[slot], t, agg.name);
        }
    }

    // =============================================================================================================
    // aggregates and windows
    // =============================================================================================================

    /** One aggregate call of a grouped SELECT. */
    static final class Agg {
        String name;
        boolean star;
        boolean distinct;
        final List<CExpr> args = new ArrayList<>();

        Object compute(List<Object[]> group, Frame outer, Exec x) {
            if (star) {
                return (long) group.size();
            }
            List<Object> values = new ArrayList<>();
            List<Object> seconds = new ArrayList<>();
            Set<Object> seen = distinct ? new HashSet<>() : null;
            for (Object[] r : group) {
                Frame f = new Frame(r, outer, x);
                Object v = args.get(0).node.eval(f);
                if (v == null || (seen != null && !seen.add(hashKey(v)))) {
                    continue;
                }
                values.add(v);
                if (args.size() > 1) {
                    seconds.add(args.get(1).node.eval(f));
                }
            }
            switch (name) {
                case "count":
                    return (long) values.size();
                case "array_agg":
                    return values.isEmpty() ? null : values;
                case "string_agg": {
                    if (values.isEmpty()) {
                        return null;
                    }
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < values.size(); i++) {
                        if (i > 0 && seconds.get(i) != null) {
                            sb.append(text(seconds.get(i), DataType.TEXT));
                        }
                        sb.append(text(values.get(i), args.get(0).type));
                    }
                    return sb.toString();
                }
                default:
                    break;
            }
            if (values.isEmpty()) {
                return null;
            }
            switch (name) {
                case "min", "max": {
                    Object best = values.get(0);
                    for (Object v : values) {
                        int cmp = compare(v, best);
                        if (name.equals("min") ? cmp < 0 : cmp > 0) {
                            best = v;
                        }
                    }
                    return best;
                }
                case "sum", "avg": {
                    if (values.get(0) instanceof IntervalValue) {
                        IntervalValue s = IntervalValue.ZERO;
                        for (Object v : values) {
                            s = IntervalMath.add(s, (IntervalValue) v, false);
                        }
                        return name.equals("avg") ? IntervalMath.divide(s, values.size()) : s;
                    }
                    boolean floating = values.stream().anyMatch(v -> v instanceof Double || v instanceof Float);
                    if (floating || name.equals("avg")) {
                        double s = 0;
                        for (Object v : values) {
                            s += ((Number) v).doubleValue();
                        }
                        return name.equals("avg") ? s / values.size() : s;
                    }
                    long s = 0;
                    for (Object v : values) {
                        s = Math.addExact(s, ((Number) v).longValue());
                    }
                    return s;
                }
                case "bool_and", "every":
                    return values.stream().allMatch(RowQuery::truth);
                case "bool_or":
                    return values.stream().anyMatch(RowQuery::truth);
                default:
                    throw new SqlError("42883", "function does not exist [function=" + name + "]");
            }
        }
    }

    /**
     * A set-returning function in the select list. Each input row yields as many rows as the longest of its
     * functions' results (PostgreSQL 10's lockstep rule: the shorter ones give NULL), none if all are empty.
     * {@code information_schema._pg_expandarray(a)} yields composites {@code (x, n)}: element and 1-based index.
     */
    static final class Srf {
        String name;
        final List<CExpr> args = new ArrayList<>();
        int slot;

        List<Object> values(Frame f) {
            Object[] v = new Object[args.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = args.get(i).node.eval(f);
            }
            List<Object> out = new ArrayList<>();
            switch (name) {
                case "generate_series" -> {
                    if (v[0] == null || v[1] == null || (v.length > 2 && v[2] == null)) {
                        return out;
                    }
                    long step = v.length > 2 ? toLong(v[2]) : 1;
                    if (step == 0) {
                        throw new SqlError("22023", "step size cannot equal zero");
                    }
                    boolean big = v[0] instanceof Long || v[1] instanceof Long;
                    for (long i = toLong(v[0]); step > 0 ? i <= toLong(v[1]) : i >= toLong(v[1]); i += step) {
                        out.add(big ? (Object) i : (Object) (int) i);
                        f.x.grow(1);
                    }
                }
                case "unnest" -> {
                    List<?> items = asArray(v[0]);
                    if (items != null) {
                        out.addAll(items);
                    }
                }
                default -> {
                    List<?> items = asArray(v[0]);
                    if (items != null) {
                        for (int i = 0; i < items.size(); i++) {
                            Map<String, Object> composite = new LinkedHashMap<>();
                            composite.put("x", items.get(i));
                            composite.put("n", i + 1);
                            out.add(composite);
                        }
                    }
                }
            }
            return out;
        }

        static List<Object[]> expand(List<Srf> srfs, List<Object[]> frames, Frame outer, Exec x) {
            List<Object[]> out = new ArrayList<>();
            for (Object[] frame : frames) {
                Frame f = new Frame(frame, outer, x);
                List<List<Object>> results = new ArrayList<>();
                int rows = 0;
                for (Srf srf : srfs) {
                    List<Object> values = srf.values(f);
                    results.add(values);
                    rows = Math.max(rows, values.size());
                }
                for (int i = 0; i < rows; i++) {
                    Object[] copy = frame.clone();
                    for (int k = 0; k < srfs.size(); k++) {
                        List<Object> values = results.get(k);
                        copy[srfs.get(k).slot] = i < values.size() ? values.get(i) : null;
                    }
                    out.add(copy);
                    x.grow(1);
                }
                x.check();
            }
            return out;
        }
    }

    /** A row_number() OVER (PARTITION BY ... ORDER BY ...) of a SELECT; writes its numbers into a frame slot. */
    static final class Window {
        final List<CExpr> partition = new ArrayList<>();
        final List<CExpr> order = new ArrayList<>();
        final List<Statement.OrderItem> orderItems = new ArrayList<>();
        int slot;

        void compute(List<Object[]> frames, Frame outer, Exec x) {
            int n = frames.size();
            List<Object>[] partKeys = new List[n];
            Object[][] orderKeys = new Object[n][];
            Integer[] index = new Integer[n];
            for (int i = 0; i < n; i++) {
                Frame f = new Frame(frames.get(i), outer, x);
                List<Object> pk = new ArrayList<>();
                for (CExpr p : partition) {
                    pk.add(hashKey(p.node.eval(f)));
                }
                partKeys[i] = pk;
                Object[] ok = new Object[order.size()];
                for (int k = 0; k < ok.length; k++) {
                    ok[k] = order.get(k).node.eval(f);
                }
                orderKeys[i] = ok;
                index[i] = i;
            }
            Map<List<Object>, List<Integer>> parts = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                parts.computeIfAbsent(partKeys[i], k -> new ArrayList<>()).add(i);
            }
            for (List<Integer> members : parts.values()) {
                members.sort((a, b) -> {
                    for (int k = 0; k < orderItems.size(); k++) {
                        int cmp = compareForSort(orderKeys[a][k], orderKeys[b][k], orderItems.get(k));
                        if (cmp != 0) {
                            return cmp;
                        }
                    }
                    return Integer.compare(a, b);
                });
                long number = 1;
                for (int i : members) {
                    frames.get(i)[slot] = number++;
                }
            }
        }
    }

    // =============================================================================================================
    // value helpers
    // =============================================================================================================

    private static Object[] concat(Object[] l, Object[] r, int lw, int rw) {
        Object[] row = new Object[lw + rw];
        if (l != null) {
            System.arraycopy(l, 0, row, 0, lw);
        }
        if (r != null) {
            System.arraycopy(r, 0, row, lw, rw);
        }
        return row;
    }

    /** PostgreSQL's pg_size_pretty: bytes, kB, MB, GB, TB, rounding half up once a unit is 10 or more of the next. */
    static String sizePretty(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB"};
        double size = bytes;
        int unit = 0;
        while (unit < units.length - 1 && Math.abs(size) >= 10 * 1024 - 0.5) {
            size /= 1024;
            unit++;
        }
        return Math.round(size) + " " + units[unit];
    }

    static boolean isTrue(Object v) {
        return v != null && truth(v);
    }

    static boolean truth(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            Boolean b = Values.parseBoolean(s);
            return b != null && b;
        }
        throw new SqlError("42804", "argument must be type boolean [value=" + v + "]");
    }

    static long toLong(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new SqlError("22P02", "invalid input syntax for type bigint [value=" + v + "]");
        }
    }

    /** A value as a hash/equality key: integral numbers as Long, other numbers as Double, arrays as lists of keys. */
    static Object hashKey(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return (double) f;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(hashKey(o));
            }
            return out;
        }
        return v;
    }

    /** Orders two non-null values; text meeting another type is read as that type (PostgreSQL's unknown). */
    static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            boolean floating = x instanceof Double || x instanceof Float || y instanceof Double || y instanceof Float;
            return floating ? Values.compareDoubles(x.doubleValue(), y.doubleValue())
                    : Long.compare(x.longValue(), y.longValue());
        }
        if (a instanceof String s && !(b instanceof String)) {
            return -compare(b, s);
        }
        if (b instanceof String s && !(a instanceof String)) {
            if (a instanceof Number) {
                try {
                    Object parsed = a instanceof Double || a instanceof Float || s.contains(".")
                            ? (Object) Double.parseDouble(s.trim()) : (Object) Long.parseLong(s.trim());
                    return compare(a, parsed);
                } catch (NumberFormatException e) {
                    throw new SqlError("22P02", "invalid input syntax for type number [value=" + s + "]");
                }
            }
            if (a instanceof Boolean x) {
                Boolean y = Values.parseBoolean(s);
                return Boolean.compare(x, y);
            }
            if (a instanceof List<?>) {
                return text(a, DataType.TEXT).compareTo(s);
            }
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof IntervalValue x) {
            return x.compareTo(b instanceof String s ? Values.parseInterval(s) : (IntervalValue) b);
        }
        if (b instanceof IntervalValue y && a instanceof String s) {
            return Values.parseInterval(s).compareTo(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                Object p = x.get(i);
                Object q = y.get(i);
                int cmp = p == null ? (q == null ? 0 : 1) : q == null ? -1 : compare(p, q);
                if (cmp != 0) {
                    return cmp;
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw new SqlError("42883", "operator does not exist for these types [left=" + a.getClass().getSimpleName()
                + ", right=" + b.getClass().getSimpleName() + "]");
    }

    static boolean comparison(BinaryOp op, int cmp) {
        return switch (op) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
    }

    private static Object negate(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof IntervalValue iv) {
            return IntervalMath.negate(iv);
        }
        if (v instanceof Double d) {
            return -d;
        }
        if (v instanceof Integer i) {
            return Math.negateExact(i);
        }
        return Math.negateExact(toLong(v));
    }

    private static Object arithmetic(BinaryOp op, Object a, Object b) {
        if (a == null || b == null) {
            return null;
        }
        if (a instanceof String s) {
            a = s.contains(".") ? (Object) Double.parseDouble(s) : (Object) toLong(s);
        }
        if (b instanceof String s) {
            b = s.contains(".") ? (Object) Double.parseDouble(s) : (Object) toLong(s);
        }
        if (a instanceof Double || b instanceof Double || a instanceof Float || b instanceof Float) {
            double x = ((Number) a).doubleValue();
            double y = ((Number) b).doubleValue();
            return switch (op) {
                case ADD -> x + y;
                case SUBTRACT -> x - y;
                case MULTIPLY -> x * y;
                case DIVIDE -> {
                    if (y == 0) {
                        throw Errors.divisionByZero();
                    }
                    yield x / y;
                }
                case MODULO -> x % y;
                default -> throw new SqlError("42883", "operator does not exist [operator=" + op + "]");
            };
        }
        long x = toLong(a);
        long y = toLong(b);
        long r;
        try {
            r = switch (op) {
                case ADD -> Math.addExact(x, y);
                case SUBTRACT -> Math.subtractExact(x, y);
                case MULTIPLY -> Math.multiplyExact(x, y);
                case DIVIDE, MODULO -> {
                    if (y == 0) {
                        throw Errors.divisionByZero();
                    }
                    yield op == BinaryOp.DIVIDE ? x / y : x % y;
                }
                default -> throw new SqlError("42883", "operator does not exist [operator=" + op + "]");
            };
        } catch (ArithmeticException e) {
            throw new SqlError("22003", "bigint out of range");
        }
        boolean small = a instanceof Integer && b instanceof Integer;
        if (small && r == (int) r) {
            return (int) r;
        }
        if (small) {
            throw new SqlError("22003", "integer out of range");
        }
        return r;
    }

    /** CAST to one of the column types, from any value (text parsed, numbers converted). */
    static Object castTo(Object v, DataType from, DataType target) {
        if (v == null) {
            return null;
        }
        switch (target) {
            case TEXT, VARCHAR:
                return text(v, from);
            case BOOL:
                if (v instanceof Boolean) {
                    return v;
                }
                if (v instanceof Number n) {
                    return n.longValue() != 0;
                }
                return Values.parseBoolean(text(v, from));
            case INT4, INT2:
                if (v instanceof Number n) {
                    if (v instanceof Double d) {
                        return Values.toIntExact(Values.doubleToLong(d, DataType.INT4), v);
                    }
                    return Values.toIntExact(n.longValue(), v);
                }
                return Values.parseInt(text(v, from));
            case INT8:
                if (v instanceof Double d) {
                    return Values.doubleToLong(d, DataType.INT8);
                }
                if (v instanceof Number n) {
                    return n.longValue();
                }
                return Values.parseLong(text(v, from));
            case FLOAT8, FLOAT4, NUMERIC:
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                return Values.parseDouble(text(v, from), DataType.FLOAT8);
            case TIMESTAMP:
                if (v instanceof Long l && from == DataType.TIMESTAMP) {
                    return l;
                }
                return Values.parseTimestamp(text(v, from));
            case INTERVAL:
                if (v instanceof IntervalValue) {
                    return v;
                }
                if (v instanceof Number || v instanceof Boolean) {
                    throw new SqlError("42846", "cannot cast type " + Values.typeName(from) + " to interval");
                }
                return Values.parseInterval(text(v, from));
            default:
                return v;
        }
    }

    /** An array value: a list, or PostgreSQL's text form {@code {a,b}}; null stays null. */
    static List<?> asArray(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return l;
        }
        String s = v.toString().trim();
        if (!s.startsWith("{") || !s.endsWith("}")) {
            throw new SqlError("22P02", "malformed array literal [value=" + s + "]");
        }
        List<Object> out = new ArrayList<>();
        String body = s.substring(1, s.length() - 1);
        if (body.isBlank()) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (quoted) {
                if (ch == '\\' && i + 1 < body.length()) {
                    cur.append(body.charAt(++i));
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (ch == ',') {
                out.add(!wasQuoted && cur.toString().trim().equalsIgnoreCase("null") ? null : cur.toString().trim());
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(ch);
            }
        }
        out.add(!wasQuoted && cur.toString().trim().equalsIgnoreCase("null") ? null : cur.toString().trim());
        return out;
    }

    static Pattern likePattern(String like, boolean caseInsensitive) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char ch = like.charAt(i);
            if (ch == '\\' && i + 1 < like.length()) {
                sb.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (ch == '%') {
                sb.append(".*");
            } else if (ch == '_') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(sb.toString(), Pattern.DOTALL | (caseInsensitive
                ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    }

    /** A POSIX regular expression as Java reads it (the common subset is the same syntax). */
    static Pattern regex(String posix, boolean caseInsensitive, int position) {
        try {
            return Pattern.compile(posix, caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new SqlError("2201B", "invalid regular expression [pattern=" + posix + ", reason="
                    + e.getDescription() + "]", position);
        }
    }

    static int compareForSort(Object a, Object b, Statement.OrderItem item) {
        boolean nullsFirst = item.nullsFirst() != null ? item.nullsFirst() : item.descending();
        if (a == null || b == null) {
            if (a == b) {
                return 0;
            }
            return (a == null) == nullsFirst ? -1 : 1;
        }
        int cmp = compare(a, b);
        return item.descending() ? -cmp : cmp;
    }

    /** Sorts output rows; each key is an output column ({@code [i, -1]}) or a hidden key after {@code visible}. */
    static void sort(List<Object[]> rows, List<Statement.OrderItem> order, List<int[]> keys, int visible) {
        rows.sort((x, y) -> {
            for (int k = 0; k < order.size(); k++) {
                int[] key = keys.get(k);
                int index = key[0] >= 0 ? key[0] : visible + key[1];
                int cmp = compareForSort(x[index], y[index], order.get(k));
                if (cmp != 0) {
                    return cmp;
                }
            }
            return 0;
        });
    }

    static List<Object[]> limitRows(List<Object[]> rows, CExpr limit, CExpr offset, Frame outer, Exec x,
                                    int visible) {
        Frame f = new Frame(new Object[0], outer, x);
        long from = 0;
        long count = Long.MAX_VALUE;
        if (offset != null) {
            Object v = offset.node.eval(f);
            if (v != null) {
                from = toLong(v);
                if (from < 0) {
                    throw new SqlError("2201X", "OFFSET must not be negative");
                }
            }
        }
        if (limit != null) {
            Object v = limit.node.eval(f);
            if (v != null) {
                count = toLong(v);
                if (count < 0) {
                    throw new SqlError("2201W", "LIMIT must not be negative");
                }
            }
        }
        List<Object[]> out = new ArrayList<>();
        for (long i = from; i < rows.size() && i - from < count; i++) {
            Object[] r = rows.get((int) i);
            out.add(r.length == visible ? r : Arrays.copyOf(r, visible));
        }
        return out;
    }

    /** SELECT DISTINCT: the first of each group of rows equal in their first {@code visible} columns. */
    static List<Object[]> distinctVisible(List<Object[]> rows, int visible) {
        Set<List<Object>> seen = new HashSet<>();
        List<Object[]> out = new ArrayList<>();
        for (Object[] r : rows) {
            List<Object> key = new ArrayList<>(visible);
            for (int i = 0; i < visible; i++) {
                key.add(hashKey(r[i]));
            }
            if (seen.add(key)) {
                out.add(r);
            }
        }
        return out;
    }

    static List<Object[]> distinct(List<Object[]> rows) {
        Set<List<Object>> seen = new HashSet<>();
        List<Object[]> out = new ArrayList<>();
        for (Object[] r : rows) {
            List<Object> key = new ArrayList<>(r.length);
            for (Object v : r) {
                key.add(hashKey(v));
            }
            if (seen.add(key)) {
                out.add(r);
            }
        }
        return out;
    }
}
