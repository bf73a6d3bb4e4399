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

    enum UnaryOp { NOT, NEGATE, PLUS }

    enum BinaryOp { ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO, CONCAT, EQ, NE, LT, LE, GT, GE, AND, OR }
}
