package io.stillpoint.sql.ast;

import java.util.List;

/** A scalar expression. Every node carries the 1-based position of its first character (0 if unknown). */
public sealed interface Expr {

    int position();

    /**
     * A constant: {@code null}, a {@link Boolean}, a {@link Long} (integer literals that fit), a {@link Double}
     * (literals with a fraction or exponent, and integers too large for a long), or a {@link String}
     * (single-quoted text, quotes removed and {@code ''} unescaped).
     */
    record Literal(Object value, int position) implements Expr {}

    /** {@code $n}, n starting at 1. */
    record Parameter(int index, int position) implements Expr {}

    /** {@code name} or {@code qualifier.name}; {@code qualifier} is null when not written. */
    record ColumnRef(String qualifier, String name, int position) implements Expr {}

    record Unary(UnaryOp op, Expr operand, int position) implements Expr {}

    record Binary(BinaryOp op, Expr left, Expr right, int position) implements Expr {}

    /** {@code e IS [NOT] NULL}. */
    record IsNull(Expr operand, boolean negated, int position) implements Expr {}

    /** {@code e [NOT] BETWEEN low AND high}. */
    record Between(Expr operand, Expr low, Expr high, boolean negated, int position) implements Expr {}

    /** {@code e [NOT] IN (a, b, ...)}. */
    record InList(Expr operand, List<Expr> items, boolean negated, int position) implements Expr {}

    /**
     * {@code name(args)}, {@code name(*)} ({@code star}), {@code name(DISTINCT args)}. The name is lower case;
     * niladic SQL functions written without parentheses ({@code current_timestamp}, {@code current_date},
     * {@code current_schema}, {@code current_user}) arrive here too, with no arguments.
     */
    record FunctionCall(String name, List<Expr> args, boolean star, boolean distinct, int position) implements Expr {}

    /** {@code CAST(e AS type)}, {@code e::type}, and typed literals such as {@code TIMESTAMP '2026-01-01'}. */
    record Cast(Expr operand, SqlType type, int position) implements Expr {}

    /**
     * {@code CASE [operand] WHEN w THEN r ... [ELSE e] END}; {@code operand} is null for the searched form (each
     * {@code when} a condition), {@code otherwise} null when ELSE is not written.
     */
    record Case(Expr operand, List<When> whens, Expr otherwise, int position) implements Expr {}

    /** One {@code WHEN condition THEN result} of a {@link Case}. */
    record When(Expr condition, Expr result) {}

    /** {@code e [NOT] LIKE pattern} and {@code e [NOT] ILIKE pattern} ({@code caseInsensitive}). */
    record Like(Expr operand, Expr pattern, boolean negated, boolean caseInsensitive, int position) implements Expr {}

    /**
     * The POSIX regular expression operators {@code ~}, {@code ~*}, {@code !~}, {@code !~*} (also written
     * {@code OPERATOR(pg_catalog.~)}).
     */
    record RegexMatch(Expr operand, Expr pattern, boolean negated, boolean caseInsensitive, int position)
            implements Expr {}

    /** A scalar subquery {@code (SELECT ...)}: its one column of its at most one row. */
    record ScalarSubquery(Statement query, int position) implements Expr {}

    /** {@code ARRAY(SELECT ...)}: the one column of all rows of the query, as an array. */
    record ArraySubquery(Statement query, int position) implements Expr {}

    /** {@code [NOT] EXISTS (SELECT ...)}. */
    record Exists(Statement query, boolean negated, int position) implements Expr {}

    /** {@code e [NOT] IN (SELECT ...)}. */
    record InSubquery(Expr operand, Statement query, boolean negated, int position) implements Expr {}

    /** {@code left op ANY (array)} ({@code all} false) or {@code left op ALL (array)}; op is a comparison. */
    record Quantified(BinaryOp op, Expr left, Expr array, boolean all, int position) implements Expr {}

    /** {@code ARRAY[a, b, ...]}. */
    record ArrayLiteral(List<Expr> items, int position) implements Expr {}

    /** {@code array[index]} (1-based, as in PostgreSQL). */
    record Subscript(Expr array, Expr index, int position) implements Expr {}

    /** A window function call {@code f(args) OVER ([PARTITION BY ...] [ORDER BY ...])}; only row_number() runs. */
    record WindowCall(FunctionCall function, List<Expr> partitionBy, List<Statement.OrderItem> orderBy, int position)
            implements Expr {}

    /**
     * A cast to a PostgreSQL type outside {@link SqlType}, used by catalog queries: {@code oid}, {@code regclass},
     * {@code regtype}, {@code regnamespace}, {@code regproc}, {@code name}, {@code char}, {@code int2} and arrays
     * such as {@code int2[]}. {@code typeName} is lower case without a {@code pg_catalog.} prefix, arrays end in
     * {@code []}.
     */
    record CatalogCast(Expr operand, String typeName, int position) implements Expr {}

    /** {@code (composite).field}, e.g. {@code (information_schema._pg_expandarray(a)).n}. */
    record FieldSelect(Expr operand, String field, int position) implements Expr {}

    /** The bitwise operators {@code &} and {@code |} on integers ({@code operator} is "&amp;" or "|"). */
    record Bitwise(String operator, Expr left, Expr right, int position) implements Expr {}

    enum UnaryOp { NOT, NEGATE, PLUS }

    enum BinaryOp { ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO, CONCAT, EQ, NE, LT, LE, GT, GE, AND, OR }
}
