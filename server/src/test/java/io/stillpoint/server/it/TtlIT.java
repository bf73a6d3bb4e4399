package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TTL end to end on the real jar: a DAY-partitioned table created with {@code TTL 2 DAYS} from JDBC loses its
 * expired partitions to the housekeeping TTL job (run every 200 ms here), {@code housekeeping_status()} shows the
 * job's last run, a restart keeps the TTL, and {@code ALTER TABLE ... SET TTL 0} stops further drops.
 */
class TtlIT {

    @TempDir
    Path tmp;

    private static final int ROWS_PER_DAY = 10;

    @Test
    void expiredPartitionsAreDroppedUntilTheTtlIsRemoved() throws Exception {
        Path root = tmp.resolve("root");
        // One row per minute for ten minutes on each of five days ending now; the newest row is the reference.
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        LocalDateTime cutoff = now.minusDays(2);
        int kept = 0;
        Set<LocalDateTime> keptDays = new TreeSet<>();
        Set<LocalDateTime> allDays = new TreeSet<>();
        try (ServerProcess server = ServerProcess.start(root, "--housekeeping-interval", "200ms");
             Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE readings (ts TIMESTAMP, v INT) TIMESTAMP(ts) PARTITION BY DAY TTL 2 DAYS");
            assertEquals("2 DAYS", ttl(s));
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO readings VALUES (?, ?)")) {
                for (int day = 4; day >= 0; day--) {
                    for (int i = ROWS_PER_DAY - 1; i >= 0; i--) {
                        LocalDateTime ts = now.minusDays(day).minusMinutes(i);
                        insert.setObject(1, ts);
                        insert.setInt(2, day);
                        insert.addBatch();
                        LocalDateTime dayStart = ts.truncatedTo(ChronoUnit.DAYS);
                        allDays.add(dayStart);
                        // the job drops a partition whose whole day ends at or before reference - ttl
                        if (dayStart.plusDays(1).isAfter(cutoff)) {
                            kept++;
                            keptDays.add(dayStart);
                        }
                    }
                }
                insert.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            assertTrue(allDays.size() > keptDays.size(), "the data must span expired days: " + allDays);
            int expectedRows = kept;
            int expectedPartitions = keptDays.size();
            await("expired partitions dropped", () -> count(s) == expectedRows
                    && partitions(s) == expectedPartitions);
            assertEquals(expectedRows, count(s));
            assertEquals(expectedPartitions, partitions(s));
            try (ResultSet rs = s.executeQuery("SELECT min(v), max(v) FROM readings")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
                assertTrue(rs.getInt(2) >= 1 && rs.getInt(2) <= 2, "the newest days survive: " + rs.getInt(2));
            }
            assertNotNull(ttlJobLastRun(s), "housekeeping_status() shows the ttl job's last run");
        }

        try (ServerProcess server = ServerProcess.start(root, "--housekeeping-interval", "200ms");
             Connection c = server.connect(); Statement s = c.createStatement()) {
            assertEquals("2 DAYS", ttl(s), "a restart keeps the TTL");
            assertEquals(keptDays.size(), partitions(s));
            assertEquals(0, s.executeUpdate("ALTER TABLE readings SET TTL 0"));
            assertNull(ttl(s));
            // Ten days old: would have expired at once under the old TTL.
            LocalDateTime old = now.minusDays(10);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO readings VALUES (?, ?)")) {
                insert.setObject(1, old);
                insert.setInt(2, 10);
                assertEquals(1, insert.executeUpdate());
            }
            LocalDateTime inserted = LocalDateTime.now(ZoneOffset.UTC);
            // Two passes of the ttl job after the insert, then the old partition must still be there.
            await("two ttl job passes after the insert", () -> {
                LocalDateTime last = ttlJobLastRun(s);
                return last != null && last.isAfter(inserted.plusNanos(400_000_000));
            });
            assertEquals(keptDays.size() + 1, partitions(s));
            assertEquals(kept + 1, count(s));
        }

        try (ServerProcess server = ServerProcess.start(root, "--housekeeping-interval", "200ms");
             Connection c = server.connect(); Statement s = c.createStatement()) {
            assertNull(ttl(s), "the removal is durable too");
            assertEquals(kept + 1, count(s));
        }
    }

    /** Polls every 100 ms for up to 20 s. */
    private static void await(String what, SqlCondition condition) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 20 s waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    private interface SqlCondition {
        boolean holds() throws SQLException;
    }

    private static String ttl(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT ttl FROM tables() WHERE table_name = 'readings'")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM readings")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static int partitions(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT partition_count FROM tables() WHERE table_name = 'readings'")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    private static LocalDateTime ttlJobLastRun(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT last_run_at FROM housekeeping_status() WHERE job = 'ttl'")) {
            assertTrue(rs.next(), "housekeeping_status() has a ttl job");
            return rs.getObject(1, LocalDateTime.class);
        }
    }
}
