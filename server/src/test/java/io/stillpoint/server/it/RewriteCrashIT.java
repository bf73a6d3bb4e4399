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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments while UPDATEs (each rewriting every partition of the table in one commit), DELETEs and
 * UPDATEs that move rows to another partition stream: after every restart every row has the same generation (no
 * UPDATE is half there, across partitions), the generation is the last acknowledged one or the one in flight,
 * every acknowledged DELETE is there and no row is missing that no DELETE removed; the moved rows are all in
 * their old partition or all in their new one, none lost or doubled. Also: a cross-partition UPDATE acknowledged
 * to JDBC is there after kill -9 and after a clean restart.
 */
class RewriteCrashIT {

    private static final int ROUNDS = 12;
    private static final int ROWS = 400;
    // The moving table: MOVERS rows that hop together from hour to hour (hour = moves % HOURS, one UPDATE per
    // move, WHERE-pruned to the source hour), and one anchor row (k < 0, never matched) in each of the first
    // ANCHORED hours, so a move goes into an existing partition or (hours ANCHORED and up) creates one, and a move
    // out of an unanchored hour empties and drops its partition.
    private static final int MOVERS = 50;
    private static final int HOURS = 10;
    private static final int ANCHORED = 6;

    private static String hour(long moves) {
        return String.format("'2026-11-02 %02d:30:00'", moves % HOURS);
    }

    @TempDir
    Path tmp;

    @Test
    void updatesAndDeletesAreOldOrNewAfterKillNine() throws Exception {
        Path root = tmp.resolve("root");
        Random random = new Random(20261122L);
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cells (ts TIMESTAMP, k INT, gen LONG) TIMESTAMP(ts) PARTITION BY HOUR");
            StringBuilder sb = new StringBuilder("INSERT INTO cells VALUES ");
            for (int k = 0; k < ROWS; k++) {
                // 4 hourly partitions
                sb.append(k == 0 ? "" : ", ").append("('2026-11-01 0").append(k % 4).append(":")
                        .append(String.format("%02d", (k / 4) % 60)).append(":00', ").append(k).append(", 0)");
            }
            s.execute(sb.toString());
            // Update counts reach JDBC through the command tags.
            assertEquals(ROWS, s.executeUpdate("UPDATE cells SET gen = 0"));
            assertEquals(0, s.executeUpdate("DELETE FROM cells WHERE k < 0"));
            s.execute("CREATE TABLE moves (ts TIMESTAMP, k INT, gen LONG) TIMESTAMP(ts) PARTITION BY HOUR");
            sb = new StringBuilder("INSERT INTO moves VALUES ");
            for (int h = 0; h < ANCHORED; h++) {
                sb.append(String.format("('2026-11-02 %02d:30:00', %d, 0), ", h, -1 - h));
            }
            for (int k = 0; k < MOVERS; k++) {
                sb.append(k == 0 ? "" : ", ").append("(").append(hour(0)).append(", ").append(k).append(", 0)");
            }
            s.execute(sb.toString());
        }
        AtomicLong ackMoves = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> wrongCount = new java.util.concurrent.atomic.AtomicReference<>();
        AtomicLong ackGen = new AtomicLong();
        Set<Integer> ackDeleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger nextDelete = new AtomicInteger();
        AtomicInteger acks = new AtomicInteger();
        int totalAcks = 0;
        for (int round = 0; round < ROUNDS; round++) {
            ServerProcess server = ServerProcess.start(root);
            int before = acks.get();
            Thread writer = new Thread(() -> write(server, ackGen, ackDeleted, nextDelete, acks, ackMoves, wrongCount),
                    "writer");
            writer.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (acks.get() == before && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(200));
            server.kill();
            writer.join(60_000);
            assertTrue(!writer.isAlive(), "writer did not notice the crash");
            totalAcks = acks.get();

            try (ServerProcess restarted = ServerProcess.start(root)) {
                Set<Long> gens = new HashSet<>();
                Set<Integer> present = new TreeSet<>();
                try (Connection c = restarted.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT k, gen FROM cells")) {
                    while (rs.next()) {
                        present.add(rs.getInt(1));
                        gens.add(rs.getLong(2));
                    }
                }
                String where = "[round=" + round + ", ackGen=" + ackGen.get() + ", gens=" + gens + "]";
                assertTrue(gens.size() <= 1, "an update is partly present " + where);
                long gen = gens.isEmpty() ? ackGen.get() : gens.iterator().next();
                assertTrue(gen == ackGen.get() || gen == ackGen.get() + 1, "generation " + where);
                Set<Integer> missing = new TreeSet<>();
                for (int k = 0; k < ROWS; k++) {
                    if (!present.contains(k)) {
                        missing.add(k);
                    }
                }
                for (int k : ackDeleted) {
                    assertTrue(!present.contains(k), "acknowledged delete lost [k=" + k + "] " + where);
                }
                for (int k : missing) {
                    assertTrue(ackDeleted.contains(k) || k == nextDelete.get(), "row lost [k=" + k + "] " + where);
                }
                // The movers: all in one hour, that of the acknowledged moves or of the one in flight.
                long moves = checkMoves(restarted, ackMoves.get(), where);
                // Continue from what the database holds (the operation in flight may or may not have committed).
                ackMoves.set(moves);
                ackGen.set(gen);
                ackDeleted.addAll(missing);
                nextDelete.set(missing.isEmpty() ? nextDelete.get() : Math.max(nextDelete.get(),
                        ((TreeSet<Integer>) missing).last() + 1));
                assertEquals(0, restarted.stop(), restarted.log());
            }
        }
        assertTrue(totalAcks > ROUNDS, "too few statements were acknowledged: " + totalAcks);
        assertEquals(null, wrongCount.get());
        assertTrue(ackMoves.get() >= HOURS, "too few moves were acknowledged: " + ackMoves.get());
    }

    /**
     * Checks the moving table after a restart: every mover once, all in the hour of {@code ackMoves} or of the move
     * in flight (gen = number of moves), every anchor in place. Returns the number of moves the table holds.
     */
    private static long checkMoves(ServerProcess server, long ackMoves, String where) throws SQLException {
        Set<String> hours = new HashSet<>();
        Set<Long> gens = new HashSet<>();
        Set<Integer> movers = new HashSet<>();
        int moverRows = 0;
        List<String> anchors = new ArrayList<>();
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ts, k, gen FROM moves")) {
            while (rs.next()) {
                String ts = text(rs);
                int k = rs.getInt(2);
                if (k < 0) {
                    anchors.add(k + "@" + ts + "#" + rs.getLong(3));
                    continue;
                }
                moverRows++;
                movers.add(k);
                hours.add(ts);
                gens.add(rs.getLong(3));
            }
        }
        where = where + "[ackMoves=" + ackMoves + ", hours=" + hours + ", moveGens=" + gens + "]";
        assertEquals(MOVERS, moverRows, "movers lost or doubled " + where);
        assertEquals(MOVERS, movers.size(), "movers lost or doubled " + where);
        assertEquals(1, gens.size(), "a move is partly present " + where);
        long moves = gens.iterator().next();
        assertTrue(moves == ackMoves || moves == ackMoves + 1, "moves " + where);
        assertEquals(Set.of(hour(moves).replace("'", "")), hours, "movers not in the hour of their move " + where);
        List<String> expected = new ArrayList<>();
        for (int h = ANCHORED - 1; h >= 0; h--) {
            expected.add(0, (-1 - h) + "@" + String.format("2026-11-02 %02d:30:00", h) + "#0");
        }
        anchors.sort(null);
        expected.sort(null);
        assertEquals(expected, anchors, "anchors " + where);
        return moves;
    }

    @Test
    void aCrossPartitionUpdateFromJdbcIsThereAfterKillNineAndAfterARestart() throws Exception {
        Path root = tmp.resolve("visible");
        List<String> expected = List.of("2026-10-31 23:00:00|1|x", "2026-11-01 10:00:00|2|b",
                "2026-11-01 10:00:00|3|c", "2026-11-05 08:00:00|4|a", "2026-11-05 08:00:00|5|a");
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE v (ts TIMESTAMP, k INT, s VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
            s.execute("INSERT INTO v VALUES ('2026-11-01 09:00:00', 1, 'a'), ('2026-11-01 10:00:00', 2, 'b'), "
                    + "('2026-11-02 10:00:00', 3, 'c'), ('2026-11-03 10:00:00', 4, 'a'), ('2026-11-04 10:00:00', 5, 'a')");
            // Three partitions' rows into a new one (two emptied partitions disappear), then one row back into an
            // existing one and one into a new, earlier day, through a prepared statement.
            assertEquals(3, s.executeUpdate("UPDATE v SET ts = '2026-11-05 08:00:00' WHERE s = 'a'"));
            try (PreparedStatement ps = c.prepareStatement("UPDATE v SET ts = ?, s = ? WHERE k = ?")) {
                ps.setObject(1, LocalDateTime.parse("2026-11-01T10:00:00"));
                ps.setString(2, "c");
                ps.setInt(3, 3);
                assertEquals(1, ps.executeUpdate());
                ps.setObject(1, LocalDateTime.parse("2026-10-31T23:00:00"));
                ps.setString(2, "x");
                ps.setInt(3, 1);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(expected, contents(s));
            server.kill(); // acknowledged, so durable
        }
        try (ServerProcess server = ServerProcess.start(root)) {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                assertEquals(expected, contents(s), "after kill -9");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM v WHERE ts >= '2026-11-05' AND ts < '2026-11-06'")) {
                    assertTrue(rs.next());
                    assertEquals(2, rs.getLong(1), "a SELECT pruned by the new timestamps finds the moved rows");
                }
            }
            assertEquals(0, server.stop(), server.log());
        }
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect();
             Statement s = c.createStatement()) {
            assertEquals(expected, contents(s), "after a clean restart");
        }
    }

    /** Column 1, a timestamp, as {@code yyyy-MM-dd HH:mm:ss}. */
    private static String text(ResultSet rs) throws SQLException {
        return rs.getObject(1, LocalDateTime.class).format(java.time.format.DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm:ss"));
    }

    private static List<String> contents(Statement s) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT ts, k, s FROM v")) {
            while (rs.next()) {
                out.add(text(rs) + "|" + rs.getInt(2) + "|" + rs.getString(3));
            }
        }
        return out;
    }

    /**
     * UPDATE, UPDATE, UPDATE, DELETE, move, ... until the server goes away; records what was acknowledged (a move's
     * update count that is not MOVERS goes to {@code wrongCount}).
     */
    private static void write(ServerProcess server, AtomicLong ackGen, Set<Integer> ackDeleted,
                              AtomicInteger nextDelete, AtomicInteger acks, AtomicLong ackMoves,
                              java.util.concurrent.atomic.AtomicReference<String> wrongCount) {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            for (int op = 0; ; op++) {
                if (op % 5 == 4) {
                    long from = ackMoves.get();
                    String source = hour(from).replace(":30:00", ":00:00");
                    int n = s.executeUpdate("UPDATE moves SET ts = " + hour(from + 1) + ", gen = gen + 1 WHERE ts >= "
                            + source + " AND ts <= " + source.replace(":00:00'", ":59:59'") + " AND k >= 0");
                    ackMoves.incrementAndGet();
                    if (n != MOVERS) {
                        wrongCount.compareAndSet(null, "move " + from + " updated " + n + " rows");
                    }
                } else if (op % 5 == 3) {
                    int k = nextDelete.get();
                    s.executeUpdate("DELETE FROM cells WHERE k = " + k);
                    ackDeleted.add(k);
                    nextDelete.incrementAndGet();
                } else {
                    s.executeUpdate("UPDATE cells SET gen = gen + 1");
                    ackGen.incrementAndGet();
                }
                acks.incrementAndGet();
            }
        } catch (SQLException expected) {
            // the server was killed
        }
    }
}
