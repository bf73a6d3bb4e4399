package io.stillpoint.server.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancelling statements that have not sent a row yet, against a real server: pgjdbc's Statement.cancel() and
 * setQueryTimeout (both send a CancelRequest on a new socket), {@code SET statement_timeout}, and a CancelRequest
 * with a wrong secret, which must do nothing. The slow statement is an aggregate over 500,000 rows with a
 * deliberately expensive WHERE clause (about 10 s on a laptop when left alone).
 */
class CancelIT {

    static final int ROWS = 500_000;

    @TempDir
    static Path tmp;

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(tmp.resolve("root"));
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE big (ts TIMESTAMP, s VARCHAR, v LONG, d DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
            int n = 0;
            while (n < ROWS) {
                StringBuilder sql = new StringBuilder("INSERT INTO big VALUES ");
                for (int i = 0; i < 5000; i++, n++) {
                    if (i > 0) {
                        sql.append(',');
                    }
                    sql.append(String.format("('2026-11-%02d %02d:%02d:%02d', 'k%d', %d, %d.5)",
                            1 + n % 28, n % 24, n % 60, (n / 60) % 60, n % 100_000, n, n));
                }
                s.execute(sql.toString());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The slow statement: every row passes 1000 string comparisons before the GROUP BY. */
    static String slowQuery(int terms) {
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < terms; i++) {
            if (i > 0) {
                where.append(" AND ");
            }
            where.append("lower(s) <> 'zz").append(i).append('\'');
        }
        return "SELECT lower(s), count(*), max(v) FROM big WHERE " + where + " GROUP BY lower(s) ORDER BY 2 DESC, 1 LIMIT 3";
    }

    private static void assertConnectionWorks(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM big")) {
            assertTrue(rs.next());
            assertEquals(ROWS, rs.getLong(1));
        }
    }

    @Test
    void statementCancelStopsASlowAggregateBeforeItsFirstRow() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(800);
                    s.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(slowQuery(1000)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            canceller.get(10, TimeUnit.SECONDS);
            assertEquals("57014", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("canceling statement due to user request"), e.getMessage());
            assertTrue(millis < 6000, "cancel took effect only after " + millis + " ms");
            assertConnectionWorks(c);
        }
        assertTrue(server.awaitLog("sqlstate=57014"), server.log());
    }

    @Test
    void queryTimeoutCancels() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(slowQuery(1000)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("57014", e.getSQLState(), e.toString());
            assertTrue(millis < 6000, "timeout took effect only after " + millis + " ms");
            s.setQueryTimeout(0);
            assertConnectionWorks(c);
        }
    }

    @Test
    void statementTimeoutStopsTheStatementAndCanBeTurnedOff() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = '1s'");
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(slowQuery(1000)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("57014", e.getSQLState(), e.toString());
            assertTrue(e.getMessage().contains("canceling statement due to statement timeout"), e.getMessage());
            assertTrue(millis >= 900 && millis < 6000, "timed out after " + millis + " ms");
            assertConnectionWorks(c); // quick statements are not affected by the timeout

            s.execute("SET statement_timeout = 700"); // a bare number is milliseconds
            assertEquals("57014", assertThrows(SQLException.class, () -> s.executeQuery(slowQuery(1000))).getSQLState());

            SQLException bad = assertThrows(SQLException.class, () -> s.execute("SET statement_timeout = '2 parsecs'"));
            assertEquals("22023", bad.getSQLState(), bad.toString());

            s.execute("SET statement_timeout = 0");
            try (ResultSet rs = s.executeQuery(slowQuery(20))) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void aCancelRequestWithAWrongSecretDoesNothing() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            int pid = c.unwrap(PGConnection.class).getBackendPID();
            CompletableFuture<Void> wrong = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(300);
                    for (int secret : new int[] {0, 1, -1, 12345}) {
                        try (Socket socket = new Socket("127.0.0.1", server.port())) {
                            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                            out.writeInt(16);
                            out.writeInt(80877102);
                            out.writeInt(pid);
                            out.writeInt(secret);
                            out.flush();
                            socket.getInputStream().read(); // the server closes without answering
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (ResultSet rs = s.executeQuery(slowQuery(150))) { // about 1.5 s
                assertTrue(rs.next());
                assertEquals("k0", rs.getString(1).substring(0, 2));
            }
            wrong.get(10, TimeUnit.SECONDS);
            assertConnectionWorks(c);
        }
    }
}
