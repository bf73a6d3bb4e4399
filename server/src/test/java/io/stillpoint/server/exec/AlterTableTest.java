package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ALTER TABLE ... RENAME TO, ADD COLUMN, DROP COLUMN, DROP PARTITION WHERE through the executor: results, SQLSTATEs, the read-only user,
 * transactions, out-of-order inserts in between, and the state after reopening the engine.
 */
class AlterTableTest extends ExecTestSupport {

    private void trades() {
        run("CREATE TABLE t (ts TIMESTAMP, sym VARCHAR, qty INT) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-01 10:00:00', 'a', 1), ('2026-11-02 10:00:00', 'b', 2)");
    }

    private void reopen() {
        engine.close();
        sessions.clear();
        openEngine();
    }

    @Test
    void renameTable() {
        trades();
        run("CREATE TABLE other (x INT)");
        assertEquals("ALTER TABLE", one("ALTER TABLE t RENAME TO trades").tag());
        assertError("42P01", "table does not exist [table=t]", "SELECT * FROM t");
        assertEquals(List.of(row("a"), row("b")), rows("SELECT sym FROM trades"));
        assertError("42P07", "table already exists [table=other]", "ALTER TABLE trades RENAME TO other");
        assertError("42P01", "table does not exist [table=t]", "ALTER TABLE t RENAME TO u");
        run("INSERT INTO trades VALUES ('2026-11-01 09:00:00', 'z', 0)"); // out of order: merged
        reopen();
        assertFalse(engine.tableExists("t"));
        assertEquals(List.of(row("z"), row("a"), row("b")), rows("SELECT sym FROM trades"));
    }

    @Test
    void addColumnReadsNullForOlderRows() {
        trades();
        assertEquals("ALTER TABLE", one("ALTER TABLE t ADD COLUMN px DOUBLE PRECISION").tag());
        assertEquals(List.of(row("a", null), row("b", null)), rows("SELECT sym, px FROM t"));
        run("INSERT INTO t VALUES ('2026-11-01 09:00:00', 'c', 3, 1.5)");
        run("INSERT INTO t (ts, sym) VALUES ('2026-11-03 09:00:00', 'd')");
        assertEquals(List.of(row("c", 1.5), row("a", null), row("b", null), row("d", null)),
                rows("SELECT sym, px FROM t"));
        assertError("42701", "column already exists [table=t, column=px]", "ALTER TABLE t ADD COLUMN px INT");
        assertEquals("42704", error("ALTER TABLE t ADD COLUMN n NUMERIC").sqlState());
        assertError("42P01", "table does not exist [table=nope]", "ALTER TABLE nope ADD COLUMN x INT");
        reopen();
        assertEquals(List.of(row("c", 1.5), row("a", null), row("b", null), row("d", null)),
                rows("SELECT sym, px FROM t"));
    }

    @Test
    void dropColumn() {
        trades();
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP COLUMN sym").tag());
        assertEquals(List.of(row(ts("2026-11-01 10:00:00"), 1), row(ts("2026-11-02 10:00:00"), 2)),
                rows("SELECT * FROM t"));
        assertEquals("42703", error("SELECT sym FROM t").sqlState());
        assertError("0A000", "cannot drop the designated timestamp column [table=t, column=ts]",
                "ALTER TABLE t DROP COLUMN ts");
        assertError("42703", "column does not exist [table=t, column=sym]", "ALTER TABLE t DROP COLUMN sym");
        run("CREATE TABLE one (x INT)");
        assertError("0A000", "cannot drop the only column of a table [table=one, column=x]",
                "ALTER TABLE one DROP COLUMN x");
        // A dropped column may be added again: older rows read NULL in it.
        run("ALTER TABLE t ADD COLUMN sym VARCHAR");
        assertEquals(List.of(row(1, null), row(2, null)), rows("SELECT qty, sym FROM t"));
        reopen();
        assertEquals(List.of(row(1, null), row(2, null)), rows("SELECT qty, sym FROM t"));
    }

    @Test
    void dropPartitionWhereDropsThePartitionsEntirelyMatching() {
        run("CREATE TABLE t (ts TIMESTAMP, sym VARCHAR, qty INT) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-01 10:00:00', 'a', 1), ('2026-11-02 10:00:00', 'b', 2), "
                + "('2026-11-02 20:00:00', 'c', 3), ('2026-11-03 10:00:00', 'd', 4)");
        // 2026-11-02 only partly matches (its 20:00 row does not): it stays whole.
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP PARTITION WHERE ts < '2026-11-02 12:00:00'").tag());
        assertEquals(List.of(row("b"), row("c"), row("d")), rows("SELECT sym FROM t"));
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP PARTITION WHERE '2026-11-02' <= ts AND ts <= "
                + "'2026-11-02 20:00:00'").tag());
        assertEquals(List.of(row("d")), rows("SELECT sym FROM t"));
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP PARTITION WHERE ts < '2000-01-01'").tag(),
                "nothing matches: no commit, no error");
        assertError("0A000", "drop partition where supports only comparisons of the designated timestamp with "
                + "constants joined by AND [table=t, designatedTimestamp=ts]",
                "ALTER TABLE t DROP PARTITION WHERE qty < 3");
        assertEquals("0A000", error("ALTER TABLE t DROP PARTITION WHERE ts < '2026-11-05' OR ts > "
                + "'2026-11-06'").sqlState());
        assertEquals("42703", error("ALTER TABLE t DROP PARTITION WHERE nope < 3").sqlState());
        assertEquals("42P01", error("ALTER TABLE nope DROP PARTITION WHERE ts < '2026-11-05'").sqlState());
        assertEquals("42501", error(open("reader", Role.READ_ONLY),
                "ALTER TABLE t DROP PARTITION WHERE ts < '2026-11-05'").sqlState());
        assertEquals(List.of(row("d")), rows("SELECT sym FROM t"));
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP PARTITION WHERE ts <= now()").tag());
        assertEquals(0L, value("SELECT count(*) FROM t"));
        reopen();
        assertEquals(0L, value("SELECT count(*) FROM t"));
    }

    @Test
    void readOnlyUserAndTransactions() {
        trades();
        Session reader = open("reader", Role.READ_ONLY);
        for (String sql : List.of("ALTER TABLE t RENAME TO u", "ALTER TABLE t ADD COLUMN x INT",
                "ALTER TABLE t DROP COLUMN sym")) {
            assertEquals("42501", error(reader, sql).sqlState(), sql);
        }
        assertTrue(engine.tableExists("t"));
        assertEquals(3, engine.schema("t").columnCount());
        // After buffered inserts: refused, the transaction fails and nothing of it is committed.
        run("BEGIN");
        run("INSERT INTO t VALUES ('2026-11-03 10:00:00', 'c', 3)");
        assertEquals("0A000", error("ALTER TABLE t ADD COLUMN x INT").sqlState());
        run("ROLLBACK");
        assertEquals(3, engine.schema("t").columnCount());
        assertEquals(2L, value("SELECT count(*) FROM t"));
        // DDL in a block runs at once and is not undone by ROLLBACK, as CREATE and DROP TABLE.
        run("BEGIN");
        run("ALTER TABLE t ADD COLUMN x INT");
        run("ROLLBACK");
        assertEquals(4, engine.schema("t").columnCount());
    }
}
