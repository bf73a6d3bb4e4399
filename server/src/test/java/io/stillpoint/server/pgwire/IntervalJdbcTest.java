package io.stillpoint.server.pgwire;

import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PGInterval;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interval results and parameters through pgjdbc against a real server and engine: the text form (IntervalStyle
 * postgres) reads back as {@link PGInterval} and as PostgreSQL's text; the binary form (Int64 micros, Int32 days,
 * Int32 months) carries the same value (pgjdbc 42.7 cannot turn binary intervals into a PGInterval itself, its
 * PGInterval is no PGBinaryObject and it never asks for them by default, so the raw bytes are decoded here);
 * the column says interval, NULL stays NULL, and a {@link PGInterval} parameter is accepted.
 */
class IntervalJdbcTest {
    @TempDir
    Path dir;
    private TableEngine engine;
    private PgServer server;
    private String url;

    @BeforeEach
    void start() throws Exception {
        engine = TableEngine.open(EngineConfig.of(dir));
        server = new PgServer(new PgServerConfig("127.0.0.1", 0, PgServerConfig.DEFAULT_MAX_FRAME_LENGTH,
                AuthMethod.SCRAM_SHA_256, List.of(new UserAccount("alice", "s3cret", Role.ADMIN))),
                new SqlExecutor(engine));
        server.start();
        url = "jdbc:postgresql://127.0.0.1:" + server.boundAddress().getPort() + "/stillpoint";
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    /** prepareThreshold 0: results in text; -1 with interval among the binary types: results in binary. */
    private Connection connect(boolean binary) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", "s3cret");
        p.setProperty("prepareThreshold", binary ? "-1" : "0");
        if (binary) {
            p.setProperty("binaryTransferEnable", "1186");
        }
        return DriverManager.getConnection(url, p);
    }

    /** The interval a column holds: pgjdbc's own decoding of text results, the wire's binary layout otherwise. */
    private static PGInterval interval(ResultSet rs, int column, boolean binary) throws SQLException {
        if (!binary) {
            return (PGInterval) rs.getObject(column);
        }
        byte[] b = rs.getBytes(column);
        if (b == null) {
            return null;
        }
        assertEquals(16, b.length);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
        long micros = buf.getLong();
        int days = buf.getInt();
        int months = buf.getInt();
        return new PGInterval(months / 12, months % 12, days, (int) (micros / 3_600_000_000L),
                (int) (micros / 60_000_000L % 60), micros % 60_000_000L / 1e6);
    }

    @Test
    void intervalColumnsRoundTripInTextAndBinary() throws Exception {
        try (Connection c = connect(false); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ev (ts TIMESTAMP, id INT) TIMESTAMP(ts) PARTITION BY DAY");
            s.execute("INSERT INTO ev VALUES ('2026-01-01 00:00', 1), ('2026-01-02 03:00', 2), "
                    + "('2026-02-28 12:00:00.5', 3)");
        }
        String sql = "SELECT id, ts - TIMESTAMP '2026-01-01 12:00' AS age, interval '1 year 2 mons' * id AS span, "
                + "ts + interval '1 mon' AS later, CAST(NULL AS INTERVAL) AS nothing FROM ev ORDER BY id";
        PGInterval[] ages = {new PGInterval(0, 0, 0, -12, 0, 0), new PGInterval(0, 0, 0, 15, 0, 0),
                new PGInterval(0, 0, 58, 0, 0, 0.5)};
        String[] ageTexts = {"-12:00:00", "15:00:00", "58 days 00:00:00.5"};
        String[] laterTexts = {"2026-02-01 00:00:00", "2026-02-02 03:00:00", "2026-03-28 12:00:00.5"};
        for (boolean binary : new boolean[] {false, true}) {
            try (Connection c = connect(binary); PreparedStatement ps = c.prepareStatement(sql)) {
                for (int round = 0; round < 2; round++) {
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        assertEquals("interval", md.getColumnTypeName(2));
                        assertEquals("interval", md.getColumnTypeName(3));
                        for (int i = 0; i < 3; i++) {
                            String where = "binary=" + binary + " row " + i;
                            assertTrue(rs.next(), where);
                            assertEquals(ages[i], interval(rs, 2, binary), where);
                            if (!binary) {
                                assertEquals(ageTexts[i], rs.getString(2), where);
                            }
                            int months = 14 * (i + 1);
                            assertEquals(new PGInterval(months / 12, months % 12, 0, 0, 0, 0), interval(rs, 3, binary),
                                    where);
                            assertEquals(LocalDateTime.parse(laterTexts[i].replace(' ', 'T')),
                                    rs.getObject(4, LocalDateTime.class), where);
                            assertNull(interval(rs, 5, binary), where);
                        }
                        assertFalse(rs.next());
                    }
                }
            }
        }
    }

    @Test
    void intervalParametersAreAccepted() throws Exception {
        for (boolean binary : new boolean[] {false, true}) {
            try (Connection c = connect(binary);
                 PreparedStatement ps = c.prepareStatement("SELECT TIMESTAMP '2026-01-31 10:00' + ?, ? * 2")) {
                ps.setObject(1, new PGInterval("1 mon 1 day"));
                ps.setObject(2, new PGInterval(0, 0, 0, 1, 30, 0));
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(LocalDateTime.parse("2026-03-01T10:00:00"), rs.getObject(1, LocalDateTime.class));
                    assertEquals(new PGInterval(0, 0, 0, 3, 0, 0), interval(rs, 2, binary));
                    if (!binary) {
                        assertEquals("03:00:00", rs.getString(2));
                    }
                }
            }
        }
    }
}
