package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** UPDATE, DELETE (through JSqlParser) and TRUNCATE (hand-written): the model and positions. */
class UpdateDeleteParsingTest {

    static Statement parse(String sql) {
        return SqlParser.parse(sql).statement();
    }

    static SqlParseException error(String sql) {
        return assertThrows(SqlParseException.class, () -> SqlParser.parse(sql));
    }

    @Test
    void update() {
        String sql = "UPDATE Trades SET qty = qty + 1, \"Note\" = $1 WHERE ts >= '2026-11-01'";
        Statement.Update u = (Statement.Update) parse(sql);
        assertEquals("trades", u.table());
        assertEquals(8, u.position());
        assertEquals(2, u.assignments().size());
        Statement.Assignment qty = u.assignments().get(0);
        assertEquals("qty", qty.column());
        assertEquals(19, qty.position());
        assertEquals(new Expr.Binary(Expr.BinaryOp.ADD, new Expr.ColumnRef(null, "qty", 25),
                new Expr.Literal(1L, 31), 25), qty.value());
        assertEquals("Note", u.assignments().get(1).column());
        assertEquals(new Expr.Parameter(1, 43), u.assignments().get(1).value());
        assertEquals(Expr.BinaryOp.GE, ((Expr.Binary) u.where()).op());
        Statement.Update all = (Statement.Update) parse("update t set a = null;");
        assertEquals(List.of(new Statement.Assignment("a", new Expr.Literal(null, 18), 14)), all.assignments());
        assertEquals(null, all.where());
    }

    @Test
    void delete() {
        assertEquals(new Statement.Delete("t", null, 13), parse("DELETE FROM t"));
        Statement.Delete d = (Statement.Delete) parse("  delete from public.t where a is null");
        assertEquals("t", d.table());
        assertEquals(new Expr.IsNull(new Expr.ColumnRef(null, "a", 30), false, 30), d.where());
    }

    @Test
    void truncate() {
        assertEquals(new Statement.Truncate("t", 16), parse("TRUNCATE TABLE t"));
        assertEquals(new Statement.Truncate("x", 10), parse("truncate x;"));
        assertEquals("42601", error("TRUNCATE").sqlState());
        assertEquals("0A000", error("TRUNCATE t, u").sqlState());
        assertEquals("0A000", error("TRUNCATE t CASCADE").sqlState());
    }

    @Test
    void unsupportedClausesAre0A000AndBadSyntax42601() {
        assertEquals("0A000", error("UPDATE t SET a = 1 FROM u").sqlState());
        assertEquals("0A000", error("UPDATE t SET a = 1 RETURNING a").sqlState());
        assertEquals("0A000", error("UPDATE t AS x SET a = 1").sqlState());
        assertEquals("0A000", error("DELETE FROM t USING u").sqlState());
        assertEquals("0A000", error("DELETE FROM t RETURNING *").sqlState());
        assertEquals("42601", error("UPDATE t SET WHERE a = 1").sqlState());
        assertEquals("42601", error("DELETE FROM").sqlState());
    }
}
