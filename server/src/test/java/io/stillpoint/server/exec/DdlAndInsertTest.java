package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CREATE TABLE, DROP TABLE and INSERT: schemas, conversions, parameter inference and their errors. */
class DdlAndInsertTest extends ExecTestSupport {

    private static final String TRADES = "CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, qty INT, px DOUBLE, "
            + "id LONG, ok BOOLEAN) TIMESTAMP(ts) PARTITION BY DAY";

    @Test
    void createTableMapsTypesDesignatedTimestampAndPartitioning() {
        assertEquals("CREATE TABLE", one(TRADES).tag());
        TableSchema s = engine.schema("trades");
        assertEquals(List.of(ColumnType.TIMESTAMP, ColumnType.VARCHAR, ColumnType.INT, ColumnType.DOUBLE,
                ColumnType.LONG, ColumnType.BOOLEAN), s.columns().stream().map(c -> c.type()).toList());
        assertEquals(0, s.timestampIndex());
        assertEquals(PartitionBy.DAY, s.partitionBy());

        assertError("42P07", "table already exists [table=trades]", TRADES);
        assertEquals("CREATE TABLE", one("CREATE TABLE IF NOT EXISTS trades (x INT)").tag());
        assertEquals(6, engine.schema("trades").columnCount());
    }

    @Test
    void createTableRejectsBadDesignatedTimestamp() {
        SqlError e = error("CREATE TABLE t (a INT, ts TIMESTAMP) TIMESTAMP(nope)");
        assertEquals("42703", e.sqlState());
        assertTrue(e.getMessage().contains("column=nope"), e.getMessage());
        e = error("CREATE TABLE t (a INT, ts TIMESTAMP) TIMESTAMP(a)");
        assertEquals("42804", e.sqlState());
        assertFalse(engine.tableExists("t"));
    }

    @Test
    void partitioningNeedsADesignatedTimestamp() {
        SqlError e = error("CREATE TABLE p (a INT, ts TIMESTAMP) PARTITION BY DAY");
        // the parser refuses it already (42601); the executor checks again (42P16) for other front ends
        assertTrue(e.sqlState().equals("42601") || e.sqlState().equals("42P16"), e.sqlState());
        assertFalse(engine.tableExists("p"));
        assertEquals("CREATE TABLE", one("CREATE TABLE p (a INT, ts TIMESTAMP) TIMESTAMP(ts) PARTITION BY HOUR").tag());
        assertEquals(PartitionBy.HOUR, engine.schema("p").partitionBy());
    }

    @Test
    void anyTypeIsAssignableToVarchar() {
        run("CREATE TABLE s (v VARCHAR)");
        Prepared p = session.prepare("INSERT INTO s VALUES ($1)", List.of(DataType.TIMESTAMP));
        session.execute(p, new Object[] {ts("2026-11-21 10:00:00.25")});
        Prepared q = session.prepare("INSERT INTO s VALUES ($1)", List.of(DataType.NUMERIC));
        session.execute(q, new Object[] {new BigDecimal("1E+3")});
        session.endImplicitTransaction(false);
        run("INSERT INTO s VALUES (12), (true), (1.5)");
        assertEquals(List.of(row("2026-11-21 10:00:00.25"), row("1000"), row("12"), row("true"), row("1.5")),
                rows("SELECT v FROM s"));
    }

    @Test
    void dropTable() {
        run("CREATE TABLE t (a INT)");
        assertEquals("DROP TABLE", one("DROP TABLE t").tag());
        assertFalse(engine.tableExists("t"));
        SqlError e = error("DROP TABLE t");
        assertEquals("42P01", e.sqlState());
        assertEquals("table does not exist [table=t]", e.getMessage());
        assertEquals("DROP TABLE", one("DROP TABLE IF EXISTS t").tag());
    }

    @Test
    void insertLiteralsConvertsToColumnTypes() {
        run(TRADES);
        assertEquals("INSERT 0 2", one("INSERT INTO trades VALUES ('2026-11-21T10:00:00.123456Z', 'abc', 7, 1, 2147483648, true), "
                + "('2026-11-21 11:00:00+00', NULL, -3, 2.5, 5, NULL)").tag());
        assertEquals("INSERT 0 1", one("INSERT INTO trades (qty, ts) VALUES ('42', '2026-11-22')").tag());
        List<List<Object>> rows = rows("SELECT * FROM trades ORDER BY ts");
        assertEquals(3, rows.size());
        assertEquals(row(ts("2026-11-21 10:00:00.123456"), "abc", 7, 1.0, 2147483648L, true), rows.get(0));
        assertEquals(row(ts("2026-11-21 11:00:00"), null, -3, 2.5, 5L, null), rows.get(1));
        assertEquals(row(ts("2026-11-22 00:00:00"), null, 42, null, null, null), rows.get(2));
    }

    @Test
    void insertErrors() {
        run(TRADES);
        assertError("22003", null, "INSERT INTO trades (ts, qty) VALUES ('2026-01-01', 2147483648)");
        assertError("22P02", "invalid input syntax for type integer [value=abc, column=qty]",
                "INSERT INTO trades (ts, qty) VALUES ('2026-01-01', 'abc')");
        assertError("42804", "column is of type timestamp but expression is of type boolean [column=ts]",
                "INSERT INTO trades (ts) VALUES (true)");
        assertError("23502", "null value in designated timestamp column [column=ts, table=trades]",
                "INSERT INTO trades (ts) VALUES (NULL)");
        assertError("23502", null, "INSERT INTO trades (qty) VALUES (1)");
        assertError("42703", null, "INSERT INTO trades (nope) VALUES (1)");
        assertError("42601", null, "INSERT INTO trades (ts) VALUES ('2026-01-01', 1)");
        SqlError e = error("INSERT INTO nope VALUES (1)");
        assertEquals("42P01", e.sqlState());
        assertEquals(13, e.position());
        assertEquals(0L, value("SELECT count(*) FROM trades"));
    }

    @Test
    void insertParameterTypesAreInferredFromColumns() {
        run(TRADES);
        Prepared p = session.prepare("INSERT INTO trades (ts, sym, qty, px, id, ok) VALUES ($1, $2, $3, $4, $5, $6)", List.of());
        assertEquals(List.of(DataType.TIMESTAMP, DataType.VARCHAR, DataType.INT4, DataType.FLOAT8, DataType.INT8, DataType.BOOL),
                p.paramTypes());
        assertNull(p.columns());
        for (int i = 0; i < 300; i++) {
            Result r = session.execute(p, new Object[] {ts("2026-11-21") + i, "s" + i, i, i * 0.5, (long) i, i % 2 == 0});
            assertEquals("INSERT 0 1", ((Result.Command) r).tag());
        }
        session.endImplicitTransaction(false);
        assertEquals(row(300L, 44850L, 299.0), rows("SELECT count(*), sum(qty), max(px) * 2 FROM trades").get(0));
    }

    @Test
    void insertParametersOfOtherDeclaredTypesAreConverted() {
        run(TRADES);
        Prepared p = session.prepare("INSERT INTO trades (ts, qty, px, id, sym) VALUES ($1, $2, $3, $4, $5)",
                Arrays.asList(DataType.VARCHAR, DataType.INT8, DataType.NUMERIC, DataType.TEXT, DataType.INT4));
        assertEquals(List.of(DataType.VARCHAR, DataType.INT8, DataType.NUMERIC, DataType.TEXT, DataType.INT4), p.paramTypes());
        session.execute(p, new Object[] {"2026-11-21 10:00:00", 5L, new BigDecimal("1.25"), "77", 9});
        SqlError e = assertThrows(SqlError.class, () -> session.execute(p, new Object[] {"2026-11-21", 1L << 40, null, null, null}));
        assertEquals("22003", e.sqlState());
        session.endImplicitTransaction(true);
        assertEquals(0L, value("SELECT count(*) FROM trades"));

        Prepared q = session.prepare("INSERT INTO trades (ts, qty, px, id) VALUES ($1, $2, $3, $4)",
                Arrays.asList(DataType.UNKNOWN, DataType.INT8, DataType.NUMERIC, DataType.TEXT));
        assertEquals(DataType.TIMESTAMP, q.paramTypes().get(0));
        session.execute(q, new Object[] {ts("2026-11-21 10:00:00"), 5L, new BigDecimal("1.25"), "77"});
        e = assertThrows(SqlError.class, () -> session.execute(q, new Object[] {ts("2026-11-21"), 1L, null, "x7"}));
        assertEquals("22P02", e.sqlState());
        session.endImplicitTransaction(true);
        session.execute(q, new Object[] {ts("2026-11-21 10:00:00"), 5L, new BigDecimal("1.25"), "77"});
        session.endImplicitTransaction(false);
        assertEquals(row(ts("2026-11-21 10:00:00"), null, 5, 1.25, 77L, null), rows("SELECT * FROM trades").get(0));
    }

    @Test
    void insertBooleanIntoIntegerColumnIsATypeMismatch() {
        run(TRADES);
        SqlError e = assertThrows(SqlError.class,
                () -> session.prepare("INSERT INTO trades (ts, qty) VALUES ($1, $2)", Arrays.asList(null, DataType.BOOL)));
        assertEquals("42804", e.sqlState());
        assertEquals("column is of type integer but expression is of type boolean [column=qty]", e.getMessage());
        Prepared p = session.prepare("INSERT INTO trades (ts, qty) VALUES ($1, $2)", Arrays.asList(null, DataType.UNKNOWN));
        e = assertThrows(SqlError.class, () -> session.execute(p, new Object[] {1L, true}));
        assertEquals("42804", e.sqlState());
    }

    @Test
    void preparedInsertIntoMissingTableFailsAtPrepare() {
        SqlError e = assertThrows(SqlError.class, () -> session.prepare("INSERT INTO nope VALUES ($1)", List.of()));
        assertEquals("42P01", e.sqlState());
    }

    @Test
    void createThenInsertInOneQueryText() {
        List<Outcome> out = run("CREATE TABLE t (a INT, b VARCHAR); INSERT INTO t VALUES (1, 'x'), (2, 'y'); SELECT count(*) FROM t");
        assertEquals("CREATE TABLE", out.get(0).tag());
        assertEquals("INSERT 0 2", out.get(1).tag());
        assertEquals("SELECT 1", out.get(2).tag());
        assertEquals(2L, out.get(2).value());
        assertEquals(2L, value("SELECT count(*) FROM t"));
    }
}
