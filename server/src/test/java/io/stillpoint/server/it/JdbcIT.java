package io.stillpoint.server.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgjdbc against a real server process: types, prepared statements, batches, transactions, users. */
class JdbcIT {

    @TempDir
    static Path tmp;

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(tmp.resolve("root"), "--readonly-user", "reader", "--readonly-password", "rpw");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Connection connect(String prepareThreshold) throws SQLException {
        Properties p = new Properties();
        p.setProperty("prepareThreshold", prepareThreshold);
        return server.connect(ServerProcess.ADMIN, ServerProcess.PASSWORD, p);
    }

    /** One row of every column type; {@code null} entries are NULL. */
    private static final Object[][] ROWS = {
            {true, 0, 0L, 0.0, "", LocalDateTime.parse("2000-01-01T00:00:00")},
            {false, Integer.MIN_VALUE, Long.MIN_VALUE, -1.5e300, "it's \"quoted\", ünïcødé ✓",
                    LocalDateTime.parse("1969-07-20T20:17:40.000001")},
            {true, Integer.MAX_VALUE, Long.MAX_VALUE, Double.MAX_VALUE, "x".repeat(10_000),
                    LocalDateTime.parse("2026-11-21T23:59:59.999999")},
            {false, -1, -1L, Double.NaN, "NaN", LocalDateTime.parse("1999-12-31T23:59:59.5")},
            {true, 42, 1L << 53, Double.POSITIVE_INFINITY, "null", LocalDateTime.parse("2262-04-11T23:47:16")},
            {false, 7, 8L, Double.NEGATIVE_INFINITY, "tab\there\nnewline", LocalDateTime.parse("1900-01-01T00:00:00")},
            {null, null, null, null, null, LocalDateTime.parse("2026-01-01T00:00:00.000123")},
            {true, 1, 2L, Double.MIN_VALUE, "\\backslash", LocalDateTime.parse("2026-06-15T12:00:00")},
    };

    @Test
    void everyTypeRoundTripsInTextAndBinaryWithNulls() throws Exception {
        try (Connection c = connect("5"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE types (b BOOLEAN, i INT, l LONG, d DOUBLE, s VARCHAR, ts TIMESTAMP)"
                    + " TIMESTAMP(ts) PARTITION BY YEAR");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO types VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Object[] row : ROWS) {
                    if (row[0] == null) ps.setNull(1, Types.BOOLEAN); else ps.setBoolean(1, (Boolean) row[0]);
                    if (row[1] == null) ps.setNull(2, Types.INTEGER); else ps.setInt(2, (Integer) row[1]);
                    if (row[2] == null) ps.setNull(3, Types.BIGINT); else ps.setLong(3, (Long) row[2]);
                    if (row[3] == null) ps.setNull(4, Types.DOUBLE); else ps.setDouble(4, (Double) row[3]);
                    if (row[4] == null) ps.setNull(5, Types.VARCHAR); else ps.setString(5, (String) row[4]);
                    ps.setObject(6, row[5]);
                    assertEquals(1, ps.executeUpdate());
                }
            }
        }
        // prepareThreshold 0: never server-prepared, results in text; -1: always, results in binary.
        for (String threshold : new String[] {"0", "-1"}) {
            try (Connection c = connect(threshold);
                 PreparedStatement ps = c.prepareStatement("SELECT b, i, l, d, s, ts FROM types ORDER BY ts")) {
                for (int round = 0; round < 3; round++) {
                    List<Object[]> expected = new ArrayList<>(Arrays.asList(ROWS));
                    expected.sort((a, b) -> ((LocalDateTime) a[5]).compareTo((LocalDateTime) b[5]));
                    try (ResultSet rs = ps.executeQuery()) {
                        for (Object[] row : expected) {
                            assertTrue(rs.next());
                            Object[] actual = {
                                    rs.getObject(1), rs.getObject(2), rs.getObject(3), rs.getObject(4),
                                    rs.getObject(5), rs.getObject(6, LocalDateTime.class)};
                            assertArrayEquals(row, actual, "threshold=" + threshold + " row " + Arrays.toString(row));
                        }
                        assertFalse(rs.next());
                    }
                }
            }
        }
    }

    @Test
    void timestampsFromSetTimestampAndIsoLiteralsAgree() throws Exception {
        try (Connection c = connect("5"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ts_check (ts TIMESTAMP, n INT) TIMESTAMP(ts) PARTITION BY DAY");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ts_check VALUES (?, ?)")) {
                ps.setTimestamp(1, Timestamp.valueOf("2026-11-21 10:00:00.25"));
                ps.setInt(2, 1);
                ps.executeUpdate();
            }
            s.execute("INSERT INTO ts_check VALUES ('2026-11-21T10:00:00.25', 2)");
            try (ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM ts_check WHERE ts = '2026-11-21 10:00:00.25'")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getLong(1));
            }
        }
    }

    @Test
    void preparedStatementsAreReExecutedPastThePrepareThreshold() throws Exception {
        try (Connection c = connect("5"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE prep (ts TIMESTAMP, id LONG, name VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO prep VALUES (?, ?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    ins.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00").plusHours(i));
                    ins.setLong(2, i);
                    ins.setString(3, "n" + i);
                    assertEquals(1, ins.executeUpdate());
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT id, name, ts FROM prep WHERE id = ?")) {
                for (int i = 0; i < 20; i++) {
                    q.setLong(1, i);
                    try (ResultSet rs = q.executeQuery()) {
                        assertTrue(rs.next(), "execution " + i);
                        assertEquals(i, rs.getLong(1));
                        assertEquals("n" + i, rs.getString(2));
                        assertEquals(LocalDateTime.parse("2026-11-01T00:00:00").plusHours(i),
                                rs.getObject(3, LocalDateTime.class));
                        assertFalse(rs.next());
                    }
                }
            }
        }
    }

    @Test
    void executeBatchOfOneHundredThousandRowsInOneCall() throws Exception {
        int rows = 100_000;
        try (Connection c = connect("5"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE batch (ts TIMESTAMP, id LONG, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
            LocalDateTime start = LocalDateTime.parse("2026-11-01T00:00:00");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch (ts, id, v) VALUES (?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setObject(1, start.plusSeconds(i));
                    ps.setLong(2, i);
                    ps.setDouble(3, i * 0.5);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertEquals(rows, counts.length);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(id), min(ts), max(ts) FROM batch")) {
                assertTrue(rs.next());
                assertEquals(rows, rs.getLong(1));
                assertEquals((long) rows * (rows - 1) / 2, rs.getLong(2));
                assertEquals(start, rs.getObject(3, LocalDateTime.class));
                assertEquals(start.plusSeconds(rows - 1), rs.getObject(4, LocalDateTime.class));
            }
        }
    }

    @Test
    void rollbackLeavesNothingAndCommitKeepsEverything() throws Exception {
        try (Connection c = connect("5"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tx (ts TIMESTAMP, v INT) TIMESTAMP(ts) PARTITION BY DAY");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tx VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    ps.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00").plusMinutes(i));
                    ps.setInt(2, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.rollback();
            assertEquals(0, count(s, "tx"));
            s.execute("INSERT INTO tx VALUES ('2026-11-01T00:00:00', 1)");
            s.execute("INSERT INTO tx VALUES ('2026-11-02T00:00:00', 2)");
            c.commit();
            c.setAutoCommit(true);
            assertEquals(2, count(s, "tx"));
        }
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            s.execute("INSERT INTO tx VALUES ('2026-11-03T00:00:00', 3)");
            s.execute("ROLLBACK");
            assertEquals(2, count(s, "tx"));
        }
    }

    private static long count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void wrongPasswordAndUnknownUserAreRefusedWith28P01() {
        SQLException wrong = assertThrows(SQLException.class,
                () -> server.connect(ServerProcess.ADMIN, "wrong", new Properties()).close());
        assertEquals("28P01", wrong.getSQLState());
        SQLException unknown = assertThrows(SQLException.class,
                () -> server.connect("nobody", ServerProcess.PASSWORD, new Properties()).close());
        assertEquals("28P01", unknown.getSQLState());
    }

    @Test
    void theReadOnlyUserReadsButCannotWrite() throws Exception {
        try (Connection admin = server.connect(); Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE ro (ts TIMESTAMP, v INT) TIMESTAMP(ts) PARTITION BY DAY");
            s.execute("INSERT INTO ro VALUES ('2026-11-01T00:00:00', 1)");
        }
        try (Connection reader = server.connect("reader", "rpw", new Properties());
             Statement s = reader.createStatement()) {
            assertEquals(1, count(s, "ro"));
            for (String sql : new String[] {
                    "INSERT INTO ro VALUES ('2026-11-02T00:00:00', 2)",
                    "CREATE TABLE other (v INT)",
                    "DROP TABLE ro"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
            assertEquals(1, count(s, "ro"));
        }
    }

    @Test
    void errorsCarryTheirSqlStateAndTheConnectionGoesOn() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE errs (ts TIMESTAMP, v INT) TIMESTAMP(ts) PARTITION BY DAY");
            String[][] cases = {
                    {"SELEC 1", "42601"},
                    {"SELECT * FROM no_such_table", "42P01"},
                    {"SELECT no_such_column FROM errs", "42703"},
                    {"INSERT INTO errs VALUES ('2026-11-01T00:00:00', 'abc')", "22P02"},
                    {"INSERT INTO errs VALUES ('2026-11-01T00:00:00', true)", "42804"},
                    {"CREATE TABLE errs (v INT)", "42P07"},
            };
            for (String[] cas : cases) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(cas[0]), cas[0]);
                assertEquals(cas[1], e.getSQLState(), cas[0] + ": " + e.getMessage());
            }
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM errs WHERE v = ?")) {
                ps.setString(1, "not a number");
                SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                assertEquals("22P02", e.getSQLState(), e.getMessage());
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM errs")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getLong(1));
                assertNull(rs.getWarnings());
            }
        }
    }

    @Test
    void fetchSizeStreamsThroughPortalSuspendedInsideATransaction() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE fetched (ts TIMESTAMP, id LONG) TIMESTAMP(ts) PARTITION BY DAY");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO fetched VALUES (?, ?)")) {
                for (int i = 0; i < 5_000; i++) {
                    ps.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00").plusSeconds(i));
                    ps.setLong(2, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.setAutoCommit(false);
            try (Statement q = c.createStatement()) {
                q.setFetchSize(100);
                long n = 0;
                try (ResultSet rs = q.executeQuery("SELECT id FROM fetched")) {
                    while (rs.next()) {
                        assertEquals(n++, rs.getLong(1));
                    }
                }
                assertEquals(5_000, n);
            }
            c.commit();
        }
    }

    @Test
    void aTransactionWritingTwoTablesIsRefusedWith0A000AndLeavesNothing() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE two_a (v INT)");
            s.execute("CREATE TABLE two_b (v INT)");
            c.setAutoCommit(false);
            s.execute("INSERT INTO two_a VALUES (1)");
            SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO two_b VALUES (2)"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
            c.rollback();
            c.setAutoCommit(true);
            assertEquals(0, count(s, "two_a"));
            assertEquals(0, count(s, "two_b"));
        }
    }

    @Test
    void sessionFunctionsAndParameters() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version(), now(), current_database(), 1")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("PostgreSQL"), rs.getString(1));
                assertTrue(rs.getString(1).contains("Stillpoint"), rs.getString(1));
                LocalDateTime now = rs.getObject(2, LocalDateTime.class);
                assertTrue(Math.abs(java.time.Duration.between(now,
                        LocalDateTime.now(java.time.ZoneOffset.UTC)).toMinutes()) < 5, "now() = " + now);
                assertEquals("stillpoint", rs.getString(3));
                assertEquals(1, rs.getInt(4));
            }
            s.execute("SET application_name = 'jdbc-it'");
            try (ResultSet rs = s.executeQuery("SHOW application_name")) {
                assertTrue(rs.next());
                assertEquals("jdbc-it", rs.getString(1));
            }
            assertEquals("PostgreSQL", c.getMetaData().getDatabaseProductName());
            assertTrue(c.isValid(5));
        }
    }

    /**
     * Server-side prepared statements (prepareThreshold=1: named from the first execution) keep working after ALTER
     * TABLE ADD COLUMN of a column they do not use and after SET TTL (the server plans them again); a prepared
     * {@code SELECT *} whose columns would change gets PostgreSQL's 0A000. The ALTERs come from another
     * connection: pgjdbc itself re-prepares its statements after DDL on their own connection.
     */
    @Test
    void serverPreparedStatementsAfterAlterTable() throws Exception {
        try (Connection c = connect("1"); Statement s = c.createStatement();
             Connection admin = server.connect(); Statement ddl = admin.createStatement();
             PreparedStatement insert = c.prepareStatement("INSERT INTO prep_alter (ts, sym, qty) VALUES (?, ?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE prep_alter SET qty = qty + ? WHERE sym = ?");
             PreparedStatement select = c.prepareStatement("SELECT sym, qty FROM prep_alter WHERE qty >= ? ORDER BY ts");
             PreparedStatement star = c.prepareStatement("SELECT * FROM prep_alter ORDER BY ts")) {
            s.execute("CREATE TABLE prep_alter (ts TIMESTAMP, sym VARCHAR, qty INT) TIMESTAMP(ts) PARTITION BY DAY");
            int day = 1;
            for (int round = 0; round < 2; round++) {
                insertRow(insert, day++, "s" + round, round);
                update.setInt(1, 10);
                update.setString(2, "s" + round);
                assertEquals(1, update.executeUpdate());
                assertEquals(round + 1, selectedRows(select, 0).size());
                assertEquals(round + 1, selectedRows(star, null).size());
            }
            ddl.execute("ALTER TABLE prep_alter ADD COLUMN note VARCHAR");
            insertRow(insert, day++, "s2", 2);
            update.setInt(1, 100);
            update.setString(2, "s0");
            assertEquals(1, update.executeUpdate());
            assertEquals(List.of("s0=110", "s1=11", "s2=2"), selectedRows(select, 0));
            // The server refuses the old plan with 0A000 and routine RevalidateCachedQuery, as PostgreSQL does;
            // pgjdbc recognises it, prepares the statement again and retries once: the caller sees the new column.
            try (ResultSet rs = star.executeQuery()) {
                assertEquals(4, rs.getMetaData().getColumnCount());
                assertEquals("note", rs.getMetaData().getColumnName(4));
                int rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertEquals(3, rows);
            }
            // Inside a transaction pgjdbc cannot retry (the error aborted it): the SQLSTATE reaches the caller.
            c.setAutoCommit(false);
            ddl.execute("ALTER TABLE prep_alter DROP COLUMN note");
            SQLException changed = assertThrows(SQLException.class, () -> star.executeQuery().close());
            assertEquals("0A000", changed.getSQLState(), changed.getMessage());
            assertTrue(changed.getMessage().contains("cached plan must not change result type"), changed.getMessage());
            c.rollback();
            c.setAutoCommit(true);
            ddl.execute("ALTER TABLE prep_alter ADD COLUMN note VARCHAR");

            ddl.execute("ALTER TABLE prep_alter SET TTL 30 DAYS");
            insertRow(insert, day, "s3", 3);
            update.setInt(1, 1000);
            update.setString(2, "s1");
            assertEquals(1, update.executeUpdate());
            assertEquals(List.of("s0=110", "s1=1011", "s2=2", "s3=3"), selectedRows(select, 0));
            try (ResultSet rs = s.executeQuery("SELECT ttl, row_count FROM tables() WHERE table_name = 'prep_alter'")) {
                assertTrue(rs.next());
                assertEquals("30 DAYS", rs.getString(1));
                assertEquals(4, rs.getLong(2));
            }
        }
    }

    private static void insertRow(PreparedStatement insert, int day, String sym, int qty) throws SQLException {
        // recent days, so that the 30-day TTL set later leaves them alone
        insert.setObject(1, LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0).minusDays(10 - day));
        insert.setString(2, sym);
        insert.setInt(3, qty);
        assertEquals(1, insert.executeUpdate());
    }

    /** {@code sym=qty} per row; {@code minQty} null for a statement without parameters. */
    private static List<String> selectedRows(PreparedStatement select, Integer minQty) throws SQLException {
        if (minQty != null) {
            select.setInt(1, minQty);
        }
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString("sym") + "=" + rs.getInt("qty"));
            }
        }
        return rows;
    }
}
