package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scalar functions, casts, NULL propagation and the type errors of expressions. */
class ExpressionTest extends ExecTestSupport {

    @BeforeEach
    void data() {
        run("CREATE TABLE e (k VARCHAR, n INT, b BOOLEAN)");
        run("INSERT INTO e VALUES ('Ab', 1, true), ('cd', NULL, false), (NULL, -3, NULL)");
    }

    @Test
    void scalarFunctions() {
        assertEquals(List.of(row("ab", "AB", 2, 1), row("cd", "CD", 2, null), Arrays.asList(null, null, null, 3)),
                rows("SELECT lower(k), upper(k), length(k), abs(n) FROM e"));
        assertEquals(List.of(row("Ab", 1), row("cd", 0), row("none", -3)),
                rows("SELECT coalesce(k, 'none'), coalesce(n, 0) FROM e"));
        assertEquals(2147483649L, value("SELECT abs(-2147483649)"));
        // -2147483648 is an integer literal, as in PostgreSQL, and its absolute value does not fit
        assertError("22003", null, "SELECT abs(-2147483648)");
        assertEquals(0L, (Long) value("SELECT current_date") % 86_400_000_000L);
        assertError("42883", null, "SELECT lower()");
        assertError("42883", null, "SELECT abs(true)");
    }

    @Test
    void nullPropagation() {
        assertEquals(Arrays.asList(null, null, null, null, true, false),
                rows("SELECT NULL + 1, 'a' || NULL, -n, NULL = NULL, NULL IS NULL, 1 IS NULL FROM e WHERE n IS NULL").get(0));
        assertEquals(Arrays.asList(null, false, true, null),
                rows("SELECT NULL AND true, NULL AND false, NULL OR true, NULL OR false").get(0));
        assertEquals(Arrays.asList(true, null, true, false),
                rows("SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, 3), 1 NOT IN (1, 3)").get(0));
    }

    @Test
    void casts() {
        assertEquals(List.of(row(1, true, "true", 2.0, 5L, "-3")),
                rows("SELECT CAST(true AS INT), CAST(7 AS BOOLEAN), CAST(b AS VARCHAR), CAST(n AS DOUBLE) * 2, "
                        + "CAST('5' AS BIGINT), CAST(-3 AS VARCHAR) FROM e WHERE n = 1"));
        assertEquals("2026-11-21 10:00:00", value("SELECT CAST(CAST('2026-11-21T10:00:00Z' AS TIMESTAMP) AS VARCHAR)"));
        assertError("42846", null, "SELECT CAST(1 AS TIMESTAMP)");
        assertError("22007", null, "SELECT CAST('yesterday-ish' AS TIMESTAMP)");
        assertError("22003", null, "SELECT CAST(3000000000 AS INT)");
    }

    @Test
    void constantExpressionsAreComputedBeforeAnyRow() {
        List<Prepared> p = session.prepareAll("SELECT n / 0 FROM e WHERE false; SELECT 1 / 0 FROM e");
        assertEquals(List.of(), drain(session.execute(p.get(0), new Object[0])).rows());
        SqlError e = org.junit.jupiter.api.Assertions.assertThrows(SqlError.class, () -> session.execute(p.get(1), new Object[0]));
        assertEquals("22012", e.sqlState());
        session.endImplicitTransaction(true);
        assertEquals(List.of(row(6, "ab")), rows("SELECT 2 * 3, lower('A' || 'B')"));
    }

    @Test
    void typeErrorsCarryPositions() {
        SqlError e = error("SELECT k FROM e WHERE n = 'x'");
        assertEquals("22P02", e.sqlState());
        e = error("SELECT k FROM e WHERE n = 'x' OR k = 1");
        assertEquals("42804", e.sqlState(), "type errors are found before any row is read");
        e = error("SELECT k FROM e WHERE k = 1");
        assertEquals("42804", e.sqlState());
        assertEquals(23, e.position(), "the start of the comparison");
        e = error("SELECT k FROM e WHERE n");
        assertEquals("42804", e.sqlState());
        e = error("SELECT NOT n FROM e");
        assertEquals("42804", e.sqlState());
        e = error("SELECT b + 1 FROM e");
        assertEquals("42883", e.sqlState());
        e = error("SELECT k FROM e GROUP BY k HAVING count(*)");
        assertEquals("42804", e.sqlState());
    }

    @Test
    void groupByAliasesAndDistinctAggregates() {
        run("INSERT INTO e VALUES ('Ab', 5, true), ('ab', 5, false)");
        assertEquals(List.of(row("ab", 3L, 2L, 11L)),
                rows("SELECT lower(k) AS lk, count(*), count(DISTINCT n), sum(n) FROM e GROUP BY lk HAVING count(*) > 1"));
        assertEquals(List.of(row(true, 2L), row(false, 2L), Arrays.asList(null, 1L)),
                rows("SELECT b, count(*) FROM e GROUP BY b ORDER BY b DESC NULLS LAST"));
    }
}
