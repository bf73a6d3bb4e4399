package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long-running SELECT, from pgjdbc, on the real jar: a cursor (autocommit off, fetch size 500: the server keeps
 * the portal and its pinned snapshot between Executes) reads the first rows of a five-day table, then another
 * connection UPDATEs one day, DELETEs another, drops a third with DROP PARTITION and finally DROPs the table, while
 * the purge runs every 100 ms. The cursor then reads on and gets exactly the old state (every id once, the old
 * values); the superseded versions stay on disk while it reads, and go once it is closed.
 */
class LongReadIT {

    private static final long DAY_SECONDS = 86_400;
    private static final long BASE_SECONDS = Instant.parse("2026-11-01T00:00:00Z").getEpochSecond();
    private static final int DAYS = 5;
    private static final int ROWS_PER_DAY = 4_000;

    @TempDir
    Path tmp;

    @Test
    void aCursorReadsTheStateItStartedOnWhileUpdatesDeletesAndDropsCommitAndThePurgeWaitsForIt() throws Exception {
        Path root = tmp.resolve("root");
        try (ServerProcess server = ServerProcess.start(root, "--housekeeping-interval", "100ms");
             Connection writer = server.connect(); Statement w = writer.createStatement();
             Connection reader = server.connect()) {
            w.execute("CREATE TABLE events (ts TIMESTAMP, id LONG, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
            writer.setAutoCommit(false);
            try (PreparedStatement insert = writer.prepareStatement("INSERT INTO events VALUES (?, ?, ?)")) {
                for (int i = 0; i < DAYS * ROWS_PER_DAY; i++) {
                    long seconds = BASE_SECONDS + (long) (i / ROWS_PER_DAY) * DAY_SECONDS + i % ROWS_PER_DAY;
                    insert.setObject(1, LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC));
                    insert.setLong(2, i);
                    insert.setLong(3, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            writer.commit();
            writer.setAutoCommit(true);
            Path tableDir = onlyTableDirectory(root);
            Set<String> versionsBefore = versions(tableDir);
            assertEquals(DAYS, versionsBefore.size(), versionsBefore.toString());

            reader.setAutoCommit(false);
            long seen = 0;
            long idSum = 0;
            long mismatches = 0;
            try (Statement r = reader.createStatement()) {
                r.setFetchSize(500);
                try (ResultSet rs = r.executeQuery("SELECT id, v FROM events")) {
                    for (int i = 0; i < 700; i++) { // two fetches into the cursor
                        assertTrue(rs.next());
                        seen++;
                        idSum += rs.getLong(1);
                        mismatches += rs.getLong(1) == rs.getLong(2) ? 0 : 1;
                    }

                    assertEquals(ROWS_PER_DAY, w.executeUpdate("UPDATE events SET v = v + 1 WHERE ts >= '2026-11-02' "
                            + "AND ts < '2026-11-03'"));
                    assertEquals(ROWS_PER_DAY, w.executeUpdate("DELETE FROM events WHERE ts >= '2026-11-03' "
                            + "AND ts < '2026-11-04'"));
                    w.execute("ALTER TABLE events DROP PARTITION LIST '2026-11-04'");
                    try (ResultSet now = w.executeQuery("SELECT count(*), sum(v) FROM events")) {
                        assertTrue(now.next());
                        assertEquals(3L * ROWS_PER_DAY, now.getLong(1), "the writer sees the new state");
                    }
                    long purgePassesBefore = purgeRuns(w);
                    awaitPurgePasses(w, purgePassesBefore);
                    assertTrue(pendingVersions(w) >= 3, "superseded versions wait for the reader");
                    assertTrue(versions(tableDir).containsAll(versionsBefore),
                            "no version the cursor reads was purged: " + versions(tableDir));
                    w.execute("DROP TABLE events");
                    awaitPurgePasses(w, purgeRuns(w));
                    assertTrue(Files.isDirectory(tableDir), "the dropped table's directory waits for the reader");

                    while (rs.next()) {
                        seen++;
                        idSum += rs.getLong(1);
                        mismatches += rs.getLong(1) == rs.getLong(2) ? 0 : 1;
                    }
                }
            }
            reader.commit();
            long n = (long) DAYS * ROWS_PER_DAY;
            assertEquals(n, seen, "every row of the state the cursor started on");
            assertEquals(n * (n - 1) / 2, idSum, "every id once");
            assertEquals(0, mismatches, "the old values, none updated");

            await(() -> !Files.exists(tableDir) && pendingVersions(w) == 0,
                    "the purge deletes the table once the cursor is closed");
            assertFalse(Files.exists(tableDir));
        }
    }

    private static Path onlyTableDirectory(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("db"))) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            assertEquals(1, dirs.size(), dirs.toString());
            return dirs.get(0);
        }
    }

    private static Set<String> versions(Path tableDir) throws IOException {
        try (Stream<Path> s = Files.list(tableDir)) {
            Set<String> out = new TreeSet<>();
            s.filter(Files::isDirectory).forEach(p -> out.add(p.getFileName().toString()));
            return out;
        }
    }

    private static long purgeRuns(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT last_run_at FROM housekeeping_status() WHERE job = 'purge'")) {
            assertTrue(rs.next());
            Timestamp t = rs.getTimestamp(1);
            return t == null ? 0 : t.getTime() * 1000 + t.getNanos() / 1000 % 1000;
        }
    }

    /** Waits until the purge finished two passes after the one that ended at {@code after} (micros). */
    private static void awaitPurgePasses(Statement s, long after) throws Exception {
        long[] last = {after};
        int[] passes = {0};
        await(() -> {
            long t = purgeRuns(s);
            if (t != last[0]) {
                last[0] = t;
                passes[0]++;
            }
            return passes[0] >= 2;
        }, "two purge passes");
    }

    private static long pendingVersions(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pending_versions FROM housekeeping_status() WHERE job = 'purge'")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 20 s waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
