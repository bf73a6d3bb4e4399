package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** parseScript/parse: splitting at top-level semicolons, empty queries, statement texts, parameter rules. */
class ScriptSplittingTest {

    static List<String> texts(List<Parsed> parsed) {
        return parsed.stream().map(Parsed::text).toList();
    }

    @Test
    void emptyQueries() {
        for (String sql : new String[] {"", "   ", ";", " ; ;; ", "-- only a comment", "/* c */ ; /* nested /* c */ */"}) {
            assertEquals(List.of(new Parsed(new Statement.Empty(), "", 0)), SqlParser.parseScript(sql), sql);
            assertEquals(new Parsed(new Statement.Empty(), "", 0), SqlParser.parse(sql), sql);
        }
    }

    @Test
    void semicolonsInsideStringsIdentifiersAndCommentsDoNotSplit() {
        String sql = "SELECT 'a;b' AS \"x;y\"; -- c;d\nSELECT 1 /* e;f */; SELECT $q$g;h$q$;;SELECT E'i\\';j'";
        List<Parsed> parsed = SqlParser.parseScript(sql);
        assertEquals(List.of("SELECT 'a;b' AS \"x;y\"", "SELECT 1", "SELECT $q$g;h$q$", "SELECT E'i\\';j'"),
                texts(parsed));
        Statement.Select first = (Statement.Select) parsed.get(0).statement();
        Statement.SelectItem.Item item = (Statement.SelectItem.Item) first.items().get(0);
        assertEquals(new Expr.Literal("a;b", 8), item.expr());
        assertEquals("x;y", item.alias());
        Statement.Select last = (Statement.Select) parsed.get(3).statement();
        assertEquals(new Expr.Literal("i';j", sql.indexOf("E'i") + 1),
                ((Statement.SelectItem.Item) last.items().get(0)).expr());
    }

    @Test
    void mixedScript() {
        List<Parsed> parsed = SqlParser.parseScript(
                "BEGIN; CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT * FROM t; COMMIT;");
        assertEquals(5, parsed.size());
        assertEquals(new Statement.Begin(), parsed.get(0).statement());
        assertEquals(new Statement.Commit(), parsed.get(4).statement());
        assertEquals("INSERT INTO t VALUES (1)", parsed.get(2).text());
    }

    @Test
    void parametersOnlyInExtendedProtocol() {
        SqlParseException e = assertThrows(SqlParseException.class, () -> SqlParser.parseScript("SELECT 1; SELECT $1"));
        assertEquals("42601", e.sqlState());
        assertEquals("there is no parameter [parameter=$1]", e.getMessage());
        assertEquals(18, e.position());
        Parsed parsed = SqlParser.parse("SELECT $2, $1 FROM t;");
        assertEquals(2, parsed.parameterCount());
        assertEquals("SELECT $2, $1 FROM t", parsed.text());
        assertEquals(0, SqlParser.parse("SELECT '$1', \"$2\" -- $3").parameterCount());
        assertEquals("42601", assertThrows(SqlParseException.class, () -> SqlParser.parse("SELECT $0")).sqlState());
        assertEquals("42601", assertThrows(SqlParseException.class, () -> SqlParser.parse("SELECT ?")).sqlState());
    }

    @Test
    void preparedStatementHoldsOneCommand() {
        SqlParseException e = assertThrows(SqlParseException.class, () -> SqlParser.parse("SELECT 1; SELECT 2"));
        assertEquals("42601", e.sqlState());
        assertEquals("cannot insert multiple commands into a prepared statement", e.getMessage());
        assertEquals(11, e.position());
        assertEquals(new Statement.Begin(), SqlParser.parse(" BEGIN ; ").statement());
    }

    @Test
    void pgjdbcStatementsInOneScript() {
        List<Parsed> parsed = SqlParser.parseScript("SET extra_float_digits = 3;SET application_name = "
                + "'PostgreSQL JDBC Driver';BEGIN;select current_schema();COMMIT");
        assertEquals(5, parsed.size());
        assertEquals(new Statement.SetVariable("extra_float_digits", "3"), parsed.get(0).statement());
        Statement.Select select = (Statement.Select) parsed.get(3).statement();
        Expr.FunctionCall call = (Expr.FunctionCall) ((Statement.SelectItem.Item) select.items().get(0)).expr();
        assertEquals("current_schema", call.name());
        assertEquals(89, call.position());
    }
}
