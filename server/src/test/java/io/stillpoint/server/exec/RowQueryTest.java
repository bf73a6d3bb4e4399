package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row engine ({@link RowQuery}) on user tables: JOIN, LEFT/RIGHT JOIN, comma joins, CASE, LIKE, regular
 * expressions, subqueries, UNION, = ANY, arrays and row_number(), with PostgreSQL's NULL semantics; and that the
 * columnar plan still runs the queries it ran before.
 */
class RowQueryTest extends ExecTestSupport {

    @BeforeEach
    void data() {
        run("CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, qty INT, px DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO trades VALUES ('2026-11-20 10:00:00', 'a', 1, 1.5), ('2026-11-21 10:00:00', 'b', 2, 2.5), "
                + "('2026-11-21 11:00:00', 'a', 3, 3.5), ('2026-11-22 09:00:00', 'z', 4, NULL), "
                + "('2026-11-22 10:00:00', NULL, 5, 5.5)");
        run("CREATE TABLE syms (sym VARCHAR, name VARCHAR, lot INT)");
        run("INSERT INTO syms VALUES ('a', 'Alpha', 10), ('b', 'Beta', 20), ('c', 'Gamma', 30)");
    }

    @Test
    void innerJoinMatchesOnlyEqualKeys() {
        assertEquals(List.of(row(1, "Alpha"), row(2, "Beta"), row(3, "Alpha")),
                rows("SELECT t.qty, s.name FROM trades t JOIN syms s ON t.sym = s.sym ORDER BY t.qty"));
        assertEquals(List.of(row(1, "Alpha"), row(2, "Beta"), row(3, "Alpha")),
                rows("SELECT qty, name FROM trades t, syms s WHERE t.sym = s.sym ORDER BY 1"));
        assertEquals(List.of(row("a", 2L), row("b", 1L)),
                rows("SELECT s.sym, count(*) FROM trades JOIN syms s USING (sym) GROUP BY s.sym ORDER BY 1"));
    }

    @Test
    void leftAndRightJoinsKeepUnmatchedRowsWithNulls() {
        assertEquals(List.of(row(1, "Alpha"), row(2, "Beta"), row(3, "Alpha"), row(4, null), row(5, null)),
                rows("SELECT t.qty, s.name FROM trades t LEFT JOIN syms s ON t.sym = s.sym ORDER BY t.qty"));
        assertEquals(List.of(row("Alpha", 1), row("Alpha", 3), row("Beta", 2), row("Gamma", null)),
                rows("SELECT s.name, t.qty FROM trades t RIGHT JOIN syms s ON t.sym = s.sym ORDER BY 1, 2"));
        // a condition in ON only limits the matches; the same condition in WHERE removes rows
        assertEquals(5, rows("SELECT t.qty FROM trades t LEFT JOIN syms s ON t.sym = s.sym AND s.lot > 15").size());
        assertEquals(1, rows("SELECT t.qty FROM trades t LEFT JOIN syms s ON t.sym = s.sym WHERE s.lot > 15").size());
        // non-equality join conditions go through the nested loop
        assertEquals(List.of(row(1, 3L), row(2, 3L), row(3, 3L), row(4, 3L), row(5, 3L)),
                rows("SELECT t.qty, count(s.sym) FROM trades t LEFT JOIN syms s ON t.qty < s.lot GROUP BY t.qty "
                        + "ORDER BY 1"));
    }

    @Test
    void caseInBothFormsWithElseAndNulls() {
        assertEquals(List.of(row(1, "one"), row(2, "two"), row(3, "many"), row(4, "many"), row(5, "many")),
                rows("SELECT qty, CASE qty WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END FROM trades ORDER BY 1"));
        assertEquals(List.of(row(1, "cheap"), row(2, "cheap"), row(3, "dear"), row(4, null), row(5, "dear")),
                rows("SELECT qty, CASE WHEN px < 3 THEN 'cheap' WHEN px >= 3 THEN 'dear' END FROM trades ORDER BY 1"));
        Outcome named = one("SELECT CASE WHEN sym IS NULL THEN 0 ELSE qty END AS q FROM trades WHERE qty = 5");
        assertEquals("q", named.columns().get(0).name());
        assertEquals(DataType.INT4, named.columns().get(0).type());
        assertEquals(List.of(row(0)), named.rows());
    }

    @Test
    void regexAndLikeOperators() {
        assertEquals(List.of(row("Alpha"), row("Gamma")), rows("SELECT name FROM syms WHERE name ~ 'ph|mm' ORDER BY 1"));
        assertEquals(List.of(row("Beta")), rows("SELECT name FROM syms WHERE name !~ 'ph|mm'"));
        assertEquals(List.of(row("Alpha")), rows("SELECT name FROM syms WHERE name ~* '^AL'"));
        assertEquals(List.of(row("Beta"), row("Gamma")), rows("SELECT name FROM syms WHERE name !~* '^al' ORDER BY 1"));
        assertEquals(List.of(row("Alpha")),
                rows("SELECT name FROM syms WHERE name OPERATOR(pg_catalog.~) '^(Alpha)$' COLLATE pg_catalog.default"));
        assertEquals(List.of(row("Beta"), row("Gamma")), rows("SELECT name FROM syms WHERE name LIKE '_e%' OR name LIKE 'G%' ORDER BY 1"));
        assertEquals(List.of(row("Alpha")), rows("SELECT name FROM syms WHERE name ILIKE 'alp%'"));
        assertEquals(List.of(row((Object) null)), rows("SELECT sym ~ 'a' FROM trades WHERE qty = 5"));
        SqlError bad = error("SELECT name FROM syms WHERE name ~ '('");
        assertEquals("2201B", bad.sqlState());
    }

    @Test
    void subqueriesScalarInExistsAndDerivedTables() {
        assertEquals(List.of(row(1, "Alpha"), row(2, "Beta"), row(3, "Alpha"), row(4, null)),
                rows("SELECT qty, (SELECT name FROM syms s WHERE s.sym = t.sym) FROM trades t WHERE qty < 5 ORDER BY 1"));
        assertEquals(List.of(row(1), row(2), row(3)),
                rows("SELECT qty FROM trades WHERE sym IN (SELECT sym FROM syms) ORDER BY qty"));
        assertEquals(List.of(row("c")),
                rows("SELECT sym FROM syms s WHERE NOT EXISTS (SELECT 1 FROM trades t WHERE t.sym = s.sym)"));
        assertEquals(List.of(row("b", 2L)),
                rows("SELECT * FROM (SELECT sym, sum(qty) AS total FROM trades GROUP BY sym) x WHERE total = 2"));
        SqlError many = error("SELECT (SELECT sym FROM syms) FROM trades");
        assertEquals("21000", many.sqlState());
    }

    @Test
    void unionRemovesDuplicatesUnionAllKeepsThem() {
        assertEquals(List.of(row("a"), row("b"), row("c"), row("z")),
                rows("SELECT sym FROM syms UNION SELECT sym FROM trades WHERE sym IS NOT NULL ORDER BY 1"));
        assertEquals(6, rows("SELECT sym FROM syms UNION ALL SELECT sym FROM trades WHERE qty < 4").size());
        assertEquals(List.of(row("z")),
                rows("SELECT sym FROM syms UNION SELECT sym FROM trades WHERE sym IS NOT NULL ORDER BY 1 DESC LIMIT 1"));
        assertEquals("42601", error("SELECT sym FROM syms UNION SELECT sym, name FROM syms").sqlState());
    }

    @Test
    void selectDistinctKeepsOneOfEachRow() {
        assertEquals(List.of(row("a"), row("b"), row("z"), row((Object) null)),
                rows("SELECT DISTINCT sym FROM trades ORDER BY sym"));
        assertEquals(List.of(row("a", 1), row("a", 3)),
                rows("SELECT DISTINCT sym, qty FROM trades WHERE sym = 'a' ORDER BY 2"));
        assertEquals(3L, value("SELECT count(*) FROM (SELECT DISTINCT sym FROM trades WHERE sym IS NOT NULL) x"));
        assertEquals("42P10", error("SELECT DISTINCT sym FROM trades ORDER BY qty").sqlState());
    }

    @Test
    void arraysAnySubscriptsAndRowNumber() {
        assertEquals(List.of(row("a"), row("b")), rows("SELECT sym FROM syms WHERE sym = ANY (ARRAY['a', 'b']) ORDER BY 1"));
        assertEquals(List.of(row("Beta")), rows("SELECT name FROM syms WHERE 20 = ANY (array(SELECT lot FROM syms s2 "
                + "WHERE s2.sym = syms.sym))"));
        assertEquals(List.of(row("a,b,c")), rows("SELECT array_to_string(array(SELECT sym FROM syms ORDER BY 1), ',')"));
        assertEquals(List.of(row("b")), rows("SELECT (ARRAY['a', 'b', 'c'])[2]"));
        List<List<Object>> numbered = rows("SELECT sym, qty, row_number() OVER (PARTITION BY sym ORDER BY qty DESC) "
                + "FROM trades WHERE sym IS NOT NULL ORDER BY sym, qty");
        assertEquals(List.of(row("a", 1, 2L), row("a", 3, 1L), row("b", 2, 1L), row("z", 4, 1L)), numbered);
    }

    @Test
    void setReturningFunctionsInTheSelectListRunInLockstep() {
        assertEquals(List.of(row("a", 1), row("a", 2), row("b", 1), row("b", 2)),
                rows("SELECT sym, generate_series(1, 2) FROM syms WHERE lot < 30 ORDER BY 1, 2"));
        assertEquals(List.of(row("x", "1"), row("y", "2"), row("z", "3")),
                rows("SELECT (information_schema._pg_expandarray(ARRAY['x', 'y', 'z'])).x, "
                        + "(information_schema._pg_expandarray(ARRAY['x', 'y', 'z'])).n"));
        assertEquals(List.of(row("p", 1), row("q", 2), row(null, 3)),
                rows("SELECT unnest(ARRAY['p', 'q']), generate_series(1, 3)"));
        assertEquals(List.of(), rows("SELECT unnest(ARRAY(SELECT name FROM syms WHERE lot > 100)) FROM syms"));
        assertEquals(List.of(row(2L)), rows("SELECT count(*) FROM (SELECT information_schema._pg_expandarray("
                + "ARRAY[7, 8]) AS k) e WHERE (e.k).x > 6"));
        assertEquals("0A000", error("SELECT sym FROM syms WHERE unnest(ARRAY[1]) = 1").sqlState());
        assertEquals("42703", error("SELECT (information_schema._pg_expandarray(ARRAY[1])).nope").sqlState());
    }

    @Test
    void trimBitwiseAndSmallintCasts() {
        assertEquals(List.of(row("ab", "ab\"", "\"ab")), rows("SELECT trim(both '\"' from '\"ab\"'), "
                + "trim(leading '\"' from '\"ab\"'), trim(trailing '\"' from '\"ab\"')"));
        assertEquals(List.of(row(1, 7)), rows("SELECT 5 & 1::smallint, 5 | 3"));
        assertEquals(DataType.INT2, one("SELECT qty::smallint FROM trades LIMIT 1").columns().get(0).type());
        assertEquals("22003", error("SELECT 40000::int2").sqlState());
    }

    @Test
    void whereConditionsMoveIntoCommaJoinsWithoutChangingResults() {
        // the same answers as the explicit joins; an empty table anywhere in the list ends the join early
        assertEquals(rows("SELECT t.qty, s.name FROM trades t JOIN syms s ON t.sym = s.sym ORDER BY 1"),
                rows("SELECT t.qty, s.name FROM syms s, trades t, syms s2 WHERE t.sym = s.sym AND s2.sym = 'c' "
                        + "AND t.qty < s2.lot ORDER BY 1"));
        run("CREATE TABLE empty_t (x INT)");
        assertEquals(List.of(), rows("SELECT * FROM trades a, trades b, trades c, empty_t e WHERE a.qty = e.x"));
        assertEquals(List.of(row(4, null), row(5, null)), rows("SELECT t.qty, s.name FROM trades t LEFT JOIN syms s "
                + "ON t.sym = s.sym WHERE s.name IS NULL ORDER BY 1"));
    }

    @Test
    void aQueryMaterialisingTooManyRowsStopsWith54000() {
        long saved = RowQuery.maxRows;
        RowQuery.maxRows = 1000;
        try {
            SqlError e = error("SELECT count(*) FROM generate_series(1, 100) a, generate_series(1, 100) b");
            assertEquals("54000", e.sqlState());
            assertTrue(e.getMessage().contains("limit=1000"), e.getMessage());
            assertEquals(List.of(row(100L)), rows("SELECT count(*) FROM generate_series(1, 100) a, "
                    + "generate_series(1, 100) b WHERE a.a = b.b"));
        } finally {
            RowQuery.maxRows = saved;
        }
    }

    @Test
    void parametersWorkInRowQueries() {
        Session s = open("admin", Role.ADMIN);
        Outcome o = prepared(s, "SELECT s.name FROM syms s JOIN trades t ON t.sym = s.sym WHERE t.qty > $1 "
                + "ORDER BY 1", List.of(DataType.INT4), 1);
        assertEquals(List.of(row("Alpha"), row("Beta")), o.rows());
        Outcome like = prepared(s, "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname LIKE $1",
                List.of(DataType.VARCHAR), "sy%");
        assertEquals(List.of(row("syms")), like.rows());
    }

    @Test
    void plainQueriesStayOnTheColumnarPlan() {
        for (String sql : List.of("SELECT * FROM trades", "SELECT sym, count(*) FROM trades GROUP BY sym",
                "SELECT qty FROM trades WHERE ts > '2026-11-21' ORDER BY qty LIMIT 2", "SELECT * FROM tables()",
                "SELECT 1 + 2", "SELECT coalesce(sym, 'x') FROM trades")) {
            assertTrue(!RowQuery.handles(io.stillpoint.sql.SqlParser.parse(sql).statement()), sql);
        }
        for (String sql : List.of("SELECT * FROM trades t JOIN syms s ON t.sym = s.sym", "SELECT * FROM pg_class",
                "SELECT 1 UNION SELECT 2", "SELECT CASE WHEN true THEN 1 END", "SELECT * FROM (SELECT 1) x",
                "SELECT format_type(23, -1)")) {
            assertTrue(RowQuery.handles(io.stillpoint.sql.SqlParser.parse(sql).statement()), sql);
        }
    }

    @Test
    void transactionSeesItsOwnRowsInJoins() {
        Session s = open("admin", Role.ADMIN);
        run(s, "BEGIN");
        run(s, "INSERT INTO syms VALUES ('z', 'Zeta', 40)");
        List<Outcome> out = run(s, "SELECT s.name FROM trades t JOIN syms s ON t.sym = s.sym WHERE t.qty = 4");
        assertEquals(List.of(row("Zeta")), out.get(0).rows());
        run(s, "ROLLBACK");
        assertEquals(List.of(), rows("SELECT s.name FROM trades t JOIN syms s ON t.sym = s.sym WHERE t.qty = 4"));
    }

    @Test
    void errorsNameTheProblem() {
        assertEquals("42P01", error("SELECT * FROM trades t JOIN nosuch n ON t.sym = n.sym").sqlState());
        assertEquals("42703", error("SELECT t.nope FROM trades t JOIN syms s ON t.sym = s.sym").sqlState());
        assertEquals("42702", error("SELECT sym FROM trades t JOIN syms s ON t.sym = s.sym").sqlState());
        assertEquals("42P01", error("SELECT x.sym FROM trades t JOIN syms s ON t.sym = s.sym").sqlState());
        assertEquals("42883", error("SELECT no_such_function(1) FROM trades t, syms s").sqlState());
        assertEquals("42P01", error("SELECT * FROM pg_catalog.pg_nosuch").sqlState());
    }

    static List<String> names(Outcome o) {
        List<String> out = new ArrayList<>();
        for (ResultColumn c : o.columns()) {
            out.add(c.name());
        }
        return out;
    }

    static List<Object> list(Object... v) {
        return Arrays.asList(v);
    }
}
