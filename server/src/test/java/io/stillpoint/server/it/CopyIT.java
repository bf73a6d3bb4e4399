package io.stillpoint.server.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COPY against a real server process: pgjdbc's CopyManager both ways with a million rows, a bad row that leaves
 * the table unchanged, the read-only user, and psql's {@code \copy} both ways (skipped where psql is missing,
 * except on CI).
 */
class CopyIT {

    private static final int MILLION = 1_000_000;
    private static final long START_MICROS = 1_795_219_200_000_000L; // 2026-11-21 00:00:00 UTC

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

    /** {@code rows} CSV lines {@code ts,v,d} with v = i and d = i / 4, one row per millisecond. */
    static byte[] generate(int rows, int badRow) {
        StringBuilder sb = new StringBuilder(rows * 48);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
        LocalDateTime base = LocalDateTime.of(2026, 11, 21, 0, 0);
        for (int i = 0; i < rows; i++) {
            sb.append(f.format(base.plusNanos(i * 1_000_000L))).append(',');
            sb.append(i == badRow ? "abc" : Integer.toString(i)).append(',').append(i / 4.0).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static long[] countAndSum(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(v) FROM " + table)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    @Test
    void copyManagerMillionRowsInAndOutAndBackIn() throws Exception {
        byte[] data = generate(MILLION, -1);
        try (Connection c = server.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE m (ts TIMESTAMP, v BIGINT, d DOUBLE PRECISION) TIMESTAMP(ts) PARTITION BY DAY");
                s.execute("CREATE TABLE m2 (ts TIMESTAMP, v BIGINT, d DOUBLE PRECISION) TIMESTAMP(ts) PARTITION BY DAY");
            }
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long t0 = System.nanoTime();
            long rows = copy.copyIn("COPY m FROM STDIN WITH (FORMAT csv)", new ByteArrayInputStream(data));
            long t1 = System.nanoTime();
            assertEquals(MILLION, rows);
            System.out.printf("CopyIT: COPY FROM STDIN of %d rows (csv, %.1f MB) in %.0f ms: %.0f rows/s%n", rows,
                    data.length / 1e6, (t1 - t0) / 1e6, rows / ((t1 - t0) / 1e9));
            long expectedSum = (long) MILLION * (MILLION - 1) / 2;
            assertEquals(List.of((long) MILLION, expectedSum), List.of(countAndSum(c, "m")[0], countAndSum(c, "m")[1]));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT ts, d FROM m WHERE v = 999999")) {
                rs.next();
                assertEquals(LocalDateTime.of(2026, 11, 21, 0, 16, 39, 999_000_000), rs.getObject(1, LocalDateTime.class));
                assertEquals(249999.75, rs.getDouble(2));
            }

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long t2 = System.nanoTime();
            long exported = copy.copyOut("COPY m TO STDOUT", out);
            long t3 = System.nanoTime();
            assertEquals(MILLION, exported);
            System.out.printf("CopyIT: COPY TO STDOUT of %d rows (text) in %.0f ms: %.0f rows/s%n", exported,
                    (t3 - t2) / 1e6, exported / ((t3 - t2) / 1e9));
            byte[] text = out.toByteArray();
            int lines = 0;
            for (byte b : text) {
                lines += b == '\n' ? 1 : 0;
            }
            assertEquals(MILLION, lines);
            assertEquals(MILLION, copy.copyIn("COPY m2 FROM STDIN", new ByteArrayInputStream(text)));
            assertEquals(List.of((long) MILLION, expectedSum), List.of(countAndSum(c, "m2")[0], countAndSum(c, "m2")[1]));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM m2 WHERE ts = '2026-11-21 00:00:00.5' AND d = 125.0 AND v = 500")) {
                rs.next();
                assertEquals(1, rs.getLong(1));
            }
        }
    }

    @Test
    void badCsvRowInTheMiddleLeavesTheTableUnchanged() throws Exception {
        try (Connection c = server.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE bad (ts TIMESTAMP, v BIGINT, d DOUBLE PRECISION) TIMESTAMP(ts)");
                s.execute("INSERT INTO bad VALUES ('2026-01-01 00:00:00', 7, 0)");
            }
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            byte[] data = generate(100_000, 50_000);
            PSQLException e = assertThrows(PSQLException.class,
                    () -> copy.copyIn("COPY bad FROM STDIN WITH (FORMAT csv)", new ByteArrayInputStream(data)));
            assertEquals("22P02", e.getSQLState());
            assertTrue(e.getMessage().contains("invalid input syntax for type bigint [value=abc, line=50001, column=v]"),
                    e.getMessage());
            assertEquals(List.of(1L, 7L), List.of(countAndSum(c, "bad")[0], countAndSum(c, "bad")[1]));
            // the connection is usable afterwards
            assertEquals(3, copy.copyIn("COPY bad FROM STDIN WITH (FORMAT csv)",
                    new ByteArrayInputStream(generate(3, -1))));
            assertEquals(List.of(4L, 10L), List.of(countAndSum(c, "bad")[0], countAndSum(c, "bad")[1]));
        }
    }

    @Test
    void readOnlyUserGets42501OnCopyFromAndMayCopyTo() throws Exception {
        try (Connection c = server.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE ro (v BIGINT)");
                s.execute("INSERT INTO ro VALUES (1), (2)");
            }
        }
        try (Connection reader = server.connect("reader", "rpw", new Properties())) {
            CopyManager copy = reader.unwrap(PGConnection.class).getCopyAPI();
            PSQLException e = assertThrows(PSQLException.class,
                    () -> copy.copyIn("COPY ro FROM STDIN", new ByteArrayInputStream("3\n".getBytes())));
            assertEquals("42501", e.getSQLState());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(2, copy.copyOut("COPY ro TO STDOUT WITH (FORMAT csv, HEADER)", out));
            assertEquals("v\n1\n2\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void psqlCopyBothWaysRoundTrips() throws Exception {
        PsqlIT.requirePsql();
        Path in = tmp.resolve("in.csv");
        StringBuilder csv = new StringBuilder("ts,v,s\n");
        for (int i = 0; i < 1000; i++) {
            csv.append("2026-11-21 10:").append(String.format("%02d:%02d", i / 60 % 60, i % 60)).append(',').append(i)
                    .append(',');
            switch (i % 4) {
                case 0 -> csv.append("\"comma, \"\"quote\"\"\"");
                case 1 -> csv.append("\"two\nlines\"");
                case 2 -> csv.append("");
                default -> csv.append("plain ünïcødé");
            }
            csv.append('\n');
        }
        Files.writeString(in, csv.toString());
        Path out = tmp.resolve("out.csv");
        Path script = tmp.resolve("copy.sql");
        Files.writeString(script, String.join("\n",
                "CREATE TABLE p (ts TIMESTAMP, v BIGINT, s VARCHAR) TIMESTAMP(ts);",
                "CREATE TABLE p2 (ts TIMESTAMP, v BIGINT, s VARCHAR) TIMESTAMP(ts);",
                "\\copy p from '" + in + "' csv header",
                "\\copy p to '" + out + "' csv header",
                "\\copy p2 from '" + out + "' with (format csv, header true)",
                "SELECT count(*), sum(v), count(s) FROM p;",
                "SELECT count(*), sum(v), count(s) FROM p2;",
                ""));
        String transcript = PsqlIT.psql(server, ServerProcess.PASSWORD, script);
        assertTrue(transcript.contains("COPY 1000"), transcript);
        assertTrue(!transcript.contains("ERROR"), transcript);
        String exported = Files.readString(out);
        assertTrue(exported.startsWith("ts,v,s\n2026-11-21 10:00:00,0,\"comma, \"\"quote\"\"\"\n"), exported);
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            ResultSet diff = s.executeQuery("SELECT count(*), sum(v), count(s) FROM p");
            diff.next();
            List<Long> original = List.of(diff.getLong(1), diff.getLong(2), diff.getLong(3));
            ResultSet again = s.executeQuery("SELECT count(*), sum(v), count(s) FROM p2");
            again.next();
            assertEquals(List.of(1000L, 499500L, 750L), original);
            assertEquals(original, List.of(again.getLong(1), again.getLong(2), again.getLong(3)));
            ResultSet s1 = s.executeQuery("SELECT s FROM p2 WHERE v = 1");
            s1.next();
            assertEquals("two\nlines", s1.getString(1));
        }
    }
}
