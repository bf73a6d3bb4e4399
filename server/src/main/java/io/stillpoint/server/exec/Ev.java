package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.Expr.BinaryOp;

import java.util.List;

/**
 * A compiled scalar expression: a tree of nodes evaluated against a row of boxed values (the source row, or
 * the group row of an aggregation) and the statement's parameters. Types are resolved at compile time, so
 * evaluation only checks nulls and computes. Values use the Java representations of {@link DataType}
 * (INT4 Integer, INT8 Long, FLOAT8 Double, TEXT/VARCHAR/UNKNOWN String, TIMESTAMP Long micros, BOOL Boolean,
 * INTERVAL {@link io.stillpoint.sql.IntervalValue}); timestamp and interval arithmetic is {@link IntervalMath}'s.
 */
abstract class Ev {

    /** What an expression is evaluated against. One per executing statement; {@code row} changes per row. */
    static final class Ctx {
        Object[] row;
        final Object[] params;
        final long nowMicros;
        /** The statement's cancel and timeout guard, or null (no checks): the scanner polls it per chunk. */
        StatementGuard guard;

        Ctx(Object[] params, long nowMicros) {
            this.params = params;
            this.nowMicros = nowMicros;
        }
    }

    final DataType type;

    Ev(DataType type) {
        this.type = type;
    }

    abstract Object eval(Ctx c);

    /** True if the value does not depend on the row (literals, parameters, functions of them). */
    abstract boolean rowIndependent();

    /** True for text whose type is not fixed yet (string literals, text-typed parameters, NULL): PostgreSQL's "unknown". */
    boolean adaptable() {
        return false;
    }

    // ---- leaves -----------------------------------------------------------------------------------------------

    static final class Const extends Ev {
        final Object value;
        final boolean adaptable;

        Const(Object value, DataType type, boolean adaptable) {
            super(type);
            this.value = value;
            this.adaptable = adaptable;
        }

        @Override
        Object eval(Ctx c) {
            return value;
        }

        @Override
        boolean rowIndependent() {
            return true;
        }

        @Override
        boolean adaptable() {
            return adaptable;
        }
    }

    /** {@code $n}; the value arrives decoded to the parameter's declared or inferred type. */
    static final class Param extends Ev {
        final int index;
        final DataType declared;

        Param(int index, DataType declared) {
            super(Values.expressionType(declared));
            this.index = index;
            this.declared = declared;
        }

        @Override
        Object eval(Ctx c) {
            Object v = c.params[index];
            if (v == null) {
                return null;
            }
            return coerceParam(v, type);
        }

        @Override
        boolean rowIndependent() {
            return true;
        }

        @Override
        boolean adaptable() {
            return Values.isText(type);
        }
    }

    /** Makes a parameter value match its expression type even if the wire layer delivered another Java type. */
    static Object coerceParam(Object v, DataType t) {
        switch (t) {
            case INT4:
                if (v instanceof Integer) {
                    return v;
                }
                if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)
                        && !(v instanceof java.math.BigDecimal)) {
                    return Values.toIntExact(n.longValue(), v);
                }
                break;
            case INT8:
                if (v instanceof Long) {
                    return v;
                }
                if (v instanceof Integer || v instanceof Short) {
                    return ((Number) v).longValue();
                }
                break;
            case FLOAT8:
                if (v instanceof Double) {
                    return v;
                }
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
                break;
            case TIMESTAMP:
                if (v instanceof Long) {
                    return v;
                }
                break;
            case INTERVAL:
                if (v instanceof io.stillpoint.sql.IntervalValue) {
                    return v;
                }
                break;
            case BOOL:
                if (v instanceof Boolean) {
                    return v;
                }
                break;
            case TEXT, VARCHAR, UNKNOWN:
                return v instanceof String ? v : v.toString();
            default:
                break;
        }
        if (v instanceof String s) {
            return Values.parse(s, t);
        }
        return Cast.convert(v, Values.expressionType(DataType.UNKNOWN), t);
    }

    /** A slot of the current row: a source column, or a group key / aggregate result in a group row. */
    static final class Slot extends Ev {
        final int index;

        Slot(int index, DataType type) {
            super(type);
            this.index = index;
        }

        @Override
        Object eval(Ctx c) {
            return c.row[index];
        }

        @Override
        boolean rowIndependent() {
            return false;
        }
    }

    /** {@code now()}, {@code current_timestamp}: the statement's start time. */
    static final class Now extends Ev {
        Now() {
            super(DataType.TIMESTAMP);
        }

        @Override
        Object eval(Ctx c) {
            return c.nowMicros;
        }

        @Override
        boolean rowIndependent() {
            return true;
        }
    }

    // ---- logic ------------------------------------------------------------------------------------------------

    static final class Not extends Ev {
        final Ev operand;

        Not(Ev operand) {
            super(DataType.BOOL);
            this.operand = operand;
        }

        @Override
        Object eval(Ctx c) {
            Object v = operand.eval(c);
            return v == null ? null : !(Boolean) v;
        }

        @Override
        boolean rowIndependent() {
            return operand.rowIndependent();
        }
    }

    /** AND / OR with SQL's three-valued logic. */
    static final class Logic extends Ev {
        final boolean and;
        final Ev left;
        final Ev right;

        Logic(boolean and, Ev left, Ev right) {
            super(DataType.BOOL);
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Ctx c) {
            Object l = left.eval(c);
            if (l != null && (Boolean) l != and) {
                return l; // false AND x = false, true OR x = true
            }
            Object r = right.eval(c);
            if (r != null && (Boolean) r != and) {
                return r;
            }
            if (l == null || r == null) {
                return null;
            }
            return and;
        }

        @Override
        boolean rowIndependent() {
            return left.rowIndependent() && right.rowIndependent();
        }
    }

    static final class IsNull extends Ev {
        final Ev operand;
        final boolean negated;

        IsNull(Ev operand, boolean negated) {
            super(DataType.BOOL);
            this.operand = operand;
            this.negated = negated;
        }

        @Override
        Object eval(Ctx c) {
            return (operand.eval(c) == null) != negated;
        }

        @Override
        boolean rowIndependent() {
            return operand.rowIndependent();
        }
    }

    /** A comparison of two operands already coerced to comparable types. */
    static final class Compare extends Ev {
        final BinaryOp op;
        final Ev left;
        final Ev right;

        Compare(BinaryOp op, Ev left, Ev right) {
            super(DataType.BOOL);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Ctx c) {
            Object l = left.eval(c);
            if (l == null) {
                return null;
            }
            Object r = right.eval(c);
            if (r == null) {
                return null;
            }
            return test(op, Values.compare(l, r));
        }

        static boolean test(BinaryOp op, int cmp) {
            return switch (op) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
                default -> throw new IllegalStateException("not a comparison: " + op);
            };
        }

        @Override
        boolean rowIndependent() {
            return left.rowIndependent() && right.rowIndependent();
        }
    }

    static final class InList extends Ev {
        final Ev operand;
        final Ev[] items;
        final boolean negated;

        InList(Ev operand, List<Ev> items, boolean negated) {
            super(DataType.BOOL);
            this.operand = operand;
            this.items = items.toArray(new Ev[0]);
            this.negated = negated;
        }

        @Override
        Object eval(Ctx c) {
            Object v = operand.eval(c);
            if (v == null) {
                return null;
            }
            boolean sawNull = false;
            for (Ev item : items) {
                Object x = item.eval(c);
                if (x == null) {
                    sawNull = true;
                } else if (Values.compare(v, x) == 0) {
                    return !negated;
                }
            }
            return sawNull ? null : negated;
        }

        @Override
        boolean rowIndependent() {
            if (!operand.rowIndependent()) {
                return false;
            }
            for (Ev item : items) {
                if (!item.rowIndependent()) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- arithmetic -------------------------------------------------------------------------------------------

    /** + - * / % on INT4, INT8 or FLOAT8 operands (both already converted to the result type). */
    static final class Arith extends Ev {
        final BinaryOp op;
        final Ev left;
        final Ev right;

        Arith(BinaryOp op, Ev left, Ev right, DataType type) {
            super(type);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Ctx c) {
            Object l = left.eval(c);
            if (l == null) {
                return null;
            }
            Object r = right.eval(c);
            if (r == null) {
                return null;
            }
            switch (type) {
                case INT4: {
                    int a = ((Number) l).intValue();
                    int b = ((Number) r).intValue();
                    try {
                        return switch (op) {
                            case ADD -> Math.addExact(a, b);
                            case SUBTRACT -> Math.subtractExact(a, b);
                            case MULTIPLY -> Math.multiplyExact(a, b);
                            case DIVIDE -> {
                                if (b == 0) {
                                    throw Errors.divisionByZero();
                                }
                                if (a == Integer.MIN_VALUE && b == -1) {
                                    throw new ArithmeticException();
                                }
                                yield a / b;
                            }
                            case MODULO -> {
                                if (b == 0) {
                                    throw Errors.divisionByZero();
                                }
                                yield b == -1 ? 0 : a % b;
                            }
                            default -> throw new IllegalStateException("not arithmetic: " + op);
                        };
                    } catch (ArithmeticException e) {
                        throw new SqlError("22003", "integer out of range [operation=" + a + " " + symbol(op) + " " + b + "]");
                    }
                }
                case INT8: {
                    long a = ((Number) l).longValue();
                    long b = ((Number) r).longValue();
                    try {
                        return switch (op) {
                            case ADD -> Math.addExact(a, b);
                            case SUBTRACT -> Math.subtractExact(a, b);
                            case MULTIPLY -> Math.multiplyExact(a, b);
                            case DIVIDE -> {
                                if (b == 0) {
                                    throw Errors.divisionByZero();
                                }
                                if (a == Long.MIN_VALUE && b == -1) {
                                    throw new ArithmeticException();
                                }
                                yield a / b;
                            }
                            case MODULO -> {
                                if (b == 0) {
                                    throw Errors.divisionByZero();
                                }
                                yield b == -1 ? 0L : a % b;
                            }
                            default -> throw new IllegalStateException("not arithmetic: " + op);
                        };
                    } catch (ArithmeticException e) {
                        throw new SqlError("22003", "bigint out of range [operation=" + a + " " + symbol(op) + " " + b + "]");
                    }
                }
                default: {
                    double a = ((Number) l).doubleValue();
                    double b = ((Number) r).doubleValue();
                    double v = switch (op) {
                        case ADD -> a + b;
                        case SUBTRACT -> a - b;
                        case MULTIPLY -> a * b;
                        case DIVIDE -> {
                            if (b == 0) {
                                throw Errors.divisionByZero();
                            }
                            yield a / b;
                        }
                        case MODULO -> {
                            if (b == 0) {
                                throw Errors.divisionByZero();
                            }
                            yield a % b;
                        }
                        default -> throw new IllegalStateException("not arithmetic: " + op);
                    };
                    if (Double.isInfinite(v) && !Double.isInfinite(a) && !Double.isInfinite(b)) {
                        throw new SqlError("22003", "value out of range: overflow [operation=" + symbol(op) + "]");
                    }
                    return v;
                }
            }
        }

        @Override
        boolean rowIndependent() {
            return left.rowIndependent() && right.rowIndependent();
        }
    }

    static String symbol(BinaryOp op) {
        return switch (op) {
            case ADD -> "+";
            case SUBTRACT -> "-";
            case MULTIPLY -> "*";
            case DIVIDE -> "/";
            case MODULO -> "%";
            case CONCAT -> "||";
            case EQ -> "=";
            case NE -> "<>";
            case LT -> "<";
            case LE -> "<=";
            case GT -> ">";
            case GE -> ">=";
            case AND -> "and";
            case OR -> "or";
        };
    }

    static final class Negate extends Ev {
        final Ev operand;

        Negate(Ev operand) {
            super(operand.type);
            this.operand = operand;
        }

        @Override
        Object eval(Ctx c) {
            Object v = operand.eval(c);
            if (v == null) {
                return null;
            }
            try {
                return switch (type) {
                    case INT4 -> Math.negateExact((Integer) v);
                    case INT8 -> Math.negateExact((Long) v);
                    default -> -((Number) v).doubleValue();
                };
            } catch (ArithmeticException e) {
                throw new SqlError("22003", Values.typeName(type) + " out of range [value=-(" + v + ")]");
            }
        }

        @Override
        boolean rowIndependent() {
            return operand.rowIndependent();
        }
    }

    /** {@code a || b}: text concatenation; a NULL operand gives NULL. */
    static final class Concat extends Ev {
        final Ev left;
        final Ev right;

        Concat(Ev left, Ev right) {
            super(DataType.TEXT);
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Ctx c) {
            Object l = left.eval(c);
            if (l == null) {
                return null;
            }
            Object r = right.eval(c);
            if (r == null) {
                return null;
            }
            return Values.toText(l, left.type) + Values.toText(r, right.type);
        }

        @Override
        boolean rowIndependent() {
            return left.rowIndependent() && right.rowIndependent();
        }
    }

    // ---- casts and functions -----------------------------------------------------------------------------------

    static final class Cast extends Ev {
        final Ev operand;

        Cast(Ev operand, DataType target) {
            super(target);
            this.operand = operand;
        }

        @Override
        Object eval(Ctx c) {
            Object v = operand.eval(c);
            return v == null ? null : convert(v, operand.type, type);
        }

        @Override
        boolean rowIndependent() {
            return operand.rowIndependent();
        }

        /** Whether PostgreSQL (as far as our types go) has a cast from one type to the other. */
        static boolean allowed(DataType from, DataType to) {
            if (from == to || Values.isText(from) || Values.isText(to)) {
                return true;
            }
            if (Values.isNumeric(from) && Values.isNumeric(to)) {
                return true;
            }
            if (from == DataType.BOOL && to == DataType.INT4 || from == DataType.INT4 && to == DataType.BOOL) {
                return true;
            }
            return false;
        }

        /** Converts a non-null value of type {@code from} (UNKNOWN: decide by its Java class) to {@code to}. */
        static Object convert(Object v, DataType from, DataType to) {
            if (Values.isText(to)) {
                if (from == DataType.UNKNOWN && !(v instanceof String)) {
                    return Values.toText(v, DataType.UNKNOWN);
                }
                return Values.toText(v, from);
            }
            if (v instanceof String s) {
                return Values.parse(s, to);
            }
            switch (to) {
                case INT4:
                    if (v instanceof Integer) {
                        return v;
                    }
                    if (v instanceof Boolean b) {
                        return b ? 1 : 0;
                    }
                    if (v instanceof Double || v instanceof Float) {
                        return (int) Values.doubleToLong(((Number) v).doubleValue(), DataType.INT4);
                    }
                    if (v instanceof java.math.BigDecimal d) {
                        return (int) Values.bigDecimalToLong(d, DataType.INT4);
                    }
                    if (v instanceof Number n && from != DataType.TIMESTAMP) {
                        return Values.toIntExact(n.longValue(), v);
                    }
                    break;
                case INT8:
                    if (v instanceof Long && from != DataType.TIMESTAMP) {
                        return v;
                    }
                    if (v instanceof Double || v instanceof Float) {
                        return Values.doubleToLong(((Number) v).doubleValue(), DataType.INT8);
                    }
                    if (v instanceof java.math.BigDecimal d) {
                        return Values.bigDecimalToLong(d, DataType.INT8);
                    }
                    if (v instanceof Number n && from != DataType.TIMESTAMP) {
                        return n.longValue();
                    }
                    break;
                case FLOAT8, FLOAT4, NUMERIC:
                    if (v instanceof Number n && from != DataType.TIMESTAMP) {
                        return n.doubleValue();
                    }
                    break;
                case BOOL:
                    if (v instanceof Boolean) {
                        return v;
                    }
                    if (v instanceof Integer i) {
                        return i != 0;
                    }
                    break;
                case TIMESTAMP:
                    if (v instanceof Long && (from == DataType.TIMESTAMP || from == DataType.UNKNOWN)) {
                        return v;
                    }
                    break;
                case INTERVAL:
                    if (v instanceof io.stillpoint.sql.IntervalValue) {
                        return v;
                    }
                    break;
                default:
                    break;
            }
            throw new SqlError("42846", "cannot cast type " + Values.typeName(from) + " to " + Values.typeName(to));
        }
    }

    /** A scalar function of already compiled arguments. */
    static final class Call extends Ev {
        interface Body {
            Object apply(Object[] args);
        }

        final Ev[] args;
        final Body body;
        final boolean strict;

        /** @param strict a NULL argument gives NULL without calling the body */
        Call(DataType type, List<Ev> args, boolean strict, Body body) {
            super(type);
            this.args = args.toArray(new Ev[0]);
            this.body = body;
            this.strict = strict;
        }

        @Override
        Object eval(Ctx c) {
            Object[] values = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                values[i] = args[i].eval(c);
                if (values[i] == null && strict) {
                    return null;
                }
            }
            return body.apply(values);
        }

        @Override
        boolean rowIndependent() {
            for (Ev a : args) {
                if (!a.rowIndependent()) {
                    return false;
                }
            }
            return true;
        }
    }
}
