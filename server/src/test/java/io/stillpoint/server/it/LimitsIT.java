package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-connections} (53300 for the one too many, the others unaffected), more connections than I/O event
 * loops (some alone on a loop run their INSERT batches there, the rest share a loop and use the worker), and
 * {@code --idle-session-timeout}.
 */
class LimitsIT {

    @TempDir
    Path tmp;

    private static int one(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    @Test
    void theConnectionOverTheLimitIsRefusedAndTheOthersGoOn() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"), "--max-connections", "3")) {
            List<Connection> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    open.add(server.connect());
                }
                for (int attempt = 0; attempt < 2; attempt++) {
                    SQLException e = assertThrows(SQLException.class, server::connect);
                    assertEquals("53300", e.getSQLState(), e.toString());
                    assertTrue(e.getMessage().contains("too many connections [limit=3]"), e.getMessage());
                }
                for (Connection c : open) {
                    assertEquals(1, one(c));
                }
                open.remove(0).close();
                // The slot is free again once the server has seen the close.
                Connection again = null;
                for (int i = 0; i < 50 && again == null; i++) {
                    try {
                        again = server.connect();
                    } catch (SQLException e) {
                        assertEquals("53300", e.getSQLState(), e.toString());
                        Thread.sleep(100);
                    }
                }
                assertTrue(again != null, "no slot after a close");
                open.add(again);
                assertEquals(1, one(again));
            } finally {
                for (Connection c : open) {
                    c.close();
                }
            }
            assertTrue(server.awaitLog("sqlstate=53300"), server.log());
        }
    }

    @Test
    void moreConnectionsThanIoLoopsInsertBatchesAtOnceAndEveryRowArrives() throws Exception {
        int connections = 70; // the server makes 64 I/O loops at most: six of them serve two connections each
        int batches = 5;
        int rowsPerBatch = 100;
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"), "--max-connections", "80")) {
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (ts TIMESTAMP, id BIGINT) TIMESTAMP(ts) PARTITION BY DAY");
            }
            List<Connection> open = new ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(connections);
            try {
                for (int i = 0; i < connections; i++) {
                    open.add(server.connect());
                }
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Long>> results = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    Connection c = open.get(i);
                    long first = (long) i * batches * rowsPerBatch;
                    boolean reader = i % 10 == 0;
                    results.add(pool.submit(() -> {
                        go.await();
                        long seen = 0;
                        try (java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, ?)");
                             Statement query = c.createStatement()) {
                            for (int b = 0; b < batches; b++) {
                                for (int r = 0; r < rowsPerBatch; r++) {
                                    long id = first + (long) b * rowsPerBatch + r;
                                    insert.setTimestamp(1, new java.sql.Timestamp(1_790_000_000_000L + id * 1000));
                                    insert.setLong(2, id);
                                    insert.addBatch();
                                }
                                for (int count : insert.executeBatch()) {
                                    assertEquals(1, count);
                                }
                                if (reader) { // a query streaming rows on the worker between the batches
                                    try (ResultSet rs = query.executeQuery("SELECT id FROM t")) {
                                        while (rs.next()) {
                                            seen++;
                                        }
                                    }
                                }
                            }
                        }
                        return seen;
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<Long> f : results) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                }
                long total = (long) connections * batches * rowsPerBatch;
                try (Statement s = open.get(0).createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*), sum(id), min(id), max(id) FROM t")) {
                    assertTrue(rs.next());
                    assertEquals(total, rs.getLong(1));
                    assertEquals(total * (total - 1) / 2, rs.getLong(2));
                    assertEquals(0, rs.getLong(3));
                    assertEquals(total - 1, rs.getLong(4));
                }
            } finally {
                pool.shutdownNow();
                for (Connection c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anIdleSessionIsClosedButNotOneInATransactionNorABusyOne() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"), "--idle-session-timeout", "1s")) {
            try (Connection idle = server.connect(); Connection inTransaction = server.connect();
                 Connection busy = server.connect()) {
                try (Statement s = inTransaction.createStatement()) {
                    s.execute("CREATE TABLE t (ts TIMESTAMP, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
                }
                inTransaction.setAutoCommit(false);
                try (Statement s = inTransaction.createStatement()) {
                    s.execute("INSERT INTO t VALUES ('2026-11-01T00:00:00', 1)");
                }
                assertEquals(1, one(idle));
                long end = System.currentTimeMillis() + 2500;
                while (System.currentTimeMillis() < end) {
                    assertEquals(1, one(busy)); // activity every 200 ms keeps it open
                    Thread.sleep(200);
                }
                SQLException e = assertThrows(SQLException.class, () -> one(idle));
                // The FATAL arrived while the driver was not reading; it reports it or the closed socket.
                assertTrue(e.getSQLState().equals("57P05") || e.getSQLState().startsWith("08"), e.toString());
                assertTrue(server.awaitLog("sqlstate=57P05"), server.log());
                assertTrue(server.awaitLog("idle-session timeout"), server.log());

                try (Statement s = inTransaction.createStatement()) {
                    s.execute("INSERT INTO t VALUES ('2026-11-02T00:00:00', 2)");
                }
                inTransaction.commit();
                try (Statement s = busy.createStatement(); ResultSet rs = s.executeQuery("SELECT sum(v) FROM t")) {
                    assertTrue(rs.next());
                    assertEquals(3, rs.getLong(1));
                }
            }
        }
    }
}
