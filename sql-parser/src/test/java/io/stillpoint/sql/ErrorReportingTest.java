package io.stillpoint.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Syntax errors, lexical errors and unsupported SQL: SQLSTATE, message and position; nothing else escapes. */
class ErrorReportingTest {

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parseScript(sql));
    }

    @Test
    void syntaxErrorsPointAtTheToken() {
        SqlParseException e = error("SELECT a b c FROM t");
        assertEquals("42601", e.sqlState());
        assertEquals("syntax error at or near \"c\" [position=12]", e.getMessage());
        assertEquals(12, e.position());
        SqlParseException second = error("SELECT 1;\nSELECT 1 2");
        assertEquals(20, second.position());
        SqlParseException keyword = error("FOO BAR");
        assertEquals("42601", keyword.sqlState());
        assertEquals(1, keyword.position());
        SqlParseException end = error("SELECT a FROM t WHERE");
        assertEquals("42601", end.sqlState());
        assertTrue(end.position() >= 17, "position " + end.position());
    }

    @Test
    void whatJSqlParserWouldWronglyAccept() {
        assertEquals("syntax error at or near \"e\" [position=9]", error("SELECT 1e").getMessage());
        assertEquals("syntax error at or near \"#\" [position=8]", error("SELECT #").getMessage());
        assertEquals("syntax error at or near \"'b'\" [position=12]", error("SELECT 'a' 'b'").getMessage());
        assertEquals("0A000", error("INSERT INTO t VALUES (DEFAULT)").sqlState());
        assertEquals("syntax error at end of input [position=13]", error("CREATE TABLE").getMessage());
        assertEquals("0A000", error("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql").sqlState());
    }

    @Test
    void conditionsAsFunctionArguments() {
        io.stillpoint.sql.ast.Statement.Select select =
                (io.stillpoint.sql.ast.Statement.Select) SqlParser.parse("SELECT f(a > 1) FROM t").statement();
        io.stillpoint.sql.ast.Expr.FunctionCall call = (io.stillpoint.sql.ast.Expr.FunctionCall)
                ((io.stillpoint.sql.ast.Statement.SelectItem.Item) select.items().get(0)).expr();
        assertEquals(new io.stillpoint.sql.ast.Expr.ColumnRef(null, "a", 10),
                ((io.stillpoint.sql.ast.Expr.Binary) call.args().get(0)).left());
    }

    @Test
    void unclosedParenthesesFailFast() {
        // JSqlParser's complex mode needs over a minute for this; it must not be tried
        SqlParseException e = error("SELECT (((((((");
        assertEquals("syntax error at end of input [position=15]", e.getMessage());
        SqlParseException extra = error("SELECT (a)) FROM t");
        assertEquals("syntax error at or near \")\" [position=11]", extra.getMessage());
    }

    @Test
    void lexicalErrors() {
        SqlParseException string = error("SELECT 'abc");
        assertEquals("unterminated quoted string at or near \"'abc\" [position=8]", string.getMessage());
        assertEquals(8, string.position());
        SqlParseException identifier = error("SELECT \"abc");
        assertEquals("42601", identifier.sqlState());
        assertEquals(8, identifier.position());
        SqlParseException comment = error("SELECT 1 /* /* */");
        assertEquals(10, comment.position());
        SqlParseException dollar = error("SELECT $a$ x");
        assertEquals(8, dollar.position());
        SqlParseException empty = error("SELECT \"\"");
        assertEquals("42601", empty.sqlState());
    }

    @Test
    void unsupportedStatementsAre0A000() {
        String[][] cases = {
                {"MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE", "statement not supported [statement=MERGE]", "1"},
                {"  vacuum t", "statement not supported [statement=VACUUM]", "3"},
                {"WITH x AS (SELECT 1) SELECT * FROM x", "statement not supported [statement=WITH]", "1"},
                {"GRANT SELECT ON t TO u", "statement not supported [statement=GRANT]", "1"},
        };
        for (String[] c : cases) {
            SqlParseException e = error(c[0]);
            assertEquals("0A000", e.sqlState(), c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
            assertEquals(Integer.parseInt(c[2]), e.position(), c[0]);
        }
    }

    @Test
    void unsupportedQueryFeaturesAre0A000WithPosition() {
        // Joins, subqueries, UNION, CASE and row_number() parse (see CatalogQueryParsingTest); these do not.
        assertEquals("0A000", error("SELECT a FROM t FULL JOIN u ON t.x = u.x").sqlState());
        assertEquals("0A000", error("SELECT count(*) OVER () FROM t").sqlState());
        assertEquals("0A000", error("SELECT 1 INTERSECT SELECT 2").sqlState());
        SqlParseException distinct = error("SELECT DISTINCT ON (a) a FROM t");
        assertEquals("0A000", distinct.sqlState());
        assertEquals(1, distinct.position());
    }

    @Test
    void nothingButSqlParseExceptionEscapes() {
        String[] nasty = {"SELECT (((((", "SELECT 1e", "SELECT 'a' 'b'", "SELECT \u0000", "INSERT INTO", "CREATE TABLE",
                "CREATE TABLE t (", "SELECT * FROM tables(", "SELECT a::", "SELECT CAST(a AS)", "SELECT #", "SELECT ~1",
                "SELECT a FROM t ORDER BY", "SELECT a LIMIT 1, 2", "SELECT x FROM t LIMIT", "SET", "SELECT @ FROM t",
                "SELECT 0x10", "select :a", "INSERT INTO t VALUES (DEFAULT)", "select 1 2 3 4 5 )))"};
        for (String sql : nasty) {
            try {
                SqlParser.parseScript(sql);
            } catch (SqlParseException expected) {
                assertTrue(expected.position() >= 0, sql);
                assertTrue(expected.sqlState().length() == 5, sql);
            }
        }
        StringBuilder deep = new StringBuilder("SELECT ");
        deep.append("(".repeat(20_000)).append('1').append(")".repeat(20_000));
        SqlParseException tooDeep = error(deep.toString());
        assertEquals(5, tooDeep.sqlState().length());
    }

    @Test
    void deeplyNestedParenthesesParseWithoutExponentialBacktracking() {
        String sql = "SELECT " + "(".repeat(14) + "a + 1" + ")".repeat(14) + " FROM t";
        io.stillpoint.sql.ast.Statement.Select select =
                (io.stillpoint.sql.ast.Statement.Select) SqlParser.parse(sql).statement();
        io.stillpoint.sql.ast.Expr.Binary add = (io.stillpoint.sql.ast.Expr.Binary)
                ((io.stillpoint.sql.ast.Statement.SelectItem.Item) select.items().get(0)).expr();
        assertEquals(new io.stillpoint.sql.ast.Expr.ColumnRef(null, "a", 22), add.left());
        // broken and deep: the complex grammar is not tried, the error comes at once
        SqlParseException e = error("SELECT " + "(".repeat(14) + "a +" + ")".repeat(14));
        assertEquals("42601", e.sqlState());
    }
}
