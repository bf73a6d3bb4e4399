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

/** {@code --max-connections} (53300 for the one too many, the others unaffected) and {@code --idle-session-timeout}. */
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
