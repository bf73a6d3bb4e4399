package io.stillpoint.server.pgwire;

import io.stillpoint.server.exec.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real PgServer on an ephemeral port, driven by pgjdbc (and psql when installed), over the fake engine. */
class PgServerJdbcTest {
    private static final FakeQueryEngine ENGINE = new FakeQueryEngine();
    private static PgServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        server = new PgServer(new PgServerConfig("127.0.0.1", 0, PgServerConfig.DEFAULT_MAX_FRAME_LENGTH,
                AuthMethod.SCRAM_SHA_256, List.of(new UserAccount("alice", "s3cret", Role.ADMIN))), ENGINE);
        server.start();
        url = "jdbc:postgresql://127.0.0.1:" + server.boundAddress().getPort() + "/stillpoint";
    }

    @AfterAll
    static void stop() {
        server.close();
        server.close(); // idempotent
        assertEquals(0, ENGINE.openSessions.get(), "every session closed by close()");
    }

    @BeforeEach
    void clearTable() {
        ENGINE.table.clear();
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "s3cret");
        return DriverManager.getConnection(url, p);
    }

    @Test
    void connectsWithScramAndRunsSimpleQueries() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 41")) {
                assertTrue(rs.next());
                assertEquals(41, rs.getInt(1));
                assertFalse(rs.next());
            }
            assertTrue(c.isValid(2));
            assertEquals(1, s.executeUpdate("insert into t values (1, 'one')"));
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("select boom"));
            assertEquals("42703", e.getSQLState());
            try (ResultSet rs = s.executeQuery("select * from t")) {
                assertTrue(rs.next());
                assertEquals(1L, rs.getLong(1));
                assertEquals("one", rs.getString(2));
            }
        }
    }

    @Test
    void wrongPasswordAndUnknownUserAreRefused() {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "nope");
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, p));
        assertEquals("28P01", e.getSQLState());
        p.setProperty("user", "bob");
        e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, p));
        assertEquals("28P01", e.getSQLState());
        assertTrue(e.getMessage().contains("password authentication failed [user=bob]"), e.getMessage());
    }

    @Test
    void preparedStatementsPastThePrepareThresholdUseBinaryParametersAndResults() throws Exception {
        try (Connection c = connect();
             PreparedStatement echo = c.prepareStatement("select ?, ?, ?, ?, ?");
             PreparedStatement typed = c.prepareStatement("select * from typed")) {
            for (int i = 0; i < 12; i++) {
                echo.setInt(1, -i);
                echo.setLong(2, 1L << 40 | i);
                echo.setBigDecimal(3, new BigDecimal("-1234.5678").add(BigDecimal.valueOf(i)));
                echo.setString(4, "ü" + i);
                echo.setDouble(5, 0.1 * i);
                try (ResultSet rs = echo.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(-i, rs.getInt(1));
                    assertEquals(1L << 40 | i, rs.getLong(2));
                    assertEquals(new BigDecimal("-1234.5678").add(BigDecimal.valueOf(i)), rs.getBigDecimal(3));
                    assertEquals("ü" + i, rs.getString(4));
                    assertEquals(0.1 * i, rs.getDouble(5));
                }
                try (ResultSet rs = typed.executeQuery()) {
                    assertTrue(rs.next(), "execution " + i);
                    assertTrue(rs.getBoolean("b"));
                    assertEquals(-2, rs.getShort("i2"));
                    assertEquals(42, rs.getInt("i4"));
                    assertEquals(1L << 40, rs.getLong("i8"));
                    assertEquals(1.5f, rs.getFloat("f4"));
                    assertEquals(1e20, rs.getDouble("f8"));
                    assertEquals(new BigDecimal("-12.3400"), rs.getBigDecimal("n"));
                    assertEquals("text ü", rs.getString("t"));
                    assertEquals("varchar", rs.getString("v"));
                    assertEquals(LocalDateTime.of(2026, 11, 21, 10, 0, 0, 123_456_000), rs.getObject("ts", LocalDateTime.class));
                    assertFalse(rs.next());
                }
            }
        }
    }

    @Test
    void executeBatchInATransactionInsertsEveryRow() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("insert into t values (?, ?)")) {
                for (int i = 0; i < 1000; i++) {
                    ins.setLong(1, i);
                    ins.setString(2, "row" + i);
                    ins.addBatch();
                }
                int[] counts = ins.executeBatch();
                assertEquals(1000, counts.length);
                assertEquals(1, counts[999]);
            }
            assertEquals(0, ENGINE.table.size(), "not visible before commit");
            c.commit();
            assertEquals(1000, ENGINE.table.size());
            assertEquals(999L, ENGINE.table.get(999)[0]);

            try (PreparedStatement ins = c.prepareStatement("insert into t values (?, ?)")) {
                ins.setLong(1, 5000);
                ins.setString(2, "rolled back");
                ins.executeUpdate();
            }
            c.rollback();
            assertEquals(1000, ENGINE.table.size());
        }
    }

    @Test
    void fetchSizeInATransactionStreamsThroughPortalSuspended() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("select * from series(95)")) {
                s.setFetchSize(10);
                long sum = 0;
                int count = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        sum += rs.getLong(1);
                        count++;
                    }
                }
                assertEquals(95, count);
                assertEquals(95 * 96 / 2, sum);
            }
            c.commit();
        }
    }

    @Test
    void aBrokenConnectionDoesNotDisturbTheServerOrOthers() throws Exception {
        try (Connection c = connect()) {
            try (Socket garbage = new Socket()) {
                garbage.connect(new InetSocketAddress("127.0.0.1", server.boundAddress().getPort()));
                garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = garbage.getInputStream().readAllBytes(); // the server answers and closes
                assertEquals('E', reply[0]);
                assertTrue(new String(reply, StandardCharsets.UTF_8).contains("08P01"));
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 3")) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1));
            }
        }
    }

    /** A statement streaming an endless result blocks only its own connection, and a CancelRequest stops it. */
    @Test
    void longStatementDoesNotStallOthersAndCancelStopsIt() throws Exception {
        ENGINE.slowStarted = new java.util.concurrent.CountDownLatch(1);
        try (Connection slow = connect(); Connection other = connect(); Statement slowStatement = slow.createStatement()) {
            java.util.concurrent.CompletableFuture<SQLException> outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (ResultSet rs = slowStatement.executeQuery("select * from slow")) {
                    while (rs.next()) {
                        // drain
                    }
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            assertTrue(ENGINE.slowStarted.await(30, TimeUnit.SECONDS));
            try (Statement s = other.createStatement(); ResultSet rs = s.executeQuery("select 9")) {
                assertTrue(rs.next());
                assertEquals(9, rs.getInt(1));
            }
            assertFalse(outcome.isDone());
            slowStatement.cancel();
            SQLException e = outcome.get(30, TimeUnit.SECONDS);
            assertEquals("57014", e.getSQLState());
            try (Statement s = slow.createStatement(); ResultSet rs = s.executeQuery("select 4")) {
                assertTrue(rs.next(), "the cancelled connection is still usable");
            }
        }
    }

    /** A client that vanishes in the middle of a result: the cursor and the session are released. */
    @Test
    void vanishingClientReleasesCursorAndSession() throws Exception {
        ENGINE.slowStarted = new java.util.concurrent.CountDownLatch(1);
        int sessionsBefore = ENGINE.openSessions.get();
        int cursorsBefore = ENGINE.openCursors.get();
        Connection c = connect();
        java.util.concurrent.CompletableFuture<Void> running = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select * from slow")) {
                while (rs.next()) {
                    // drain
                }
            } catch (SQLException expected) {
                // the connection is aborted under it
            }
        });
        assertTrue(ENGINE.slowStarted.await(30, TimeUnit.SECONDS));
        c.abort(Runnable::run);
        running.get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((ENGINE.openSessions.get() > sessionsBefore || ENGINE.openCursors.get() > cursorsBefore)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(sessionsBefore, ENGINE.openSessions.get());
        assertEquals(cursorsBefore, ENGINE.openCursors.get());
    }

    /** close() ends every connection; a session with an open transaction is closed (rolled back). */
    @Test
    void closingTheServerClosesSessionsWithOpenTransactions() throws Exception {
        FakeQueryEngine engine = new FakeQueryEngine();
        PgServer own = new PgServer(new PgServerConfig("127.0.0.1", 0, PgServerConfig.DEFAULT_MAX_FRAME_LENGTH,
                AuthMethod.CLEARTEXT, List.of(new UserAccount("alice", "s3cret", Role.ADMIN))), engine);
        own.start();
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "s3cret");
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + own.boundAddress().getPort() + "/x", p)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into t values (1, 'never')");
            }
            assertEquals(1, engine.openSessions.get());
            own.close();
            assertEquals(0, engine.openSessions.get());
            assertEquals(0, engine.table.size());
            assertThrows(SQLException.class, () -> c.createStatement().executeQuery("select 1"));
        }
        own.close();
        PgServer again = new PgServer(new PgServerConfig("127.0.0.1", own.boundAddress().getPort(), 1 << 20,
                AuthMethod.CLEARTEXT, List.of()), engine);
        again.start(); // the port is free again
        again.close();
    }

    @Test
    void bindingATakenPortFailsWithTheBindException() throws Exception {
        PgServer second = new PgServer(new PgServerConfig("127.0.0.1", server.boundAddress().getPort(), 1 << 20,
                AuthMethod.CLEARTEXT, List.of()), ENGINE);
        Exception e = assertThrows(Exception.class, second::start);
        assertTrue(e instanceof java.net.BindException, e.toString());
        second.close();
    }

    /** A client that stops reading a large result: the server stops producing rows instead of buffering them all. */
    @Test
    void aClientThatDoesNotReadStallsItsResultInsteadOfFillingMemory() throws Exception {
        long total = 1_000_000; // about 18 MB of DataRows: more than the socket buffers and Netty's high-water mark
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.boundAddress().getPort()));
            java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            rawCleartextOrScramLogin(out, in);
            long before = ENGINE.seriesRowsProduced.get();
            byte[] sql = ("select * from series(" + total + ")\0").getBytes(StandardCharsets.UTF_8);
            out.writeByte('Q');
            out.writeInt(4 + sql.length);
            out.write(sql);
            out.flush();
            // Wait until production stops growing while we do not read.
            long last = -1;
            long produced = ENGINE.seriesRowsProduced.get() - before;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (produced != last && System.nanoTime() < deadline) {
                last = produced;
                Thread.sleep(300);
                produced = ENGINE.seriesRowsProduced.get() - before;
            }
            assertTrue(produced < total, "the server produced every row although nobody read them: " + produced);
            // Now read everything: all rows arrive, in order, then CommandComplete and ReadyForQuery.
            long rows = 0;
            while (true) {
                int type = in.read();
                int len = in.readInt();
                byte[] body = in.readNBytes(len - 4);
                if (type == 'D') {
                    rows++;
                } else if (type == 'C') {
                    assertEquals("SELECT " + total + "\0", new String(body, StandardCharsets.UTF_8));
                } else if (type == 'Z') {
                    break;
                }
            }
            assertEquals(total, rows);
        }
    }

    /** The SCRAM exchange by hand over a socket (the client side as in PgProtocolTest), up to ReadyForQuery. */
    private static void rawCleartextOrScramLogin(java.io.DataOutputStream out, java.io.DataInputStream in) throws Exception {
        byte[] startup = Wire.startup(java.util.Map.of("user", "alice", "database", "x"));
        out.write(startup);
        out.flush();
        readMessage(in); // AuthenticationSASL
        String clientFirstBare = "n=*,r=abcdefghijklmnop";
        out.write(Wire.saslInitial("SCRAM-SHA-256", "n,," + clientFirstBare));
        out.flush();
        byte[] cont = readMessage(in);
        String serverFirst = new String(cont, 4, cont.length - 4, StandardCharsets.US_ASCII);
        java.util.Map<String, String> attrs = new java.util.HashMap<>();
        for (String a : serverFirst.split(",")) {
            attrs.put(a.substring(0, 1), a.substring(2));
        }
        byte[] salted = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
                new javax.crypto.spec.PBEKeySpec("s3cret".toCharArray(), java.util.Base64.getDecoder().decode(attrs.get("s")),
                        Integer.parseInt(attrs.get("i")), 256)).getEncoded();
        byte[] clientKey = ScramSha256.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramSha256.sha256(clientKey);
        String withoutProof = "c=biws,r=" + attrs.get("r");
        byte[] signature = ScramSha256.hmac(storedKey,
                (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8));
        byte[] proof = new byte[32];
        for (int i = 0; i < 32; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        out.write(Wire.saslResponse(withoutProof + ",p=" + java.util.Base64.getEncoder().encodeToString(proof)));
        out.flush();
        while (true) {
            int type = in.read();
            int len = in.readInt();
            in.readNBytes(len - 4);
            assertTrue(type != 'E', "login failed");
            if (type == 'Z') {
                return;
            }
        }
    }

    private static byte[] readMessage(java.io.DataInputStream in) throws java.io.IOException {
        in.read();
        int len = in.readInt();
        return in.readNBytes(len - 4);
    }

    @Test
    void psqlRunsASimpleQuery() throws Exception {
        String psql = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "psql");
            if (f.canExecute()) {
                psql = f.getPath();
                break;
            }
        }
        Assumptions.assumeTrue(psql != null, "psql is not installed: skipping the psql check");
        ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-h", "127.0.0.1", "-p",
                Integer.toString(server.boundAddress().getPort()), "-U", "alice", "-d", "stillpoint",
                "-c", "select 1");
        pb.environment().put("PGPASSWORD", "s3cret");
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("(1 row)"), text);
        assertArrayEquals(new String[] {"?column?", "1"},
                text.lines().map(String::strip).filter(l -> l.equals("?column?") || l.equals("1")).toArray());
    }
}
