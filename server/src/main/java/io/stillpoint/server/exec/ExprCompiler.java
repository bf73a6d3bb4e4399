package io.stillpoint.server.exec;

import io.stillpoint.sql.IntervalValue;
import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.SqlType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles parser expressions into {@link Ev} trees: resolves columns through a {@link Scope}, decides types
 * (PostgreSQL's rules, reduced to our types), inserts the coercions of untyped text (string literals and text
 * parameters take the type of what they meet), and infers the types of parameters from their context.
 */
final class ExprCompiler {

    /** Resolves column references. */
    interface Scope {
        /** The compiled reference, or throws 42703 / 42803 / 42P01. */
        Ev resolve(Expr.ColumnRef ref);
    }

    /**
     * Replaces sub-expressions before normal compilation: the aggregation stage maps group keys and aggregate
     * calls to slots of the group row. Returns null to compile the node normally.
     */
    interface Interceptor {
        Ev intercept(Expr e);
    }

    static final Scope NO_COLUMNS = ref -> {
        throw Errors.undefinedColumn(ref.qualifier() == null ? ref.name() : ref.qualifier() + "." + ref.name(),
                ref.position());
    };

    /** Parameter types: declared by the client (non-null entries) or inferred here; null means undecided yet. */
    final DataType[] paramTypes;
    private final SessionInfo session;
    /** Where aggregate calls are not allowed, the name of the clause for the message (null: allowed via interceptor). */
    String aggregateForbiddenIn = "this context";

    ExprCompiler(DataType[] paramTypes, SessionInfo session) {
        this.paramTypes = paramTypes;
        this.session = session;
    }

    /** What functions such as current_user and current_database() report. */
    record SessionInfo(String user, String database) {}

    static DataType dataType(SqlType t) {
        return switch (t) {
            case BOOLEAN -> DataType.BOOL;
            case INT -> DataType.INT4;
            case LONG -> DataType.INT8;
            case DOUBLE -> DataType.FLOAT8;
            case VARCHAR -> DataType.VARCHAR;
            case TIMESTAMP -> DataType.TIMESTAMP;
            case INTERVAL -> DataType.INTERVAL;
        };
    }

    static boolean isAggregateName(String name) {
        return switch (name) {
            case "count", "sum", "min", "max", "avg" -> true;
            default -> false;
        };
    }

    Ev compile(Expr e, Scope scope) {
        return compile(e, scope, null, null);
    }

    /**
     * @param hint the type the context expects (parameters without a declared type take it), or null
     */
    Ev compile(Expr e, Scope scope, DataType hint, Interceptor interceptor) {
        Ev ev = compileNode(e, scope, hint, interceptor);
        if (!(ev instanceof Ev.Const) && foldable(ev)) {
            // Constant sub-expressions are computed once, now: errors such as 1/0 surface before any row,
            // as PostgreSQL's planner does.
            Object v = ev.eval(new Ev.Ctx(new Object[0], 0));
            return new Ev.Const(v, ev.type, false);
        }
        return ev;
    }

    /** True if an expression depends on nothing but literals (no row, parameter or clock). */
    static boolean foldable(Ev e) {
        if (e instanceof Ev.Const) {
            return true;
        }
        if (e instanceof Ev.Not n) {
            return foldable(n.operand);
        }
        if (e instanceof Ev.Logic l) {
            return foldable(l.left) && foldable(l.right);
        }
        if (e instanceof Ev.IsNull n) {
            return foldable(n.operand);
        }
        if (e instanceof Ev.Compare c) {
            return foldable(c.left) && foldable(c.right);
        }
        if (e instanceof Ev.Arith a) {
            return foldable(a.left) && foldable(a.right);
        }
        if (e instanceof Ev.Negate n) {
            return foldable(n.operand);
        }
        if (e instanceof Ev.Concat c) {
            return foldable(c.left) && foldable(c.right);
        }
        if (e instanceof Ev.Cast c) {
            return foldable(c.operand);
        }
        if (e instanceof Ev.InList in) {
            if (!foldable(in.operand)) {
                return false;
            }
            for (Ev i : in.items) {
                if (!foldable(i)) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Ev.Call c) {
            for (Ev a : c.args) {
                if (!foldable(a)) {
                    return false;
                }
            }
            return true;
        }
        return false; // Param, Slot, Now
    }

    private Ev compileNode(Expr e, Scope scope, DataType hint, Interceptor interceptor) {
        if (interceptor != null) {
            Ev replaced = interceptor.intercept(e);
            if (replaced != null) {
                return replaced;
            }
        }
        if (e instanceof Expr.Literal l) {
            return literal(l.value());
        }
        if (e instanceof Expr.Parameter p) {
            return parameter(p, hint);
        }
        if (e instanceof Expr.ColumnRef c) {
            return scope.resolve(c);
        }
        if (e instanceof Expr.Unary u) {
            return unary(u, scope, interceptor);
        }
        if (e instanceof Expr.Binary b) {
            return binary(b, scope, interceptor);
        }
        if (e instanceof Expr.IsNull n) {
            return new Ev.IsNull(compile(n.operand(), scope, null, interceptor), n.negated());
        }
        if (e instanceof Expr.Between b) {
            Ev operand = compile(b.operand(), scope, null, interceptor);
            Ev low = compile(b.low(), scope, operand.type, interceptor);
            Ev high = compile(b.high(), scope, operand.type, interceptor);
            Ev ge = comparison(BinaryOp.GE, operand, low, b.position());
            Ev le = comparison(BinaryOp.LE, operand, high, b.position());
            Ev both = new Ev.Logic(true, ge, le);
            return b.negated() ? new Ev.Not(both) : both;
        }
        if (e instanceof Expr.InList in) {
            Ev operand = compile(in.operand(), scope, null, interceptor);
            List<Ev> items = new ArrayList<>();
            DataType common = operand.type;
            for (Expr item : in.items()) {
                Ev[] pair = unify(operand, compile(item, scope, operand.type, interceptor), in.position(), "in");
                items.add(pair[1]);
                common = pair[0].type;
            }
            // If the items forced the operand's untyped text into a type, coerce it once.
            Ev op = operand.type == common ? operand : new Ev.Cast(operand, common);
            return new Ev.InList(op, items, in.negated());
        }
        if (e instanceof Expr.Cast c) {
            DataType target = dataType(c.type());
            Ev operand = compile(c.operand(), scope, target, interceptor);
            return cast(operand, target, c.position());
        }
        if (e instanceof Expr.FunctionCall f) {
            return function(f, scope, interceptor);
        }
        throw new SqlError("0A000", "expression is not supported [expression=" + e.getClass().getSimpleName() + "]",
                e.position());
    }

    static Ev literal(Object v) {
        if (v == null) {
            return new Ev.Const(null, DataType.UNKNOWN, true);
        }
        if (v instanceof Boolean) {
            return new Ev.Const(v, DataType.BOOL, false);
        }
        if (v instanceof Long l) {
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return new Ev.Const(l.intValue(), DataType.INT4, false);
            }
            return new Ev.Const(l, DataType.INT8, false);
        }
        if (v instanceof Integer i) {
            return new Ev.Const(i, DataType.INT4, false);
        }
        if (v instanceof Double d) {
            return new Ev.Const(d, DataType.FLOAT8, false);
        }
        if (v instanceof String s) {
            return new Ev.Const(s, DataType.TEXT, true);
        }
        throw new SqlError("0A000", "literal is not supported [type=" + v.getClass().getSimpleName() + "]");
    }

    private Ev parameter(Expr.Parameter p, DataType hint) {
        int i = p.index() - 1;
        if (i < 0 || i >= paramTypes.length) {
            throw new SqlError("42P02", "there is no parameter [parameter=$" + p.index() + "]", p.position());
        }
        if (paramTypes[i] == null) {
            paramTypes[i] = hint != null ? hint : DataType.UNKNOWN;
        }
        return new Ev.Param(i, paramTypes[i]);
    }

    private Ev unary(Expr.Unary u, Scope scope, Interceptor interceptor) {
        switch (u.op()) {
            case NOT: {
                Ev operand = requireBool(compile(u.operand(), scope, DataType.BOOL, interceptor), "not", u.position());
                return new Ev.Not(operand);
            }
            case NEGATE:
            case PLUS: {
                Ev operand = compile(u.operand(), scope, null, interceptor);
                if (operand.adaptable()) {
                    operand = new Ev.Cast(operand, DataType.FLOAT8);
                }
                if (operand.type == DataType.INTERVAL) {
                    return u.op() == Expr.UnaryOp.PLUS ? operand : new Ev.Call(DataType.INTERVAL, List.of(operand), true,
                            v -> IntervalMath.negate((IntervalValue) v[0]));
                }
                if (!Values.isNumeric(operand.type)) {
                    throw new SqlError("42883", "operator does not exist [operator=" + (u.op() == Expr.UnaryOp.NEGATE ? "-" : "+")
                            + ", type=" + Values.typeName(operand.type) + "]", u.position());
                }
                if (u.op() == Expr.UnaryOp.PLUS) {
                    return operand;
                }
                if (operand instanceof Ev.Const c && c.value != null) {
                    // Fold so that -2147483648 stays an integer literal.
                    return literalNegation(c);
                }
                return new Ev.Negate(operand);
            }
            default:
                throw new SqlError("0A000", "operator is not supported [operator=" + u.op() + "]", u.position());
        }
    }

    private static Ev literalNegation(Ev.Const c) {
        if (c.value instanceof Integer i) {
            return i == Integer.MIN_VALUE ? new Ev.Const(-(long) i, DataType.INT8, false) : new Ev.Const(-i, DataType.INT4, false);
        }
        if (c.value instanceof Long l) {
            long n = -l;
            if (l == Long.MIN_VALUE) {
                return new Ev.Const(-(double) l, DataType.FLOAT8, false);
            }
            return literal(n);
        }
        return new Ev.Const(-((Number) c.value).doubleValue(), DataType.FLOAT8, false);
    }

    private Ev requireBool(Ev ev, String what, int position) {
        if (ev.type == DataType.BOOL) {
            return ev;
        }
        if (ev.adaptable()) {
            return new Ev.Cast(ev, DataType.BOOL);
        }
        throw Errors.datatypeMismatch("argument of " + what + " must be type boolean, not type "
                + Values.typeName(ev.type), position);
    }

    private Ev binary(Expr.Binary b, Scope scope, Interceptor interceptor) {
        BinaryOp op = b.op();
        switch (op) {
            case AND, OR: {
                Ev l = requireBool(compile(b.left(), scope, DataType.BOOL, interceptor), op == BinaryOp.AND ? "and" : "or", b.position());
                Ev r = requireBool(compile(b.right(), scope, DataType.BOOL, interceptor), op == BinaryOp.AND ? "and" : "or", b.position());
                return new Ev.Logic(op == BinaryOp.AND, l, r);
            }
            default:
                break;
        }
        // Compile the side that is not a parameter first so that the parameter can take its type.
        Ev l;
        Ev r;
        if (b.left() instanceof Expr.Parameter && !(b.right() instanceof Expr.Parameter)) {
            r = compile(b.right(), scope, null, interceptor);
            l = compile(b.left(), scope, hintFor(op, r.type), interceptor);
        } else {
            l = compile(b.left(), scope, null, interceptor);
            r = compile(b.right(), scope, hintFor(op, l.type), interceptor);
        }
        switch (op) {
            case EQ, NE, LT, LE, GT, GE:
                return comparison(op, l, r, b.position());
            case CONCAT:
                return concat(l, r, b.position());
            default:
                return arithmetic(op, l, r, b.position());
        }
    }

    private static DataType hintFor(BinaryOp op, DataType other) {
        if (op == BinaryOp.CONCAT) {
            return DataType.TEXT;
        }
        // A parameter added to a timestamp is an interval, one multiplying an interval a number (PostgreSQL's choice).
        if (op == BinaryOp.ADD && other == DataType.TIMESTAMP) {
            return DataType.INTERVAL;
        }
        if ((op == BinaryOp.MULTIPLY || op == BinaryOp.DIVIDE) && other == DataType.INTERVAL) {
            return DataType.FLOAT8;
        }
        return other == DataType.UNKNOWN ? null : other;
    }

    Ev comparison(BinaryOp op, Ev l, Ev r, int position) {
        Ev[] pair = unify(l, r, position, Ev.symbol(op));
        return new Ev.Compare(op, pair[0], pair[1]);
    }

    /** Brings two operands to comparable types, or throws 42804. */
    static Ev[] unify(Ev l, Ev r, int position, String operator) {
        if (l.adaptable() && !r.adaptable() && !Values.isText(r.type)) {
            l = new Ev.Cast(l, r.type);
        } else if (r.adaptable() && !l.adaptable() && !Values.isText(l.type)) {
            r = new Ev.Cast(r, l.type);
        }
        DataType a = l.type;
        DataType b = r.type;
        if (a == b || (Values.isNumeric(a) && Values.isNumeric(b)) || (Values.isText(a) && Values.isText(b))) {
            return new Ev[] {l, r};
        }
        throw Errors.datatypeMismatch("operator does not exist [operator=" + operator + ", left="
                + Values.typeName(a) + ", right=" + Values.typeName(b) + "]", position);
    }

    private Ev concat(Ev l, Ev r, int position) {
        if (!Values.isText(l.type) && !Values.isText(r.type)) {
            throw new SqlError("42883", "operator does not exist [operator=||, left=" + Values.typeName(l.type)
                    + ", right=" + Values.typeName(r.type) + "]", position);
        }
        return new Ev.Concat(l, r);
    }

    private Ev arithmetic(BinaryOp op, Ev l, Ev r, int position) {
        IntervalMath.Signature sig = IntervalMath.signature(op, l.type, r.type, l.adaptable(), r.adaptable());
        if (sig != null) {
            return IntervalMath.node(op, sig, cast(l, sig.left(), position), cast(r, sig.right(), position));
        }
        if (l.adaptable() && Values.isNumeric(r.type)) {
            l = new Ev.Cast(l, r.type);
        } else if (r.adaptable() && Values.isNumeric(l.type)) {
            r = new Ev.Cast(r, l.type);
        } else if (l.adaptable() && r.adaptable()) {
            l = new Ev.Cast(l, DataType.FLOAT8);
            r = new Ev.Cast(r, DataType.FLOAT8);
        }
        if (!Values.isNumeric(l.type) || !Values.isNumeric(r.type)) {
            throw new SqlError("42883", "operator does not exist [operator=" + Ev.symbol(op) + ", left="
                    + Values.typeName(l.type) + ", right=" + Values.typeName(r.type) + "]", position);
        }
        DataType t;
        if (l.type == DataType.FLOAT8 || r.type == DataType.FLOAT8) {
            t = DataType.FLOAT8;
        } else if (l.type == DataType.INT8 || r.type == DataType.INT8) {
            t = DataType.INT8;
        } else {
            t = DataType.INT4;
        }
        return new Ev.Arith(op, l, r, t);
    }

    Ev cast(Ev operand, DataType target, int position) {
        if (operand.type == target) {
            return operand;
        }
        if (!Ev.Cast.allowed(operand.type, target)) {
            throw new SqlError("42846", "cannot cast type " + Values.typeName(operand.type) + " to "
                    + Values.typeName(target), position);
        }
        if (operand instanceof Ev.Const c) {
            // Fold constant casts so that conversion errors surface at prepare time, as in PostgreSQL.
            Object v = c.value == null ? null : Ev.Cast.convert(c.value, c.type, target);
            return new Ev.Const(v, target, false);
        }
        return new Ev.Cast(operand, target);
    }

    private Ev function(Expr.FunctionCall f, Scope scope, Interceptor interceptor) {
        String name = f.name().toLowerCase(Locale.ROOT);
        if (isAggregateName(name)) {
            throw new SqlError("42803", "aggregate functions are not allowed in " + aggregateForbiddenIn
                    + " [function=" + name + "]", f.position());
        }
        if (f.star() || f.distinct()) {
            throw new SqlError("42809", "function is not an aggregate [function=" + name + "]", f.position());
        }
        List<Ev> args = new ArrayList<>();
        for (Expr a : f.args()) {
            args.add(compile(a, scope, null, interceptor));
        }
        switch (name) {
            case "version":
                arity(f, args, 0);
                return new Ev.Const("PostgreSQL 15.0 (Stillpoint 0.1.0) on x86_64-pc-linux-gnu, compiled by javac, 64-bit",
                        DataType.TEXT, false);
            case "now", "current_timestamp", "localtimestamp", "transaction_timestamp", "statement_timestamp":
                arity(f, args, 0);
                return new Ev.Now();
            case "current_date": {
                arity(f, args, 0);
                return new Ev.Call(DataType.TIMESTAMP, List.of(new Ev.Now()), true,
                        a -> Math.floorDiv((Long) a[0], Values.MICROS_PER_DAY) * Values.MICROS_PER_DAY);
            }
            case "current_database":
                arity(f, args, 0);
                return new Ev.Const(session.database(), DataType.TEXT, false);
            case "current_schema":
                arity(f, args, 0);
                return new Ev.Const("public", DataType.TEXT, false);
            case "current_user", "session_user", "user", "current_role":
                arity(f, args, 0);
                return new Ev.Const(session.user(), DataType.TEXT, false);
            case "lower", "upper": {
                arity(f, args, 1);
                Ev a = textArg(args.get(0));
                boolean lower = name.equals("lower");
                return new Ev.Call(DataType.TEXT, List.of(a), true,
                        v -> lower ? ((String) v[0]).toLowerCase(Locale.ROOT) : ((String) v[0]).toUpperCase(Locale.ROOT));
            }
            case "length", "char_length", "character_length": {
                arity(f, args, 1);
                Ev a = textArg(args.get(0));
                return new Ev.Call(DataType.INT4, List.of(a), true, v -> ((String) v[0]).codePointCount(0, ((String) v[0]).length()));
            }
            case "abs": {
                arity(f, args, 1);
                Ev a = args.get(0).adaptable() ? new Ev.Cast(args.get(0), DataType.FLOAT8) : args.get(0);
                if (!Values.isNumeric(a.type)) {
                    throw Errors.undefinedFunction("abs(" + Values.typeName(a.type) + ")", f.position());
                }
                return new Ev.Call(a.type, List.of(a), true, v -> {
                    try {
                        if (v[0] instanceof Integer i) {
                            return Math.absExact(i);
                        }
                        if (v[0] instanceof Long l) {
                            return Math.absExact(l);
                        }
                    } catch (ArithmeticException e) {
                        throw new SqlError("22003", Values.typeName(a.type) + " out of range [value=" + v[0] + "]");
                    }
                    return Math.abs((Double) v[0]);
                });
            }
            case "coalesce": {
                if (args.isEmpty()) {
                    throw Errors.undefinedFunction("coalesce", f.position());
                }
                Ev first = args.get(0);
                List<Ev> unified = new ArrayList<>();
                DataType t = DataType.UNKNOWN;
                for (Ev a : args) {
                    if (!a.adaptable()) {
                        t = a.type;
                        break;
                    }
                }
                if (t == DataType.UNKNOWN) {
                    t = first.type == DataType.UNKNOWN ? DataType.TEXT : first.type;
                }
                for (Ev a : args) {
                    Ev[] pair = unify(new Ev.Const(null, t, false), a, f.position(), "coalesce");
                    Ev x = pair[1];
                    if (x.type != t) {
                        x = cast(x, t, f.position());
                    }
                    unified.add(x);
                }
                return new Ev.Call(t, unified, false, v -> {
                    for (Object o : v) {
                        if (o != null) {
                            return o;
                        }
                    }
                    return null;
                });
            }
            default:
                throw Errors.undefinedFunction(name, f.position());
        }
    }

    private static Ev textArg(Ev a) {
        return Values.isText(a.type) ? a : new Ev.Cast(a, DataType.TEXT);
    }

    private static void arity(Expr.FunctionCall f, List<Ev> args, int n) {
        if (args.size() != n) {
            throw Errors.undefinedFunction(f.name() + " with " + args.size() + " arguments", f.position());
        }
    }
}
