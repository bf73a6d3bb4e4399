package io.stillpoint.server.pgwire;

import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.server.pgwire.types.PgType;
import io.stillpoint.server.pgwire.types.PgTypes;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COPY TO through the columnar path (rows formatted straight from the column chunks) on a real engine: the
 * output is exactly each value's codec text, for random rows with NULLs, NaN, infinities, negative zero, large and
 * small doubles, timestamps before 1970 and after 9999, with column subsets in another order, range filters,
 * partitions, and a transaction's own uncommitted rows (which come after the batches through the row path).
 */
class CopyOutBatchTest {
    private static final DataType[] TYPES = {DataType.TIMESTAMP, DataType.INT8, DataType.FLOAT8, DataType.INT4,
        DataType.BOOL};

    @TempDir
    Path dir;
    private TableEngine engine;
    private EmbeddedChannel ch;

    @BeforeEach
    void open() {
        engine = TableEngine.open(EngineConfig.of(dir));
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(new UserAccount("admin", "x", Role.ADMIN)));
        ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(1 << 20));
        ch.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, new SqlExecutor(engine), auth, new CancelRegistry(), 1, x -> { })));
        exchange(Wire.startup(Map.of("user", "admin", "database", "db")));
        exchange(Wire.password("x"));
    }

    @AfterEach
    void close() throws Exception {
        ch.finishAndReleaseAll();
        engine.close();
    }

    @Test
    void randomRowsCopyOutAsTheirCodecText() {
        exchange(Wire.query("CREATE TABLE t (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION, i INT, b BOOLEAN)"));
        List<Object[]> rows = randomRows(new SplittableRandom(5), 100_000, 0);
        load("t", rows);
        // a timestamp TextBytes leaves to the codec: after 9999 (SQL here reads neither BC nor infinity)
        exchange(Wire.query("INSERT INTO t (ts, id) VALUES ('12026-01-01 00:00:00', 2)"));
        rows.add(new Object[] {317_336_745_600_000_000L, 2L, null, null, null});
        assertEquals(expected(rows, new int[] {0, 1, 2, 3, 4}, ",", "", r -> true), copyOut("COPY t TO STDOUT (FORMAT csv)"));
        assertEquals(expected(rows, new int[] {0, 1, 2, 3, 4}, "\t", "\\N", r -> true), copyOut("COPY t TO STDOUT"));
        // a subset in another order, and a range filter (the batch's selection)
        assertEquals(expected(rows, new int[] {2, 0}, ",", "", r -> true),
                copyOut("COPY (SELECT v, ts FROM t) TO STDOUT (FORMAT csv)"));
        assertEquals(expected(rows, new int[] {2, 1}, ",", "", r -> r[1] != null && (Long) r[1] > 0),
                copyOut("COPY (SELECT v, id FROM t WHERE id > 0) TO STDOUT (FORMAT csv)"));
        assertEquals(expected(rows, new int[] {1, 3}, "|", "", r -> true),
                copyOut("COPY t (id, i) TO STDOUT (FORMAT csv, DELIMITER '|')"));
    }

    @Test
    void partitionedTableAndOwnUncommittedRows() {
        exchange(Wire.query("CREATE TABLE p (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION, i INT, b BOOLEAN) "
                + "TIMESTAMP(ts) PARTITION BY DAY"));
        List<Object[]> rows = randomRows(new SplittableRandom(9), 70_000, 1_793_491_200_000_000L);
        load("p", rows);
        exchange(Wire.query("BEGIN"));
        exchange(Wire.query("INSERT INTO p VALUES ('2026-11-05 01:02:03.5', -7, 0.25, 3, true)"));
        String inside = copyOut("COPY p TO STDOUT (FORMAT csv)");
        exchange(Wire.query("ROLLBACK"));
        List<String> expectedLines = lines(expected(rows, new int[] {0, 1, 2, 3, 4}, ",", "", r -> true));
        expectedLines.add("2026-11-05 01:02:03.5,-7,0.25,3,t");
        List<String> got = lines(inside);
        // partitions come out in partition order: compare as sorted lists, then check the own row is last
        assertEquals(sorted(expectedLines), sorted(got));
        assertEquals("2026-11-05 01:02:03.5,-7,0.25,3,t", got.get(got.size() - 1));
        assertEquals(rows.size(), lines(copyOut("COPY p TO STDOUT (FORMAT csv)")).size());
    }

    private static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        copy.sort(null);
        return copy;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
        assertEquals("", out.remove(out.size() - 1), "the output ends with a line end");
        return out;
    }

    /** Timestamps ascending from {@code start} when it is not 0 (a partitioned table), anywhere otherwise. */
    private static List<Object[]> randomRows(SplittableRandom random, int n, long start) {
        List<Object[]> rows = new ArrayList<>(n);
        long ts = start;
        for (int k = 0; k < n; k++) {
            Object timestamp;
            if (start != 0) {
                ts += random.nextLong(0, 30_000_000L);
                timestamp = ts;
            } else {
                timestamp = switch (random.nextInt(6)) {
                    case 0 -> null;
                    // COPY FROM reads years 1 to 9999 only; the others are inserted by the test
                    case 2 -> random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L); // around 1970
                    default -> random.nextLong(-62_135_596_800_000_000L, 253_402_300_800_000_000L);
                };
            }
            Object id = random.nextInt(8) == 0 ? null : random.nextLong() >> random.nextInt(64);
            Object v = random.nextInt(8) == 0 ? null : switch (random.nextInt(7)) {
                case 0 -> Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL | (random.nextLong() & Long.MIN_VALUE));
                case 1 -> random.nextLong(-1_000_000_000, 1_000_000_000) * 0.5;
                case 2 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                    Double.MIN_VALUE, Double.MAX_VALUE, 1e15, 1e-5, 1e-4}[random.nextInt(10)];
                case 3 -> random.nextDouble() * Math.pow(10, random.nextInt(-10, 20));
                case 4 -> Math.scalb((double) random.nextLong(-(1L << 30), 1L << 30), -random.nextInt(0, 40));
                default -> random.nextInt(-1_000_000, 1_000_000) / 100.0;
            };
            Object i = random.nextInt(8) == 0 ? null : random.nextInt();
            Object b = random.nextInt(8) == 0 ? null : random.nextBoolean();
            rows.add(new Object[] {timestamp, id, v, i, b});
        }
        return rows;
    }

    /** The rows as CSV with each value's codec text: what COPY FROM reads back exactly. */
    private void load(String table, List<Object[]> rows) {
        exchange(Wire.query("COPY " + table + " FROM STDIN (FORMAT csv)"));
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            appendRow(sb, rows.get(k), new int[] {0, 1, 2, 3, 4}, ",", "");
            if (sb.length() > 50_000 || k == rows.size() - 1) {
                exchange(Wire.typed('d', sb.toString().getBytes(StandardCharsets.UTF_8)));
                sb.setLength(0);
            }
        }
        String reply = exchange(Wire.typed('c', new byte[0]));
        assertTrue(reply.contains("COPY " + rows.size()), reply);
    }

    private static String expected(List<Object[]> rows, int[] columns, String delimiter, String nullText,
                                   Predicate<Object[]> where) {
        StringBuilder sb = new StringBuilder();
        for (Object[] row : rows) {
            if (where.test(row)) {
                appendRow(sb, row, columns, delimiter, nullText);
            }
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, Object[] row, int[] columns, String delimiter, String nullText) {
        for (int k = 0; k < columns.length; k++) {
            if (k > 0) {
                sb.append(delimiter);
            }
            Object value = row[columns[k]];
            PgType codec = PgTypes.of(TYPES[columns[k]]);
            sb.append(value == null ? nullText : codec.encodeText(value));
        }
        sb.append('\n');
    }

    /** The CopyData payloads of a COPY TO, one message per row, checked against the COPY n tag. */
    private String copyOut(String sql) {
        List<Wire.Msg> messages = Wire.messages(send(Wire.query(sql)));
        StringBuilder sb = new StringBuilder();
        int rows = 0;
        String tag = null;
        for (Wire.Msg m : messages) {
            switch (m.type()) {
                case 'E' -> throw new AssertionError("server error: " + new String(m.body(), StandardCharsets.UTF_8));
                case 'd' -> {
                    String line = new String(m.body(), StandardCharsets.UTF_8);
                    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one row per CopyData");
                    sb.append(line);
                    rows++;
                }
                case 'C' -> tag = new String(m.body(), 0, m.body().length - 1, StandardCharsets.UTF_8);
                default -> { }
            }
        }
        assertEquals("COPY " + rows, tag);
        return sb.toString();
    }

    private byte[] send(byte[] message) {
        Wire.send(ch, message);
        return Wire.received(ch);
    }

    private String exchange(byte[] message) {
        byte[] reply = send(message);
        for (Wire.Msg m : Wire.messages(reply)) {
            if (m.type() == 'E') {
                throw new AssertionError("server error: " + new String(m.body(), StandardCharsets.UTF_8));
            }
        }
        return new String(reply, StandardCharsets.UTF_8);
    }
}
