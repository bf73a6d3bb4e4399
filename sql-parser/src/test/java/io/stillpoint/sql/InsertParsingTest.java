package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.Literal;
import io.stillpoint.sql.ast.Expr.Parameter;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement.Insert;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** INSERT ... VALUES: literals, typed literals, casts, parameters, big multi-row batches, and errors. */
class InsertParsingTest {

    static Insert insert(String sql) {
        return assertInstanceOf(Insert.class, SqlParser.parse(sql).statement());
    }

    @Test
    void literalsOfEveryKind() {
        String sql = "INSERT INTO Trades (ts, sym, px, n, ok) VALUES "
                + "(TIMESTAMP '2026-11-21T10:00:00', 'abc', -1.5, -42, TRUE), (NULL, 'it''s', 2e3, 7, false)";
        Insert i = insert(sql);
        assertEquals("trades", i.table());
        assertEquals(13, i.position());
        assertEquals(List.of("ts", "sym", "px", "n", "ok"), i.columns());
        assertEquals(List.of(
                new Expr.Cast(new Literal("2026-11-21T10:00:00", sql.indexOf("'2026") + 1), SqlType.TIMESTAMP,
                        sql.indexOf("TIMESTAMP '") + 1),
                new Literal("abc", sql.indexOf("'abc'") + 1),
                new Literal(-1.5, sql.indexOf("-1.5") + 1),
                new Literal(-42L, sql.indexOf("-42") + 1),
                new Literal(true, sql.indexOf("TRUE") + 1)), i.rows().get(0));
        assertEquals(List.of(
                new Literal(null, sql.indexOf("NULL") + 1),
                new Literal("it's", sql.indexOf("'it") + 1),
                new Literal(2000.0, sql.indexOf("2e3") + 1),
                new Literal(7L, sql.indexOf("7") + 1),
                new Literal(false, sql.indexOf("false") + 1)), i.rows().get(1));
    }

    @Test
    void withoutColumnListAndSingleRow() {
        Insert i = insert("insert into t values (1)");
        assertEquals(List.of(), i.columns());
        assertEquals(List.of(List.of(new Literal(1L, 23))), i.rows());
    }

    @Test
    void parametersAndCasts() {
        String sql = "INSERT INTO t VALUES ($1, $2::bigint, CAST($3 AS timestamp), $1)";
        Parsed parsed = SqlParser.parse(sql);
        assertEquals(3, parsed.parameterCount());
        Insert i = (Insert) parsed.statement();
        assertEquals(List.of(new Parameter(1, 23),
                new Expr.Cast(new Parameter(2, 27), SqlType.LONG, 27),
                new Expr.Cast(new Parameter(3, sql.indexOf("$3") + 1), SqlType.TIMESTAMP, sql.indexOf("CAST") + 1),
                new Parameter(1, sql.lastIndexOf("$1") + 1)), i.rows().get(0));
    }

    @Test
    void tenThousandRowBatchParses() {
        // pgjdbc's reWriteBatchedInserts: one statement with tens of thousands of parameters
        StringBuilder sql = new StringBuilder("insert into t (a,b,c) values ");
        int rows = 10_000;
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "" : ",").append("($").append(3 * r + 1).append(",$").append(3 * r + 2)
                    .append(",$").append(3 * r + 3).append(')');
        }
        String text = sql.toString();
        Parsed parsed = SqlParser.parse(text);
        assertEquals(3 * rows, parsed.parameterCount());
        Insert i = (Insert) parsed.statement();
        assertEquals(rows, i.rows().size());
        List<Expr> last = i.rows().get(rows - 1);
        String lastParam = "$" + (3 * rows);
        assertEquals(new Parameter(3 * rows, text.lastIndexOf(lastParam) + 1), last.get(2));
    }

    @Test
    void fastPathAndJSqlParserPathAgree() {
        for (String sql : List.of(
                "INSERT INTO public.\"T\" (ts, \"B\") VALUES (TIMESTAMP '2026-11-21T10:00:00', -1.5), ($1, +2)",
                "insert into t values ($1::timestamp, CAST($2 AS double precision), 'x'::varchar(3), null, true)",
                "INSERT INTO t (a) VALUES (12345678901234567890), (-9223372036854775808), (1e-3), ('a'::text::int)",
                "INSERT INTO t VALUES (E'a\\nb', $$dollar$$, 'it''s', $1::timestamp without time zone)",
                "INSERT INTO t VALUES (now(), current_timestamp, f($1, 'x', -1)::int, version())")) {
            List<Token> tokens = Tokenizer.tokenize(sql);
            Insert fast = InsertValuesFastPath.tryParse(tokens);
            assertEquals(new JSqlBridge(sql, tokens).parse(), fast, sql);
            assertEquals(fast, SqlParser.parse(sql).statement());
        }
    }

    @Test
    void expressionsGoTheJSqlParserWay() {
        String sql = "INSERT INTO t VALUES (now(), 1 + $1, -x, (2))"; // 1 + $1 is an expression
        List<Token> tokens = Tokenizer.tokenize(sql);
        assertEquals(null, InsertValuesFastPath.tryParse(tokens));
        Insert i = insert(sql);
        assertEquals(new Expr.FunctionCall("now", List.of(), false, false, 23), i.rows().get(0).get(0));
        assertEquals(new Expr.Binary(Expr.BinaryOp.ADD, new Literal(1L, 30), new Parameter(1, 34), 30),
                i.rows().get(0).get(1));
        assertEquals(new Expr.Unary(Expr.UnaryOp.NEGATE, new Expr.ColumnRef(null, "x", 39), 38), i.rows().get(0).get(2));
        assertEquals(new Literal(2L, 43), i.rows().get(0).get(3));
    }

    @Test
    void errors() {
        SqlParseException width = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("INSERT INTO t VALUES (1, 2), (3)"));
        assertEquals("42601", width.sqlState());
        SqlParseException select = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("INSERT INTO t SELECT * FROM u"));
        assertEquals("0A000", select.sqlState());
        SqlParseException returning = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("INSERT INTO t VALUES (1) RETURNING a"));
        assertEquals("0A000", returning.sqlState());
        SqlParseException unknownType = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("INSERT INTO t VALUES ('1'::numeric)"));
        assertEquals("42704", unknownType.sqlState());
        assertEquals("type does not exist [type=numeric]", unknownType.getMessage());
        assertEquals(28, unknownType.position());
        SqlParseException syntax = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("INSERT INTO t VALUES (1,)"));
        assertEquals("42601", syntax.sqlState());
        // JSqlParser reports the token where its lookahead gave up: the comma before the missing value
        assertEquals("syntax error at or near \",\" [position=24]", syntax.getMessage());
        assertEquals(24, syntax.position());
    }
}
