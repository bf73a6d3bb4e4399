package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** COPY at the session level: rows land, a bad row commits nothing, the read-only user, COPY TO's rows. */
class CopyTest extends ExecTestSupport {

    /** Runs a COPY FROM STDIN as the wire layer would: execute, feed the data in chunks, finish, end the transaction. */
    static long copyIn(Session s, String sql, String data, int chunk) {
        List<Prepared> prepared = s.prepareAll(sql);
        try {
            Result r = s.execute(prepared.get(0), new Object[0]);
            Result.CopyIn in = assertInstanceOf(Result.CopyIn.class, r);
            byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i += chunk) {
                in.sink().accept(bytes, i, Math.min(chunk, bytes.length - i));
            }
            long n = in.sink().finish();
            s.endImplicitTransaction(false);
            return n;
        } catch (SqlError e) {
            s.markFailed();
            s.endImplicitTransaction(true);
            throw e;
        }
    }

    @Test
    void textAndCsvRowsLandWithColumnListsAndNulls() {
        run("CREATE TABLE t (ts TIMESTAMP, v BIGINT, d DOUBLE PRECISION, s VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
        assertEquals(2, copyIn(session, "COPY t FROM STDIN",
                "2026-11-21 10:00:00\t1\t1.5\ta\\tb\n2026-11-21 10:00:01.25\t\\N\t-2\t\\N\n", 7));
        assertEquals(2, copyIn(session, "COPY t (s, ts, v) FROM STDIN WITH (FORMAT csv, HEADER true)",
                "s,ts,v\n\"x,y\",2026-11-22T00:00:00,3\n,2026-11-22 00:00:01,\n", 5));
        assertEquals(List.of(
                List.of(1_795_255_200_000_000L, 1L, 1.5, "a\tb"),
                java.util.Arrays.asList(1_795_255_201_250_000L, null, -2.0, null),
                java.util.Arrays.asList(1_795_305_600_000_000L, 3L, null, "x,y"),
                java.util.Arrays.asList(1_795_305_601_000_000L, null, null, null)),
                rows("SELECT ts, v, d, s FROM t ORDER BY ts"));
    }

    @Test
    void badRowCommitsNothingAndNamesLineAndColumn() {
        run("CREATE TABLE t (ts TIMESTAMP, v BIGINT) TIMESTAMP(ts)");
        StringBuilder data = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            data.append("2026-11-21 10:00:00,").append(i == 17 ? "abc" : Integer.toString(i)).append('\n');
        }
        SqlError e = assertThrows(SqlError.class, () -> copyIn(session, "COPY t FROM STDIN CSV", data.toString(), 10));
        assertEquals("22P02", e.sqlState());
        assertEquals("invalid input syntax for type bigint [value=abc, line=17, column=v]", e.getMessage());
        assertEquals(0L, value("SELECT count(*) FROM t"));

        SqlError missing = assertThrows(SqlError.class, () -> copyIn(session, "COPY t FROM STDIN", "2026-11-21 10:00:00\n", 100));
        assertEquals("missing data for column [column=v, line=1]", missing.getMessage());
        SqlError extra = assertThrows(SqlError.class, () -> copyIn(session, "COPY t FROM STDIN", "2026-11-21 10:00:00\t1\t2\n", 100));
        assertEquals("extra data after last expected column [line=1]", extra.getMessage());
        SqlError nullTs = assertThrows(SqlError.class, () -> copyIn(session, "COPY t FROM STDIN", "\\N\t1\n", 100));
        assertEquals("23502", nullTs.sqlState());
        assertEquals(0L, value("SELECT count(*) FROM t"));
    }

    @Test
    void insideABlockAFailedCopyFailsTheBlock() {
        run("CREATE TABLE t (v BIGINT)");
        run("BEGIN");
        run("INSERT INTO t VALUES (1)");
        assertEquals(1, copyIn(session, "COPY t FROM STDIN", "2\n", 100));
        assertEquals(2L, value("SELECT count(*) FROM t"));
        assertThrows(SqlError.class, () -> copyIn(session, "COPY t FROM STDIN", "x\n", 100));
        assertEquals(TransactionStatus.FAILED, session.transactionStatus());
        assertEquals("ROLLBACK", one("COMMIT").tag());
        assertEquals(0L, value("SELECT count(*) FROM t"));
    }

    @Test
    void readOnlyUserMayCopyOutButNotIn() {
        run("CREATE TABLE t (v BIGINT, s VARCHAR)");
        copyIn(session, "COPY t FROM STDIN", "1\tone\n2\ttwo\n", 100);
        Session reader = open("reader", Role.READ_ONLY);
        SqlError e = assertThrows(SqlError.class, () -> copyIn(reader, "COPY t FROM STDIN", "3\tthree\n", 100));
        assertEquals("42501", e.sqlState());
        assertEquals("permission denied [user=reader, action=COPY]", e.getMessage());
        Result r = reader.execute(reader.prepareAll("COPY (SELECT s, v FROM t ORDER BY v) TO STDOUT CSV").get(0),
                new Object[0]);
        Result.CopyOut out = assertInstanceOf(Result.CopyOut.class, r);
        assertEquals(List.of("s", "v"), out.columns().stream().map(ResultColumn::name).toList());
        List<List<Object>> rows = new ArrayList<>();
        try (RowCursor c = out.cursor()) {
            Object[] row;
            while ((row = c.next()) != null) {
                rows.add(List.of(row));
            }
        }
        assertEquals(List.of(List.of("one", 1L), List.of("two", 2L)), rows);
        reader.endImplicitTransaction(false);
    }

    @Test
    void copyErrorsBeforeData() {
        assertEquals("42P01", assertThrows(SqlError.class, () -> copyIn(session, "COPY nope FROM STDIN", "", 1)).sqlState());
        run("CREATE TABLE t (v BIGINT)");
        assertEquals("42703", assertThrows(SqlError.class, () -> copyIn(session, "COPY t (w) FROM STDIN", "", 1)).sqlState());
        assertEquals("42P01", error("COPY nope TO STDOUT").sqlState());
    }
}
