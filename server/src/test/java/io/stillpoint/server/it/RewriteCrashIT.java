package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments while UPDATEs (each rewriting every partition of the table in one commit) and DELETEs
 * stream: after every restart every row has the same generation (no UPDATE is half there, across partitions),
 * the generation is the last acknowledged one or the one in flight, every acknowledged DELETE is there and no
 * row is missing that no DELETE removed.
 */
class RewriteCrashIT {

    private static final int ROUNDS = 12;
    private static final int ROWS = 400;

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
        }
        AtomicLong ackGen = new AtomicLong();
        Set<Integer> ackDeleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger nextDelete = new AtomicInteger();
        AtomicInteger acks = new AtomicInteger();
        int totalAcks = 0;
        for (int round = 0; round < ROUNDS; round++) {
            ServerProcess server = ServerProcess.start(root);
            int before = acks.get();
            Thread writer = new Thread(() -> write(server, ackGen, ackDeleted, nextDelete, acks), "writer");
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
                // Continue from what the database holds (the operation in flight may or may not have committed).
                ackGen.set(gen);
                ackDeleted.addAll(missing);
                nextDelete.set(missing.isEmpty() ? nextDelete.get() : Math.max(nextDelete.get(),
                        ((TreeSet<Integer>) missing).last() + 1));
                assertEquals(0, restarted.stop(), restarted.log());
            }
        }
        assertTrue(totalAcks > ROUNDS, "too few statements were acknowledged: " + totalAcks);
    }

    /** UPDATE, UPDATE, UPDATE, DELETE, ... until the server goes away; records what was acknowledged. */
    private static void write(ServerProcess server, AtomicLong ackGen, Set<Integer> ackDeleted,
                              AtomicInteger nextDelete, AtomicInteger acks) {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            for (int op = 0; ; op++) {
                if (op % 4 == 3) {
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
