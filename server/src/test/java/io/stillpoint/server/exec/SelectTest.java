package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SELECT: projections, names and types, WHERE with NULLs, ORDER BY, LIMIT/OFFSET, aggregates, GROUP BY, errors. */
class SelectTest extends ExecTestSupport {

    @BeforeEach
    void data() {
        run("CREATE TABLE t (ts TIMESTAMP, sym VARCHAR, qty INT, px DOUBLE, id LONG) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES "
                + "('2026-11-20 10:00:00', 'a', 1, 1.5, 10), "
                + "('2026-11-21 10:00:00', 'b', 2, NULL, 20), "
                + "('2026-11-21 11:00:00', 'a', NULL, 3.5, 30), "
                + "('2026-11-22 09:00:00', NULL, 4, 4.0, 40), "
                + "('2026-11-23 00:00:00', 'c', 5, 0.5, NULL)");
    }

    private List<Object> ids(String sql) {
        List<Object> out = new ArrayList<>();
        for (List<Object> r : rows(sql)) {
            out.add(r.get(0));
        }
        return out;
    }

    @Test
    void selectStarReturnsAllColumnsWithTypes() {
        Outcome o = one("SELECT * FROM t");
        assertEquals(List.of(new ResultColumn("ts", DataType.TIMESTAMP), new ResultColumn("sym", DataType.VARCHAR),
                new ResultColumn("qty", DataType.INT4), new ResultColumn("px", DataType.FLOAT8),
                new ResultColumn("id", DataType.INT8)), o.columns());
        assertEquals("SELECT 5", o.tag());
        assertEquals(row(ts("2026-11-20 10:00"), "a", 1, 1.5, 10L), o.row(0));
    }

    @Test
    void columnNamesFollowPostgres() {
        Outcome o = one("SELECT id, id AS x, count(*), 1 + 1, 'a', sum(qty) total, CAST('5' AS INT), t.sym FROM t GROUP BY id, sym");
        List<String> names = o.columns().stream().map(ResultColumn::name).toList();
        assertEquals(List.of("id", "x", "count", "?column?", "?column?", "total", "int4", "sym"), names);
        assertEquals(DataType.INT8, o.columns().get(2).type());
        assertEquals(DataType.INT4, o.columns().get(3).type());
        assertEquals(DataType.TEXT, o.columns().get(4).type());
    }

    @Test
    void whereComparisonsAndThreeValuedLogic() {
        assertEquals(List.of(20L, 30L), ids("SELECT id FROM t WHERE ts >= '2026-11-21' AND ts < '2026-11-22'"));
        assertEquals(List.of(10L, 20L), ids("SELECT id FROM t WHERE qty <= 2"));
        assertEquals(List.of(40L), ids("SELECT id FROM t WHERE sym IS NULL"));
        assertEquals(List.of(10L, 20L, 30L, 40L), ids("SELECT id FROM t WHERE id IS NOT NULL"));
        assertEquals(List.of(10L, 30L), ids("SELECT id FROM t WHERE sym = 'a'"));
        // NULL <> 'a' is NULL: row 40 is not returned
        assertEquals(Arrays.asList(20L, null), ids("SELECT id FROM t WHERE sym <> 'a'"));
        assertEquals(Arrays.asList(20L, 40L, null), ids("SELECT id FROM t WHERE NOT (qty < 2) OR qty IS NULL AND false"));
        assertEquals(List.of(20L, 30L, 40L), ids("SELECT id FROM t WHERE id BETWEEN 20 AND 40"));
        assertEquals(List.of(10L), ids("SELECT id FROM t WHERE id NOT BETWEEN 20 AND 40"));
        assertEquals(List.of(10L, 40L), ids("SELECT id FROM t WHERE id IN (10, 40, NULL)"));
        // x NOT IN (..., NULL) is never true
        assertEquals(List.of(), ids("SELECT id FROM t WHERE id NOT IN (10, NULL)"));
        assertEquals(List.of(20L, 30L, 40L), ids("SELECT id FROM t WHERE id NOT IN (10)"));
        assertEquals(List.of(30L, 40L), ids("SELECT id FROM t WHERE px > 3"));
        assertEquals(List.of(20L), ids("SELECT id FROM t WHERE qty > 1.5 AND id < 35"));
        assertEquals(List.of(), ids("SELECT id FROM t WHERE qty = 1.5"));
        assertEquals(List.of(), ids("SELECT id FROM t WHERE id = NULL"));
        assertEquals(List.of(10L), ids("SELECT id FROM t WHERE id + qty = 11"));
        assertEquals(List.of(10L, 30L), ids("SELECT id FROM t WHERE sym || 'x' = 'ax'"));
        assertEquals(List.of(40L), ids("SELECT id FROM t WHERE ts = '2026-11-22T09:00:00Z'"));
        assertEquals(List.of(40L), ids("SELECT id FROM t WHERE ts = '2026-11-22 10:00:00+01:00'"));
    }

    @Test
    void partitionPruningKeepsResultsExact() {
        assertEquals(Arrays.asList(40L, null), ids("SELECT id FROM t WHERE ts >= '2026-11-22'"));
        assertEquals(List.of(10L), ids("SELECT id FROM t WHERE ts < '2026-11-21'"));
        assertEquals(List.of(20L, 30L, 40L), ids("SELECT id FROM t WHERE ts BETWEEN '2026-11-21 10:00:00' AND '2026-11-22 09:00:00'"));
        assertEquals(List.of(), ids("SELECT id FROM t WHERE ts > '2026-11-23' AND ts < '2026-11-21'"));
        assertEquals(List.of(30L), ids("SELECT id FROM t WHERE ts = '2026-11-21 11:00:00'"));
        assertEquals(2L, value("SELECT count(*) FROM t WHERE ts >= '2026-11-21' AND ts < '2026-11-22'"));
    }

    @Test
    void partitionRangesFromNames() {
        assertEquals(ts("2026-11-21"), TableScanner.partitionRange("2026-11-21")[0]);
        assertEquals(ts("2026-11-22"), TableScanner.partitionRange("2026-11-21")[1]);
        assertEquals(ts("2026-11-21 14:00"), TableScanner.partitionRange("2026-11-21T14")[0]);
        assertEquals(ts("2026-11-21 15:00"), TableScanner.partitionRange("2026-11-21T14")[1]);
        assertEquals(ts("2026-12-01"), TableScanner.partitionRange("2026-11")[1]);
        assertEquals(ts("2027-01-01"), TableScanner.partitionRange("2026")[1]);
        assertEquals(ts("2026-11-21"), TableScanner.partitionRange("2026-11-21.17")[0]);
        assertNull(TableScanner.partitionRange("default"));
    }

    @Test
    void orderByKeysDirectionsNullsAliasesAndOrdinals() {
        assertEquals(Arrays.asList(10L, 20L, 30L, 40L, null), ids("SELECT id FROM t ORDER BY id"));
        assertEquals(Arrays.asList(null, 40L, 30L, 20L, 10L), ids("SELECT id FROM t ORDER BY id DESC"));
        assertEquals(Arrays.asList(40L, 30L, 20L, 10L, null), ids("SELECT id FROM t ORDER BY id DESC NULLS LAST"));
        assertEquals(Arrays.asList(30L, 10L, 20L, null, 40L), ids("SELECT id FROM t ORDER BY sym, id DESC"));
        assertEquals(Arrays.asList(30L, 10L, 20L, null, 40L), ids("SELECT id, sym AS s FROM t ORDER BY s, 1 DESC"));
        assertEquals(Arrays.asList(null, 40L, 30L, 20L, 10L), ids("SELECT id FROM t ORDER BY ts DESC"));
        assertEquals(List.of(20L, 30L), ids("SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1"));
        assertEquals(List.of(10L, 20L), ids("SELECT id FROM t LIMIT 2"));
        assertEquals(Arrays.asList(40L, null), ids("SELECT id FROM t OFFSET 3"));
        assertError("42P10", null, "SELECT id FROM t ORDER BY 3");
        assertError("2201W", null, "SELECT id FROM t LIMIT -1");
    }

    @Test
    void aggregatesWithoutGroupBy() {
        Outcome o = one("SELECT count(*), count(qty), count(DISTINCT sym), sum(qty), sum(px), min(px), max(ts), avg(qty), avg(px), min(sym) FROM t");
        assertEquals(row(5L, 4L, 3L, 12L, 9.5, 0.5, ts("2026-11-23"), 3.0, 2.375, "a"), o.row(0));
        assertEquals(List.of(DataType.INT8, DataType.INT8, DataType.INT8, DataType.INT8, DataType.FLOAT8, DataType.FLOAT8,
                DataType.TIMESTAMP, DataType.FLOAT8, DataType.FLOAT8, DataType.VARCHAR),
                o.columns().stream().map(ResultColumn::type).toList());
        assertEquals(row(0L, null, null, null), rows("SELECT count(*), sum(qty), max(id), avg(px) FROM t WHERE id > 100").get(0));
        assertEquals(row(2L, 2L), rows("SELECT count(*), sum(qty) FROM t WHERE id >= 20 AND id <= 30").get(0));
        assertEquals(row(1L, 2), rows("SELECT count(*), max(qty) FROM t WHERE sym = 'b'").get(0));
        assertEquals(row(4L), rows("SELECT count(*) + 1 FROM t WHERE qty > 1").get(0));
    }

    @Test
    void sumOverflowIsAnError() {
        run("CREATE TABLE big (v LONG)");
        run("INSERT INTO big VALUES (9223372036854775807), (1)");
        assertError("22003", null, "SELECT sum(v) FROM big");
        assertError("22003", null, "SELECT v + 1 FROM big");
    }

    @Test
    void groupByAndHaving() {
        Outcome o = one("SELECT sym, count(*) AS n, sum(qty) FROM t GROUP BY sym ORDER BY sym");
        assertEquals(List.of(row("a", 2L, 1L), row("b", 1L, 2L), row("c", 1L, 5L), row(null, 1L, 4L)), o.rows());
        assertEquals(List.of(row("a", 2L)), rows("SELECT sym, count(*) FROM t GROUP BY sym HAVING count(*) > 1"));
        assertEquals(List.of(row("c", 5L), row("b", 2L)),
                rows("SELECT sym, sum(qty) FROM t GROUP BY 1 HAVING sum(qty) > 1 AND sym IS NOT NULL ORDER BY 2 DESC"));
        assertEquals(List.of(row(2L, 3L), row(1L, 2L)),
                rows("SELECT count(*) AS n, count(*) + 1 FROM t GROUP BY sym HAVING count(*) > 0 ORDER BY n DESC LIMIT 2"));
        SqlError e = error("SELECT sym, qty FROM t GROUP BY sym");
        assertEquals("42803", e.sqlState());
        assertEquals("column must appear in the GROUP BY clause or be used in an aggregate function [column=qty]", e.getMessage());
        assertEquals(13, e.position());
        assertError("42803", null, "SELECT id, count(*) FROM t");
        assertError("42803", null, "SELECT id FROM t WHERE count(*) > 1");
    }

    @Test
    void arithmeticAndCasts() {
        assertEquals(row(3, 2, -1, 7L, 2.5, 1, 0.5), rows("SELECT 1 + 2, 7 / 3, -7 / 5, 7::bigint, 5 / 2.0, 7 % 3, 1::float8 / 2").get(0));
        assertError("22012", "division by zero", "SELECT 1 / 0");
        assertError("22012", null, "SELECT 1.0 / 0");
        assertError("22003", null, "SELECT 2147483647 + 1");
        assertEquals("ab1", value("SELECT 'a' || 'b' || 1"));
        assertEquals(42, value("SELECT CAST('42' AS INT)"));
        assertEquals("2026-11-21 10:00:00.5", value("SELECT CAST(CAST('2026-11-21T10:00:00.5' AS TIMESTAMP) AS VARCHAR)"));
        assertEquals(true, value("SELECT '2026-11-21'::timestamp < '2026-11-22'"));
        assertEquals(3, value("SELECT 2.5::int"));
        assertError("22P02", "invalid input syntax for type integer [value=abc]", "SELECT 'abc'::int");
        assertError("42846", null, "SELECT true::timestamp");
        assertError("42804", null, "SELECT 1 = true");
    }

    @Test
    void selectWithoutFrom() {
        assertEquals(1, value("SELECT 1"));
        assertTrue(((String) value("SELECT version()")).startsWith("PostgreSQL 15.0 (Stillpoint 0.1.0)"));
        assertEquals("bench", value("SELECT current_database()"));
        assertEquals("public", value("SELECT current_schema()"));
        assertEquals("admin", value("SELECT current_user"));
        Outcome now = one("SELECT now(), current_timestamp");
        assertEquals(DataType.TIMESTAMP, now.columns().get(0).type());
        long micros = (Long) now.row(0).get(0);
        assertTrue(Math.abs(micros - System.currentTimeMillis() * 1000) < 60_000_000L);
        assertEquals(List.of(), rows("SELECT 1 WHERE false"));
        assertEquals(Arrays.asList((Object) null), rows("SELECT NULL").get(0));
    }

    @Test
    void tablesFunctionAndShowTables() {
        run("CREATE TABLE u (a INT)");
        Outcome o = one("SELECT * FROM tables() ORDER BY table_name");
        assertEquals(List.of("table_name", "partition_by", "timestamp_column", "row_count", "partition_count", "ttl"),
                o.columns().stream().map(ResultColumn::name).toList());
        assertEquals(DataType.VARCHAR, o.columns().get(5).type());
        assertEquals(row("t", "DAY", "ts", 5L, 4, null), o.row(0));
        assertEquals(row("u", "NONE", null, 0L, o.row(1).get(4), null), o.row(1));
        assertEquals(List.of(row("t")), rows("SELECT table_name FROM tables() WHERE row_count > 0"));
        assertEquals(List.of(row("t"), row("u")), rows("SHOW TABLES"));
    }

    @Test
    void unknownNamesAreReportedWithPositions() {
        SqlError e = error("SELECT nope FROM t");
        assertEquals("42703", e.sqlState());
        assertEquals("column does not exist [column=nope]", e.getMessage());
        assertEquals(8, e.position());
        e = error("SELECT * FROM nope");
        assertEquals("42P01", e.sqlState());
        assertEquals("table does not exist [table=nope]", e.getMessage());
        assertEquals(15, e.position());
        e = error("SELECT frob(1)");
        assertEquals("42883", e.sqlState());
        assertEquals(8, e.position());
        e = error("SELECT x.id FROM t");
        assertEquals("42P01", e.sqlState());
        assertEquals(List.of(10L), ids("SELECT x.id FROM t x WHERE x.id = 10"));
        e = error("SELEC 1");
        assertEquals("42601", e.sqlState());
        assertEquals(1, e.position());
    }

    @Test
    void preparedPointLookupInfersParameterTypesAndStreams() {
        Prepared p = session.prepare("SELECT sym, qty FROM t WHERE id = $1", List.of());
        assertEquals(List.of(DataType.INT8), p.paramTypes());
        assertEquals(List.of(new ResultColumn("sym", DataType.VARCHAR), new ResultColumn("qty", DataType.INT4)), p.columns());
        assertEquals(List.of(row("b", 2)), drain(session.execute(p, new Object[] {20L})).rows());
        assertEquals(List.of(), drain(session.execute(p, new Object[] {21L})).rows());
        assertEquals(List.of(), drain(session.execute(p, new Object[] {null})).rows());
        session.endImplicitTransaction(false);

        Prepared q = session.prepare("SELECT id FROM t WHERE $1 < qty AND ts < $2 LIMIT $3",
                Arrays.asList(null, DataType.VARCHAR));
        assertEquals(List.of(DataType.INT4, DataType.VARCHAR, DataType.INT8), q.paramTypes());
        assertEquals(List.of(row(20L), row(40L)), drain(session.execute(q, new Object[] {1, "2026-11-23", 5L})).rows());
        assertEquals(List.of(row(20L)), drain(session.execute(q, new Object[] {1, "2026-11-23", 1L})).rows());

        Prepared declaredInt8 = session.prepare("SELECT id FROM t WHERE qty = $1", List.of(DataType.INT8));
        assertEquals(List.of(row(40L)), drain(session.execute(declaredInt8, new Object[] {4L})).rows());
        Prepared text = session.prepare("SELECT id FROM t WHERE qty = $1", List.of(DataType.TEXT));
        assertEquals(List.of(row(40L)), drain(session.execute(text, new Object[] {"4"})).rows());
        SqlError e = org.junit.jupiter.api.Assertions.assertThrows(SqlError.class,
                () -> drain(session.execute(text, new Object[] {"four"})));
        assertEquals("22P02", e.sqlState());
        session.endImplicitTransaction(true);
    }

    @Test
    void parameterTypesAreInferredFromTheirContext() {
        Prepared p = session.prepare("SELECT id FROM t WHERE ts BETWEEN $1 AND $2 AND qty IN ($3, $4) "
                + "AND px > CAST($5 AS DOUBLE) AND sym = $6 ORDER BY id LIMIT $7 OFFSET $8", List.of());
        assertEquals(List.of(DataType.TIMESTAMP, DataType.TIMESTAMP, DataType.INT4, DataType.INT4, DataType.FLOAT8,
                DataType.VARCHAR, DataType.INT8, DataType.INT8), p.paramTypes());
        Outcome o = drain(session.execute(p, new Object[] {ts("2026-11-20"), ts("2026-11-22"), 1, 5, 1.0, "a", 10L, 0L}));
        assertEquals(List.of(row(10L)), o.rows());
        Prepared unknown = session.prepare("SELECT $1 || 'x', $2", List.of());
        assertEquals(List.of(DataType.TEXT, DataType.UNKNOWN), unknown.paramTypes());
        assertEquals(List.of(row("yx", "z")), drain(session.execute(unknown, new Object[] {"y", "z"})).rows());
        session.endImplicitTransaction(false);
    }

    @Test
    void preparedSelectDescribesColumnsBeforeExecution() {
        Prepared p = session.prepare("SELECT sym AS s, count(*) FROM t GROUP BY sym", List.of());
        assertEquals(List.of(new ResultColumn("s", DataType.VARCHAR), new ResultColumn("count", DataType.INT8)), p.columns());
        List<Prepared> all = session.prepareAll("SELECT 1 AS one; SHOW TimeZone; SET a = 1");
        assertEquals(List.of(new ResultColumn("one", DataType.INT4)), all.get(0).columns());
        assertEquals(List.of(new ResultColumn("TimeZone", DataType.TEXT)), all.get(1).columns());
        assertNull(all.get(2).columns());
    }

    @Test
    void largeTableScansAcrossChunksAndPartitions() {
        run("CREATE TABLE big (ts TIMESTAMP, id LONG, v DOUBLE) TIMESTAMP(ts) PARTITION BY HOUR");
        Prepared p = session.prepare("INSERT INTO big VALUES ($1, $2, $3)", List.of());
        long base = ts("2026-01-01");
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            session.execute(p, new Object[] {base + i * 100_000L, (long) i, i % 10 == 0 ? null : (double) i});
        }
        session.endImplicitTransaction(false);
        assertEquals(row((long) n, (long) n * (n - 1) / 2), rows("SELECT count(*), sum(id) FROM big").get(0));
        assertEquals(List.of(row(77_777L)), rows("SELECT id FROM big WHERE id = 77777"));
        assertEquals(row(90_000L), rows("SELECT count(v) FROM big").get(0));
        assertEquals(List.of(row(99_999L)), rows("SELECT id FROM big ORDER BY id DESC LIMIT 1"));
        long from = base + 36_000L * 100_000L;
        assertEquals(List.of(row((long) (n - 36_000))), rows("SELECT count(*) FROM big WHERE ts >= '2026-01-01 01:00:00'"));
        assertEquals(from, rows("SELECT min(ts) FROM big WHERE ts >= '2026-01-01 01:00:00'").get(0).get(0));
        assertEquals(List.of(row(11L)), rows("SELECT count(*) FROM big WHERE (id >= 500 AND id < 510) OR id = 3"));
        assertEquals(List.of(row(9L)), rows("SELECT count(*) FROM big WHERE id >= 500 AND id < 510 AND v > 0"));
        assertEquals(List.of(row(9L, 505.0)), rows("SELECT count(*), avg(v) FROM big WHERE id > 500.5 AND id <= 510 AND ts < '2026-01-01 00:00:51'"));
    }
}
