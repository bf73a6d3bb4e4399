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
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments while a writer commits numbered batches: after every restart each acknowledged
 * batch is present in full, and no batch is present in part.
 */
class CrashIT {

    private static final int ROUNDS = 20;
    private static final int ROWS_PER_BATCH = 40;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedBatchesSurviveKillNineAndNoBatchIsHalfThere() throws Exception {
        Path root = tmp.resolve("root");
        Random random = new Random(20261122L);
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong nextBatch = new AtomicLong();

        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE batches (ts TIMESTAMP, batch LONG, seq INT, payload VARCHAR)"
                    + " TIMESTAMP(ts) PARTITION BY HOUR");
        }

        for (int round = 0; round < ROUNDS; round++) {
            ServerProcess server = ServerProcess.start(root);
            int acknowledgedBefore = acknowledged.size();
            Thread writer = new Thread(() -> writeBatches(server, nextBatch, acknowledged), "writer");
            writer.start();
            // Kill while commits stream: after this round's first acknowledgement, at a random moment.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (acknowledged.size() == acknowledgedBefore && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(300));
            server.kill();
            writer.join(60_000);
            assertTrue(!writer.isAlive(), "writer did not notice the crash");

            try (ServerProcess restarted = ServerProcess.start(root)) {
                Map<Long, Long> rowsPerBatch = rowsPerBatch(restarted);
                for (long batch : acknowledged) {
                    assertEquals(ROWS_PER_BATCH, rowsPerBatch.getOrDefault(batch, 0L),
                            "acknowledged batch " + batch + " is not complete after round " + round);
                }
                for (Map.Entry<Long, Long> e : rowsPerBatch.entrySet()) {
                    assertEquals(ROWS_PER_BATCH, e.getValue(), "batch " + e.getKey() + " is partly present");
                }
                assertTrue(rowsPerBatch.size() >= acknowledged.size());
                assertEquals(0, restarted.stop(), restarted.log());
            }
        }
        assertTrue(acknowledged.size() > ROUNDS, "too few batches were written: " + acknowledged.size());
    }

    /** Commits batch after batch until the server goes away; records each batch whose COMMIT returned. */
    private static void writeBatches(ServerProcess server, AtomicLong nextBatch, Set<Long> acknowledged) {
        try (Connection c = server.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batches VALUES (?, ?, ?, ?)")) {
                while (true) {
                    long batch = nextBatch.getAndIncrement();
                    for (int seq = 0; seq < ROWS_PER_BATCH; seq++) {
                        // Batches spread over several hourly partitions so commits touch more than one.
                        ps.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00")
                                .plusMinutes(batch * 7 + seq * 3L));
                        ps.setLong(2, batch);
                        ps.setInt(3, seq);
                        ps.setString(4, "batch " + batch + " row " + seq);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                    acknowledged.add(batch);
                }
            }
        } catch (SQLException expected) {
            // the server was killed
        }
    }

    private static Map<Long, Long> rowsPerBatch(ServerProcess server) throws SQLException {
        Map<Long, Long> counts = new HashMap<>();
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT batch, count(*) FROM batches GROUP BY batch")) {
            while (rs.next()) {
                counts.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return counts;
    }
}
