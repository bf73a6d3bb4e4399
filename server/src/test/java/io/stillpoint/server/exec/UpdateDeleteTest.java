package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** UPDATE, DELETE, TRUNCATE and ALTER TABLE ... DROP PARTITION: semantics, NULLs, pruning, transactions, roles. */
class UpdateDeleteTest extends ExecTestSupport {

    private void trades() {
        run("CREATE TABLE t (ts TIMESTAMP, sym VARCHAR, qty INT, px DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-01 10:00:00', 'a', 1, 1.5), ('2026-11-01 11:00:00', NULL, 2, NULL), "
                + "('2026-11-02 10:00:00', 'b', NULL, 2.5), ('2026-11-02 12:00:00', 'a', 4, 4.5), "
                + "('2026-11-03 10:00:00', 'c', 5, NULL)");
    }

    /** Last-modified time of every file under the table directory, by relative path. */
    private Map<String, FileTime> files() throws IOException {
        Path dir = engine.tableDirectory("t");
        Map<String, FileTime> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    @Test
    void updateWithWhereAndNullSemantics() {
        trades();
        assertEquals("UPDATE 2", one("UPDATE t SET qty = qty * 10, px = px + 1 WHERE sym = 'a'").tag());
        assertEquals(List.of(row("a", 10, 2.5), row(null, 2, null), row("b", null, 2.5), row("a", 40, 5.5),
                row("c", 5, null)), rows("SELECT sym, qty, px FROM t"));
        // NULL = 'x' is not true: rows with a NULL sym are not matched by sym <> 'a' either.
        assertEquals("UPDATE 2", one("UPDATE t SET sym = 'z' WHERE sym <> 'a'").tag());
        assertEquals(List.of(row("a"), row((Object) null), row("z"), row("a"), row("z")), rows("SELECT sym FROM t"));
        assertEquals("UPDATE 1", one("UPDATE t SET sym = 'n', qty = NULL WHERE sym IS NULL").tag());
        assertEquals(List.of(row("n", null)), rows("SELECT sym, qty FROM t WHERE sym = 'n'"));
        assertEquals("UPDATE 0", one("UPDATE t SET qty = 1 WHERE qty > 1000").tag());
        assertEquals("UPDATE 5", one("UPDATE t SET px = 0").tag());
        assertEquals(List.of(row(5L, 0.0)), rows("SELECT count(*), sum(px) FROM t"));
    }

    @Test
    void deleteTruncateAndDropPartition() {
        trades();
        assertEquals("DELETE 1", one("DELETE FROM t WHERE qty IS NULL").tag());
        assertEquals("DELETE 0", one("DELETE FROM t WHERE sym = 'nope'").tag());
        assertEquals(List.of(row(4L)), rows("SELECT count(*) FROM t"));
        assertEquals("DELETE 1", one("DELETE FROM t WHERE ts >= '2026-11-03'").tag());
        assertEquals(List.of("2026-11-01.1", "2026-11-02.2"), engine.partitionDirectories("t"));
        assertEquals("ALTER TABLE", one("ALTER TABLE t DROP PARTITION LIST '2026-11-01'").tag());
        assertEquals(List.of(row("a")), rows("SELECT sym FROM t"));
        assertError("42704", "partition does not exist [table=t, partition=2026-12-01]",
                "ALTER TABLE t DROP PARTITION LIST '2026-12-01'");
        run("INSERT INTO t VALUES ('2026-11-05 10:00:00', 'x', 1, 1.0)");
        assertEquals("TRUNCATE TABLE", one("TRUNCATE TABLE t").tag());
        assertEquals(List.of(row(0L)), rows("SELECT count(*) FROM t"));
        assertEquals(List.of(), engine.partitionDirectories("t"));
        run("INSERT INTO t VALUES ('2026-11-05 10:00:00', 'x', 1, 1.0)");
        assertEquals("DELETE 1", one("DELETE FROM t").tag());
        assertEquals(List.of(row(0L)), rows("SELECT count(*) FROM t"));
    }

    @Test
    void prunedPartitionsAreNotTouched() throws IOException {
        engine.housekeeping().pause(); // the superseded version is deleted concurrently otherwise, under the walk
        trades();
        Map<String, FileTime> before = files();
        assertEquals("UPDATE 1", one("UPDATE t SET qty = 7 WHERE ts >= '2026-11-02 11:00:00' AND ts < '2026-11-03' "
                + "AND qty = 4").tag());
        assertEquals(List.of("2026-11-01.1", "2026-11-02.2", "2026-11-03.1"), engine.partitionDirectories("t"));
        Map<String, FileTime> after = files();
        for (Map.Entry<String, FileTime> e : before.entrySet()) {
            if (!e.getKey().startsWith("2026-11-02") && !e.getKey().equals("_txn")) {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey());
            }
        }
        // A partition in range without a matching row is not rewritten either.
        assertEquals("DELETE 0", one("DELETE FROM t WHERE ts < '2026-11-02' AND sym = 'zz'").tag());
        assertEquals(List.of("2026-11-01.1", "2026-11-02.2", "2026-11-03.1"), engine.partitionDirectories("t"));
    }

    @Test
    void prunedPartitionsAreNotRead() throws IOException {
        run("CREATE TABLE t (ts TIMESTAMP, qty INT) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-01 10:00:00', 1)");
        run("INSERT INTO t VALUES ('2026-11-02 10:00:00', 2), ('2026-11-03 10:00:00', 3)");
        closeEngine();
        openEngine();
        // Break the first partition: a statement that read it would fail.
        Files.delete(engine.tableDirectory("t").resolve("2026-11-01.1").resolve("c1.d"));
        assertEquals("UPDATE 1", one("UPDATE t SET qty = 20 WHERE ts >= '2026-11-02' AND ts < '2026-11-03'").tag());
        assertEquals("DELETE 1", one("DELETE FROM t WHERE '2026-11-03' <= ts").tag());
        assertEquals(List.of(row(20)), rows("SELECT qty FROM t WHERE ts >= '2026-11-02'"));
        assertEquals("XX001", error("UPDATE t SET qty = 0").sqlState());
    }

    @Test
    void designatedTimestampUpdatesWithinThePartitionKeepOrder() {
        trades();
        assertEquals("UPDATE 1", one("UPDATE t SET ts = '2026-11-01 09:00:00' WHERE qty = 2").tag());
        assertEquals(List.of(row(2), row(1)), rows("SELECT qty FROM t WHERE ts < '2026-11-02'"));
        assertEquals("23502", error("UPDATE t SET ts = NULL").sqlState());
        assertEquals(List.of(row(5L)), rows("SELECT count(*) FROM t"));
    }

    @Test
    void updatesMoveRowsToOtherPartitionsInOneCommit() throws IOException {
        engine.housekeeping().pause(); // the superseded versions are deleted concurrently otherwise, under the walk
        trades();
        Map<String, FileTime> before = files();
        // Day 3 to a new, later day: the emptied day disappears, days 1 and 2 are neither read nor written.
        assertEquals("UPDATE 1", one("UPDATE t SET ts = '2026-11-09 09:00:00' WHERE ts >= '2026-11-03'").tag());
        assertEquals(List.of("2026-11-01.1", "2026-11-02.1", "2026-11-09.2"), engine.partitionDirectories("t"));
        Map<String, FileTime> after = files();
        for (Map.Entry<String, FileTime> e : before.entrySet()) {
            if (!e.getKey().startsWith("2026-11-03") && !e.getKey().equals("_txn")) {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey());
            }
        }
        // Back into an earlier day the WHERE pruned, at the timestamp of a row there: that row stays first.
        assertEquals("UPDATE 1", one("UPDATE t SET ts = '2026-11-01 10:00:00', qty = 50 "
                + "WHERE ts > '2026-11-08' AND ts < '2026-11-10'").tag());
        assertEquals(List.of("2026-11-01.3", "2026-11-02.1"), engine.partitionDirectories("t"));
        assertEquals(List.of(row("a", 1), row("c", 50), row(null, 2)),
                rows("SELECT sym, qty FROM t WHERE ts < '2026-11-02'"));
        // Rows of two days to one new day, earlier than all: counted once each, in scan order at equal timestamps.
        assertEquals("UPDATE 2", one("UPDATE t SET ts = '2026-10-31 00:00:00' WHERE sym = 'a'").tag());
        assertEquals(List.of("2026-10-31.4", "2026-11-01.4", "2026-11-02.4"), engine.partitionDirectories("t"));
        assertEquals(List.of(row(ts("2026-10-31 00:00:00"), "a", 1), row(ts("2026-10-31 00:00:00"), "a", 4),
                row(ts("2026-11-01 10:00:00"), "c", 50), row(ts("2026-11-01 11:00:00"), null, 2),
                row(ts("2026-11-02 10:00:00"), "b", null)), rows("SELECT ts, sym, qty FROM t"));
        // Every row to a later day in one statement; a SELECT pruned by the new timestamps finds them.
        assertEquals("UPDATE 5", one("UPDATE t SET ts = '2026-12-01 08:00:00'").tag());
        assertEquals(List.of("2026-12-01.5"), engine.partitionDirectories("t"));
        assertEquals(List.of(row(5L)), rows("SELECT count(*) FROM t WHERE ts >= '2026-12-01' AND ts < '2026-12-02'"));
        assertEquals(List.of(row("a"), row("a"), row("c"), row((Object) null), row("b")), rows("SELECT sym FROM t"));
        // With parameters, as a driver sends it.
        assertEquals("UPDATE 1", prepared(session, "UPDATE t SET ts = $1 WHERE sym = $2", null,
                "2026-11-15 12:00:00", "b").tag());
        session.endImplicitTransaction(false);
        assertEquals(List.of(row(ts("2026-11-15 12:00:00"), "b")), rows("SELECT ts, sym FROM t WHERE qty IS NULL"));
        assertEquals(List.of("2026-11-15.6", "2026-12-01.6"), engine.partitionDirectories("t"));
        assertEquals(5L, engine.tables().get(0).rowCount());
        // Everything survives a reopen.
        List<List<Object>> now = rows("SELECT * FROM t");
        closeEngine();
        openEngine();
        assertEquals(now, rows("SELECT * FROM t"));
    }

    @Test
    void errorsRolesAndTransactions() {
        trades();
        assertEquals("42P01", error("UPDATE nope SET a = 1").sqlState());
        assertEquals("42703", error("UPDATE t SET nope = 1").sqlState());
        assertEquals("42703", error("DELETE FROM t WHERE nope = 1").sqlState());
        assertEquals("42804", error("UPDATE t SET qty = true").sqlState());
        assertEquals("22012", error("UPDATE t SET qty = qty / 0").sqlState());
        Session reader = open("reader", Role.READ_ONLY);
        for (String sql : List.of("UPDATE t SET qty = 1", "DELETE FROM t", "TRUNCATE t",
                "ALTER TABLE t DROP PARTITION LIST '2026-11-01'")) {
            assertEquals("42501", error(reader, sql).sqlState(), sql);
        }
        // After buffered inserts: refused, the transaction fails and nothing of it is committed.
        SqlError e = error("INSERT INTO t VALUES ('2026-11-04 10:00:00', 'd', 9, 9.0); DELETE FROM t");
        assertEquals("0A000", e.sqlState());
        run("BEGIN");
        run("INSERT INTO t VALUES ('2026-11-04 10:00:00', 'd', 9, 9.0)");
        assertEquals("0A000", error("UPDATE t SET qty = 0").sqlState());
        run("ROLLBACK");
        assertEquals(List.of(row(5L)), rows("SELECT count(*) FROM t"));
        // In a block that has not written: the statement commits at once, as DDL does.
        run("BEGIN");
        assertEquals("DELETE 1", one("DELETE FROM t WHERE sym = 'c'").tag());
        run("INSERT INTO t VALUES ('2026-11-04 10:00:00', 'd', 9, 9.0)");
        run("ROLLBACK");
        assertEquals(List.of(row(4L)), rows("SELECT count(*) FROM t"));
        // Parameters in SET and WHERE.
        assertEquals("UPDATE 1", prepared(session, "UPDATE t SET sym = $1 WHERE qty = $2", null, "q", 4).tag());
        session.endImplicitTransaction(false);
        assertEquals(List.of(row("q")), rows("SELECT sym FROM t WHERE qty = 4"));
        assertFalse(rows("SELECT sym FROM t").isEmpty());
    }
}
