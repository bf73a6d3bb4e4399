package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.Statement;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact catalog queries psql 15 ({@code \dt}, {@code \d t}, {@code \l}, {@code \dn}) and pgjdbc 42.7
 * (getTables, getColumns) send, captured with {@code psql -E} and PostgreSQL's statement log, parse into the AST.
 */
class CatalogQueryParsingTest {

    static final List<String> QUERIES = List.of("psql-dt", "psql-d-lookup", "psql-d-table", "psql-d-columns",
            "psql-d-policies", "psql-d-statistics", "psql-d-publications", "psql-d-inherits", "psql-d-partitions",
            "psql-l", "psql-dn", "pgjdbc-getTables", "pgjdbc-getColumns");

    static String query(String name) throws IOException {
        try (InputStream in = CatalogQueryParsingTest.class.getResourceAsStream("/catalog-queries/" + name + ".sql")) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyCapturedQueryParses() throws IOException {
        for (String name : QUERIES) {
            Statement st = SqlParser.parse(query(name)).statement();
            assertTrue(st instanceof Statement.Select || st instanceof Statement.Union, name);
        }
        assertInstanceOf(Statement.Union.class, SqlParser.parse(query("psql-d-publications")).statement());
    }

    @Test
    void joinsNestToTheLeftWithTheirKinds() {
        Statement.Select s = select("SELECT * FROM a, b LEFT JOIN c ON (b.x = c.x) JOIN d USING (y)");
        Statement.FromSource.Join top = assertInstanceOf(Statement.FromSource.Join.class, s.from());
        assertEquals(Statement.JoinKind.INNER, top.kind());
        assertEquals(List.of("y"), top.using());
        Statement.FromSource.Join mid = assertInstanceOf(Statement.FromSource.Join.class, top.left());
        assertEquals(Statement.JoinKind.LEFT, mid.kind());
        assertInstanceOf(Expr.Binary.class, mid.on());
        Statement.FromSource.Join first = assertInstanceOf(Statement.FromSource.Join.class, mid.left());
        assertEquals(Statement.JoinKind.CROSS, first.kind());
        assertNull(first.on());
    }

    @Test
    void operatorSyntaxCollateAndCatalogCasts() {
        Statement.Select s = select("SELECT c.oid::pg_catalog.regclass, x::pg_catalog.int2[], y::pg_catalog.text "
                + "FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default");
        Expr.RegexMatch where = assertInstanceOf(Expr.RegexMatch.class, s.where());
        assertEquals("^(t)$", ((Expr.Literal) where.pattern()).value());
        assertEquals("regclass", cast(s, 0).typeName());
        assertEquals("int2[]", cast(s, 1).typeName());
        assertInstanceOf(Expr.Cast.class, ((Statement.SelectItem.Item) s.items().get(2)).expr());
        assertEquals("pg_catalog.pg_class", ((Statement.FromSource.Table) s.from()).name());
        Expr.RegexMatch not = assertInstanceOf(Expr.RegexMatch.class, select("SELECT a !~* 'x'").items().stream()
                .map(i -> ((Statement.SelectItem.Item) i).expr()).findFirst().orElseThrow());
        assertTrue(not.negated() && not.caseInsensitive());
    }

    @Test
    void subqueriesCaseQuantifiersSubscriptsAndWindows() {
        Statement.Select s = select("SELECT CASE a WHEN 'r' THEN 'table' ELSE NULL END, (SELECT 1), "
                + "array(select r from t order by 1), 'd' = any(k), p[2], row_number() OVER (PARTITION BY a ORDER BY b), "
                + "a LIKE 'x%' FROM (SELECT 1 AS a) s WHERE a IN (SELECT b FROM u) AND NOT EXISTS (SELECT 1)");
        Expr.Case c = assertInstanceOf(Expr.Case.class, item(s, 0));
        assertEquals(1, c.whens().size());
        assertInstanceOf(Expr.ScalarSubquery.class, item(s, 1));
        assertInstanceOf(Expr.ArraySubquery.class, item(s, 2));
        Expr.Quantified any = assertInstanceOf(Expr.Quantified.class, item(s, 3));
        assertEquals(Expr.BinaryOp.EQ, any.op());
        assertInstanceOf(Expr.Subscript.class, item(s, 4));
        Expr.WindowCall w = assertInstanceOf(Expr.WindowCall.class, item(s, 5));
        assertEquals(1, w.partitionBy().size());
        assertEquals(1, w.orderBy().size());
        assertInstanceOf(Expr.Like.class, item(s, 6));
        assertInstanceOf(Statement.FromSource.Subquery.class, s.from());
        Expr.Binary and = assertInstanceOf(Expr.Binary.class, s.where());
        assertInstanceOf(Expr.InSubquery.class, and.left());
    }

    @Test
    void longAndChainsParseWithoutExhaustingTheStack() {
        StringBuilder sql = new StringBuilder("SELECT a FROM t WHERE a <> 'x0'");
        for (int i = 1; i < 3000; i++) {
            sql.append(" AND lower(a) <> 'x").append(i).append('\'');
        }
        Statement.Select s = select(sql.toString());
        Expr.Binary and = assertInstanceOf(Expr.Binary.class, s.where());
        assertEquals(Expr.BinaryOp.AND, and.op());
        assertEquals(sql.indexOf("a <>") + 1, and.position());
        assertTrue(select("SELECT DISTINCT a FROM t").distinct());
    }

    private static Expr item(Statement.Select s, int i) {
        return ((Statement.SelectItem.Item) s.items().get(i)).expr();
    }

    private static Expr.CatalogCast cast(Statement.Select s, int i) {
        return assertInstanceOf(Expr.CatalogCast.class, item(s, i));
    }

    private static Statement.Select select(String sql) {
        return (Statement.Select) SqlParser.parse(sql).statement();
    }
}
