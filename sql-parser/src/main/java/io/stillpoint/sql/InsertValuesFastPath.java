package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A hand-written parser for the INSERT shape that bulk loads send: {@code INSERT INTO t [(cols)] VALUES (...), ...}
 * where every value is a constant, a {@code $n}, a typed literal ({@code TIMESTAMP '...'}), a function call on such
 * values ({@code now()}, {@code current_timestamp}) or a cast of one of those ({@code $1::bigint},
 * {@code CAST($1 AS int)}). pgjdbc's reWriteBatchedInserts sends such statements with tens of
 * thousands of parameters, which JSqlParser's backtracking takes seconds to parse; this takes milliseconds.
 *
 * <p>It never reports errors: anything outside that shape (expressions, function calls, unknown types, ragged rows,
 * syntax errors) makes {@link #tryParse} return null, and the statement goes the JSqlParser way, which reports
 * errors precisely.
 */
final class InsertValuesFastPath {

    /** Type spellings of one word; "double precision", "timestamp without time zone" and "character varying" are
     *  matched separately. */
    private static final Map<String, SqlType> ONE_WORD_TYPES = Map.ofEntries(
            Map.entry("boolean", SqlType.BOOLEAN), Map.entry("bool", SqlType.BOOLEAN),
            Map.entry("int", SqlType.INT), Map.entry("integer", SqlType.INT), Map.entry("int4", SqlType.INT),
            Map.entry("long", SqlType.LONG), Map.entry("bigint", SqlType.LONG), Map.entry("int8", SqlType.LONG),
            Map.entry("double", SqlType.DOUBLE), Map.entry("float8", SqlType.DOUBLE), Map.entry("float", SqlType.DOUBLE),
            Map.entry("varchar", SqlType.VARCHAR), Map.entry("text", SqlType.VARCHAR), Map.entry("string", SqlType.VARCHAR),
            Map.entry("timestamp", SqlType.TIMESTAMP));

    private final List<Token> tokens;
    private int index;

    private InsertValuesFastPath(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** The INSERT, or null if the statement is not of the simple shape. */
    static Statement.Insert tryParse(List<Token> tokens) {
        try {
            return new InsertValuesFastPath(tokens).insert();
        } catch (NotSimple e) {
            return null;
        }
    }

    /** Thrown internally to leave the fast path; carries no stack trace, it is control flow. */
    private static final class NotSimple extends RuntimeException {
        NotSimple() {
            super(null, null, false, false);
        }
    }

    private static final NotSimple NOT_SIMPLE = new NotSimple();

    private Statement.Insert insert() {
        keyword("insert");
        keyword("into");
        Token nameToken = peek();
        String table = name();
        if (acceptSymbol(".")) {
            String second = name();
            table = table.equals("public") ? second : table + "." + second;
        }
        List<String> columns = new ArrayList<>();
        if (acceptSymbol("(")) {
            do {
                columns.add(name());
            } while (acceptSymbol(","));
            symbol(")");
        }
        keyword("values");
        List<List<Expr>> rows = new ArrayList<>();
        int width = -1;
        do {
            symbol("(");
            List<Expr> row = new ArrayList<>(width > 0 ? width : 8);
            do {
                row.add(value());
            } while (acceptSymbol(","));
            symbol(")");
            if (width >= 0 && row.size() != width) {
                throw NOT_SIMPLE;
            }
            width = row.size();
            rows.add(List.copyOf(row));
        } while (acceptSymbol(","));
        if (index != tokens.size()) {
            throw NOT_SIMPLE;
        }
        return new Statement.Insert(table, List.copyOf(columns), rows, nameToken.position());
    }

    /** A constant, parameter or typed literal, optionally followed by {@code ::type} casts. */
    private Expr value() {
        Expr value = primary();
        while (acceptSymbol("::")) {
            value = new Expr.Cast(value, type(), value.position());
        }
        return value;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case PARAM:
                return new Expr.Parameter(SqlParser.parameterIndex(t), t.position());
            case STRING:
                return new Expr.Literal(t.text(), t.position());
            case NUMBER:
                return number(t, t.text(), t.position());
            case SYMBOL:
                if (t.isSymbol("-") || t.isSymbol("+")) {
                    Token number = next();
                    if (number.kind() != Token.Kind.NUMBER) {
                        throw NOT_SIMPLE;
                    }
                    return number(number, t.isSymbol("-") ? "-" + number.text() : number.text(), t.position());
                }
                throw NOT_SIMPLE;
            case IDENT:
                switch (t.text()) {
                    case "null":
                        return new Expr.Literal(null, t.position());
                    case "true":
                        return new Expr.Literal(Boolean.TRUE, t.position());
                    case "false":
                        return new Expr.Literal(Boolean.FALSE, t.position());
                    case "cast": {
                        symbol("(");
                        Expr operand = value();
                        keyword("as");
                        SqlType type = type();
                        symbol(")");
                        return new Expr.Cast(operand, type, t.position());
                    }
                    default: {
                        if (JSqlBridge.NILADIC_FUNCTIONS.contains(t.text()) && !peekKind(Token.Kind.STRING)) {
                            return new Expr.FunctionCall(t.text(), List.of(), false, false, t.position());
                        }
                        if (acceptSymbol("(")) {
                            // a plain call: now(), f($1, 'x')
                            List<Expr> args = new ArrayList<>();
                            if (!acceptSymbol(")")) {
                                do {
                                    args.add(value());
                                } while (acceptSymbol(","));
                                symbol(")");
                            }
                            return new Expr.FunctionCall(t.text(), List.copyOf(args), false, false, t.position());
                        }
                        // typed literal: TIMESTAMP '2026-01-01T00:00:00'
                        index--;
                        SqlType type = type();
                        Token string = next();
                        if (string.kind() != Token.Kind.STRING) {
                            throw NOT_SIMPLE;
                        }
                        return new Expr.Cast(new Expr.Literal(string.text(), string.position()), type, t.position());
                    }
                }
            default:
                throw NOT_SIMPLE;
        }
    }

    private static Expr.Literal number(Token token, String signed, int position) {
        String text = token.text();
        if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return new Expr.Literal(Long.parseLong(signed), position);
            } catch (NumberFormatException tooLarge) {
                // a double, as in the JSqlParser path
            }
        }
        try {
            return new Expr.Literal(Double.parseDouble(signed), position);
        } catch (NumberFormatException e) {
            throw NOT_SIMPLE;
        }
    }

    private SqlType type() {
        Token t = next();
        if (t.kind() != Token.Kind.IDENT) {
            throw NOT_SIMPLE;
        }
        SqlType type;
        boolean takesLength;
        if (t.text().equals("double") && peekKeyword("precision")) {
            index++;
            type = SqlType.DOUBLE;
            takesLength = false;
        } else if (t.text().equals("character") && peekKeyword("varying")) {
            index++;
            type = SqlType.VARCHAR;
            takesLength = true;
        } else if (t.text().equals("timestamp") && peekKeyword("without")) {
            index++;
            keyword("time");
            keyword("zone");
            type = SqlType.TIMESTAMP;
            takesLength = false;
        } else {
            type = ONE_WORD_TYPES.get(t.text());
            if (type == null) {
                throw NOT_SIMPLE;
            }
            takesLength = type == SqlType.VARCHAR && t.text().equals("varchar");
        }
        if (takesLength && acceptSymbol("(")) {
            if (next().kind() != Token.Kind.NUMBER) {
                throw NOT_SIMPLE;
            }
            symbol(")");
        }
        return type;
    }

    private String name() {
        Token t = next();
        if (t.kind() == Token.Kind.QUOTED_IDENT || (t.kind() == Token.Kind.IDENT && !t.text().equals("values"))) {
            return t.text();
        }
        throw NOT_SIMPLE;
    }

    private Token peek() {
        if (index >= tokens.size()) {
            throw NOT_SIMPLE;
        }
        return tokens.get(index);
    }

    private Token next() {
        Token t = peek();
        index++;
        return t;
    }

    private boolean peekKind(Token.Kind kind) {
        return index < tokens.size() && tokens.get(index).kind() == kind;
    }

    private boolean peekKeyword(String word) {
        return index < tokens.size() && tokens.get(index).isKeyword(word);
    }

    private void keyword(String word) {
        if (!next().isKeyword(word)) {
            throw NOT_SIMPLE;
        }
    }

    private void symbol(String symbol) {
        if (!next().isSymbol(symbol)) {
            throw NOT_SIMPLE;
        }
    }

    private boolean acceptSymbol(String symbol) {
        if (index < tokens.size() && tokens.get(index).isSymbol(symbol)) {
            index++;
            return true;
        }
        return false;
    }
}
