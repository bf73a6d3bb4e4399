package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Expr.BinaryOp;
import io.stillpoint.sql.ast.Expr.Binary;
import io.stillpoint.sql.ast.Expr.ColumnRef;
import io.stillpoint.sql.ast.Expr.FunctionCall;
import io.stillpoint.sql.ast.Expr.Literal;
import io.stillpoint.sql.ast.Expr.Parameter;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.sql.ast.Statement.FromSource;
import io.stillpoint.sql.ast.Statement.Select;
import io.stillpoint.sql.ast.Statement.SelectItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SELECT: items, aliases, FROM tables and table functions, clauses, expressions, and their positions. */
class SelectParsingTest {

    static Select select(String sql) {
        return assertInstanceOf(Select.class, SqlParser.parse(sql).statement());
    }

    static Expr item(Select select, int i) {
        return ((SelectItem.Item) select.items().get(i)).expr();
    }

    @Test
    void selectWithoutFrom() {
        Select s = select("SELECT 1");
        assertEquals(1, s.items().size());
        assertEquals(new Literal(1L, 8), item(s, 0));
        assertNull(s.from());
        assertNull(s.where());
        assertEquals(List.of(), s.groupBy());
        assertEquals(List.of(), s.orderBy());
    }

    @Test
    void starAndTableWithPositions() {
        Select s = select("select * from Trades t");
        assertEquals(new SelectItem.Star(8), s.items().get(0));
        assertEquals(new FromSource.Table("trades", "t", 15), s.from());
        Select quoted = select("SELECT \"Price\" FROM \"MyTable\" AS \"X\"");
        assertEquals(new ColumnRef(null, "Price", 8), item(quoted, 0));
        assertEquals(new FromSource.Table("MyTable", "X", 21), quoted.from());
        assertEquals(new FromSource.Table("t", null, 15), select("SELECT a FROM public.t").from());
    }

    @Test
    void columnPositionsAcrossLinesTabsCommentsAndStrings() {
        String sql = "SELECT\n\t'a\nb' AS s, /* c\n */ -- x\n  price + 1 AS p\nFROM t";
        Select s = select(sql);
        assertEquals(new Literal("a\nb", 9), item(s, 0));
        ColumnRef price = (ColumnRef) ((Binary) item(s, 1)).left();
        assertEquals(sql.indexOf("price") + 1, price.position());
        assertEquals("p", ((SelectItem.Item) s.items().get(1)).alias());
        assertEquals(sql.indexOf(" t") + 2, ((FromSource.Table) s.from()).position());
    }

    @Test
    void positionsAreIntoTheWholeScript() {
        String sql = "BEGIN; SELECT x FROM t; SELECT y, $$q;$$ FROM u";
        List<Parsed> parsed = SqlParser.parseScript(sql);
        assertEquals(3, parsed.size());
        Select second = (Select) parsed.get(1).statement();
        assertEquals(new ColumnRef(null, "x", sql.indexOf("x") + 1), item(second, 0));
        Select third = (Select) parsed.get(2).statement();
        assertEquals(new ColumnRef(null, "y", sql.indexOf("y") + 1), item(third, 0));
        assertEquals(new Literal("q;", sql.indexOf("$$") + 1), item(third, 1));
        assertEquals(new FromSource.Table("u", null, sql.indexOf("u") + 1), third.from());
        assertEquals("SELECT y, $$q;$$ FROM u", parsed.get(2).text());
    }

    @Test
    void expressionsAndOperators() {
        String sql = "SELECT a + b * 2, -x, NOT y, 'a' || 'b', a % 2, a != 1, a <> 2, t.c, (a - 1) / 2 FROM t";
        Select s = select(sql);
        Binary add = (Binary) item(s, 0);
        assertEquals(BinaryOp.ADD, add.op());
        assertEquals(new ColumnRef(null, "a", 8), add.left());
        assertEquals(BinaryOp.MULTIPLY, ((Binary) add.right()).op());
        assertEquals(new Expr.Unary(Expr.UnaryOp.NEGATE, new ColumnRef(null, "x", 20), 19), item(s, 1));
        assertEquals(new Expr.Unary(Expr.UnaryOp.NOT, new ColumnRef(null, "y", 27), 23), item(s, 2));
        assertEquals(BinaryOp.CONCAT, ((Binary) item(s, 3)).op());
        assertEquals(BinaryOp.MODULO, ((Binary) item(s, 4)).op());
        assertEquals(BinaryOp.NE, ((Binary) item(s, 5)).op());
        assertEquals(BinaryOp.NE, ((Binary) item(s, 6)).op());
        assertEquals(new ColumnRef("t", "c", sql.indexOf("t.c") + 1), item(s, 7));
        Binary div = (Binary) item(s, 8);
        assertEquals(BinaryOp.DIVIDE, div.op());
        assertEquals(new ColumnRef(null, "a", sql.indexOf("(a") + 2), ((Binary) div.left()).left());
    }

    @Test
    void whereWithPredicates() {
        String sql = "SELECT a FROM t WHERE a >= $1 AND b IS NOT NULL OR c NOT BETWEEN 1 AND 2 AND d IN (1, 'x', $2)";
        Parsed parsed = SqlParser.parse(sql);
        assertEquals(2, parsed.parameterCount());
        Select s = (Select) parsed.statement();
        Binary or = (Binary) s.where();
        assertEquals(BinaryOp.OR, or.op());
        Binary and = (Binary) or.left();
        Binary ge = (Binary) and.left();
        assertEquals(BinaryOp.GE, ge.op());
        assertEquals(new Parameter(1, sql.indexOf("$1") + 1), ge.right());
        Expr.IsNull isNotNull = (Expr.IsNull) and.right();
        assertTrue(isNotNull.negated());
        assertEquals(new ColumnRef(null, "b", sql.indexOf(" b ") + 2), isNotNull.operand());
        String text = s.where().toString();
        assertTrue(text.contains("Between"), text);
        Binary right = (Binary) or.right();
        // c NOT BETWEEN 1 AND 2 AND d IN (...) AND e IS NULL AND f NOT IN (3), left-associative
        Binary inner = right;
        Expr.Between between = (Expr.Between) inner.left();
        assertTrue(between.negated());
        assertEquals(new Literal(1L, sql.indexOf("1 AND 2") + 1), between.low());
        Expr.InList in = (Expr.InList) inner.right();
        assertFalse(in.negated());
        assertEquals(List.of(new Literal(1L, sql.indexOf("(1,") + 2), new Literal("x", sql.indexOf("'x'") + 1),
                new Parameter(2, sql.indexOf("$2") + 1)), in.items());
        assertEquals(sql.indexOf(" d ") + 2, in.position());
    }

    @Test
    void inListsBindTighterThanAndAndOr() {
        // JSqlParser 5.3 alone would read this as x = 1 AND a IN ((1, 2) OR c = 2)
        String sql = "SELECT a FROM t WHERE x = 1 AND a IN (1, 2) OR c NOT IN (3) AND d = 4";
        Binary or = (Binary) select(sql).where();
        assertEquals(BinaryOp.OR, or.op());
        Binary left = (Binary) or.left();
        assertEquals(BinaryOp.AND, left.op());
        assertEquals(new Expr.InList(new ColumnRef(null, "a", sql.indexOf("a IN") + 1),
                List.of(new Literal(1L, sql.indexOf("(1") + 2), new Literal(2L, sql.indexOf("2)") + 1)), false,
                sql.indexOf("a IN") + 1), left.right());
        Binary right = (Binary) or.right();
        assertEquals(BinaryOp.AND, right.op());
        assertEquals(new Expr.InList(new ColumnRef(null, "c", sql.indexOf("c NOT") + 1),
                List.of(new Literal(3L, sql.indexOf("3") + 1)), true, sql.indexOf("c NOT") + 1), right.left());
        assertEquals(BinaryOp.EQ, ((Binary) right.right()).op());
        // a genuine comparison with a parenthesized value stays a comparison
        Binary eq = (Binary) select("SELECT a FROM t WHERE a = (1)").where();
        assertEquals(new Binary(BinaryOp.EQ, new ColumnRef(null, "a", 23), new Literal(1L, 28), 23), eq);
        Expr.Unary not = (Expr.Unary) select("SELECT a FROM t WHERE NOT a /* c */ NOT  IN (1)").where();
        assertEquals(23, not.position());
        assertTrue(((Expr.InList) not.operand()).negated());
    }

    @Test
    void functionsAndAggregates() {
        String sql = "SELECT count(*), count(col), count(DISTINCT col), sum(x), min(x), max(x), avg(x), version(), "
                + "now(), current_database(), current_schema(), current_timestamp, current_user, current_schema, "
                + "pg_catalog.version()";
        Select s = select(sql);
        assertEquals(new FunctionCall("count", List.of(), true, false, 8), item(s, 0));
        assertEquals(new FunctionCall("count", List.of(new ColumnRef(null, "col", 24)), false, false, 18), item(s, 1));
        FunctionCall distinct = (FunctionCall) item(s, 2);
        assertTrue(distinct.distinct());
        assertEquals("sum", ((FunctionCall) item(s, 3)).name());
        assertEquals(new FunctionCall("version", List.of(), false, false, sql.indexOf("version()") + 1), item(s, 7));
        assertEquals("current_database", ((FunctionCall) item(s, 9)).name());
        assertEquals(new FunctionCall("current_schema", List.of(), false, false, sql.indexOf("current_schema()") + 1),
                item(s, 10));
        assertEquals(new FunctionCall("current_timestamp", List.of(), false, false,
                sql.indexOf("current_timestamp") + 1), item(s, 11));
        assertEquals(new FunctionCall("current_user", List.of(), false, false, sql.indexOf("current_user") + 1),
                item(s, 12));
        assertEquals(new FunctionCall("current_schema", List.of(), false, false, sql.indexOf("current_schema,") + 1),
                item(s, 13));
        assertEquals("version", ((FunctionCall) item(s, 14)).name());
    }

    @Test
    void pgjdbcCurrentSchema() {
        Select s = select("select current_schema()");
        assertEquals(new FunctionCall("current_schema", List.of(), false, false, 8), item(s, 0));
    }

    @Test
    void castsAndTypedLiterals() {
        String sql = "SELECT CAST(x AS DOUBLE PRECISION), x::int, $1::bigint, TIMESTAMP '2026-11-21T10:00:00', "
                + "y::timestamp without time zone, z::varchar(10), 'true'::bool";
        Select s = select(sql);
        assertEquals(new Expr.Cast(new ColumnRef(null, "x", 13), SqlType.DOUBLE, 8), item(s, 0));
        assertEquals(new Expr.Cast(new ColumnRef(null, "x", sql.indexOf("x::") + 1), SqlType.INT,
                sql.indexOf("x::") + 1), item(s, 1));
        assertEquals(new Expr.Cast(new Parameter(1, sql.indexOf("$1") + 1), SqlType.LONG, sql.indexOf("$1") + 1),
                item(s, 2));
        assertEquals(new Expr.Cast(new Literal("2026-11-21T10:00:00", sql.indexOf("'2026") + 1), SqlType.TIMESTAMP,
                sql.indexOf("TIMESTAMP '") + 1), item(s, 3));
        assertEquals(SqlType.TIMESTAMP, ((Expr.Cast) item(s, 4)).type());
        assertEquals(SqlType.VARCHAR, ((Expr.Cast) item(s, 5)).type());
        assertEquals(SqlType.BOOLEAN, ((Expr.Cast) item(s, 6)).type());
    }

    @Test
    void unknownCastTypeIs42704WithThePositionOfTheType() {
        String sql = "SELECT a::money FROM t";
        SqlParseException e = assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
        assertEquals("42704", e.sqlState());
        assertEquals("type does not exist [type=money]", e.getMessage());
        assertEquals(sql.indexOf("money") + 1, e.position());
        SqlParseException cast = assertThrows(SqlParseException.class,
                () -> SqlParser.parse("SELECT CAST(a AS money)"));
        assertEquals("42704", cast.sqlState());
        assertEquals(18, cast.position());
    }

    @Test
    void groupByHavingOrderLimitOffset() {
        String sql = "SELECT sym, count(*) n FROM trades WHERE px > 1.5 GROUP BY sym HAVING count(*) > 1 "
                + "ORDER BY n DESC NULLS FIRST, sym, 1 ASC NULLS LAST LIMIT 10 OFFSET 5";
        Select s = select(sql);
        assertEquals("n", ((SelectItem.Item) s.items().get(1)).alias());
        assertEquals(List.of(new ColumnRef(null, "sym", sql.indexOf("BY sym") + 4)), s.groupBy());
        assertEquals(BinaryOp.GT, ((Binary) s.having()).op());
        assertEquals(3, s.orderBy().size());
        assertEquals(new Statement.OrderItem(new ColumnRef(null, "n", sql.indexOf("BY n") + 4), true, true),
                s.orderBy().get(0));
        assertEquals(new Statement.OrderItem(new ColumnRef(null, "sym", sql.indexOf("sym, 1") + 1), false, null),
                s.orderBy().get(1));
        assertEquals(new Statement.OrderItem(new Literal(1L, sql.indexOf("1 ASC") + 1), false, false),
                s.orderBy().get(2));
        assertEquals(new Literal(10L, sql.indexOf("10") + 1), s.limit());
        assertEquals(new Literal(5L, sql.indexOf("OFFSET 5") + 8), s.offset());
        assertEquals(new Literal(1.5, sql.indexOf("1.5") + 1), ((Binary) s.where()).right());
    }

    @Test
    void limitAndOffsetParameters() {
        Parsed parsed = SqlParser.parse("SELECT a FROM t LIMIT $1 OFFSET $2");
        Select s = (Select) parsed.statement();
        assertEquals(new Parameter(1, 23), s.limit());
        assertEquals(new Parameter(2, 33), s.offset());
        assertEquals(2, parsed.parameterCount());
        Select all = select("SELECT a FROM t LIMIT ALL");
        assertNull(all.limit());
    }

    @Test
    void tableFunctions() {
        Select s = select("SELECT * FROM tables()");
        assertEquals(new FromSource.TableFunction("tables", List.of(), null, 15), s.from());
        Select status = select("select in_progress from checkpoint_status() cs");
        assertEquals(new FromSource.TableFunction("checkpoint_status", List.of(), "cs", 25), status.from());
    }

    @Test
    void literals() {
        String sql = "SELECT TRUE, false, NULL, 'it''s', E'a\\tb', 12345678901234567890, 1e3, .5, -9223372036854775808, -2.5";
        Select s = select(sql);
        assertEquals(new Literal(true, 8), item(s, 0));
        assertEquals(new Literal(false, 14), item(s, 1));
        assertEquals(new Literal(null, 21), item(s, 2));
        assertEquals(new Literal("it's", 27), item(s, 3));
        assertEquals("a\tb", ((Literal) item(s, 4)).value());
        assertEquals(1.2345678901234567e19, ((Literal) item(s, 5)).value());
        assertEquals(1000.0, ((Literal) item(s, 6)).value());
        assertEquals(0.5, ((Literal) item(s, 7)).value());
        assertEquals(new Literal(Long.MIN_VALUE, sql.indexOf("-922") + 1), item(s, 8));
        assertEquals(new Literal(-2.5, sql.indexOf("-2.5") + 1), item(s, 9));
    }
}
