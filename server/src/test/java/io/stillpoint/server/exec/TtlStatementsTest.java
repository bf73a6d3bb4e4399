package io.stillpoint.server.exec;

import io.stillpoint.storage.Ttl;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * CREATE TABLE ... TTL and ALTER TABLE ... SET TTL through the executor: what the storage keeps, what {@code tables()}
 * shows, the SQLSTATEs, the read-only user, transactions, and the TTL after reopening the engine. (The expiry itself
 * is the storage's TTL job, tested there and end to end in TtlIT.)
 */
class TtlStatementsTest extends ExecTestSupport {

    private void reopen() {
        engine.close();
        sessions.clear();
        openEngine();
    }

    private Object ttlShown(String table) {
        List<List<Object>> rows = rows("SELECT ttl FROM tables() WHERE table_name = '" + table + "'");
        assertEquals(1, rows.size(), rows.toString());
        return rows.get(0).get(0);
    }

    @Test
    void createTableWithTtlIsKeptAndShown() {
        assertEquals("CREATE TABLE", one("CREATE TABLE m (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY "
                + "TTL 30 DAYS").tag());
        run("CREATE TABLE h (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY HOUR TTL 12H");
        run("CREATE TABLE none (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY TTL 0");
        assertEquals(new Ttl(30, Ttl.Unit.DAYS), engine.schema("m").ttl());
        assertEquals("30 DAYS", ttlShown("m"));
        assertEquals("12 HOURS", ttlShown("h"));
        assertNull(ttlShown("none"));
        assertEquals(List.of(row("h", "12 HOURS"), row("m", "30 DAYS"), row("none", null)),
                rows("SELECT table_name, ttl FROM tables() ORDER BY table_name"));
        reopen();
        assertEquals("30 DAYS", ttlShown("m"));
        assertEquals("12 HOURS", ttlShown("h"));
    }

    @Test
    void alterTableSetTtlChangesAndRemovesIt() {
        run("CREATE TABLE m (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO m VALUES (now(), 1.5)");
        assertNull(ttlShown("m"));
        assertEquals("ALTER TABLE", one("ALTER TABLE m SET TTL 1 MONTH").tag());
        assertEquals("1 MONTH", ttlShown("m"));
        run("ALTER TABLE m SET TTL 2W");
        assertEquals("2 WEEKS", ttlShown("m"));
        reopen();
        assertEquals("2 WEEKS", ttlShown("m"));
        assertEquals(1L, value("SELECT count(*) FROM m"), "the newest partition never expires");
        assertEquals("ALTER TABLE", one("ALTER TABLE m SET TTL 0").tag());
        assertNull(ttlShown("m"));
        assertNull(engine.schema("m").ttl());
        run("ALTER TABLE m SET TTL 5 YEARS");
        // the other ALTERs keep it
        run("ALTER TABLE m ADD COLUMN note VARCHAR");
        run("ALTER TABLE m RENAME TO metrics");
        assertEquals("5 YEARS", ttlShown("metrics"));
        run("ALTER TABLE metrics SET TTL 0 HOURS");
        reopen();
        assertNull(ttlShown("metrics"));
    }

    @Test
    void errors() {
        run("CREATE TABLE plain (ts TIMESTAMP, v INT) TIMESTAMP(ts)");
        run("CREATE TABLE m (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        assertError("42P16", "ttl needs a partitioned table [table=plain]", "ALTER TABLE plain SET TTL 3 DAYS");
        assertEquals(13, error("ALTER TABLE plain SET TTL 3 DAYS").position());
        assertError("42P16", "ttl needs a partitioned table [table=other]",
                "CREATE TABLE other (ts TIMESTAMP, v INT) TIMESTAMP(ts) TTL 3 DAYS");
        assertEquals(false, engine.tableExists("other"));
        assertError("42P01", "table does not exist [table=nope]", "ALTER TABLE nope SET TTL 3 DAYS");
        assertError("42601", "invalid ttl unit, expected HOURS, DAYS, WEEKS, MONTHS or YEARS [unit=FORTNIGHTS]",
                "ALTER TABLE m SET TTL 3 FORTNIGHTS");
        assertError("42601", "syntax error: ttl amount expected, e.g. TTL 30 DAYS [position=22]",
                "ALTER TABLE m SET TTL");
        assertError("22023", "ttl out of range, expected 0 to 1000000 [amount=1000001]",
                "ALTER TABLE m SET TTL 1000001 HOURS");
        // SET TTL 0 on an unpartitioned table asks for nothing that table cannot have
        assertEquals("ALTER TABLE", one("ALTER TABLE plain SET TTL 0").tag());
        assertNull(engine.schema("m").ttl());
    }

    @Test
    void readOnlyUserAndTransactions() {
        run("CREATE TABLE m (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY TTL 3 DAYS");
        Session reader = open("reader", Role.READ_ONLY);
        SqlError denied = error(reader, "ALTER TABLE m SET TTL 0");
        assertEquals("42501", denied.sqlState());
        assertEquals("permission denied [user=reader, action=ALTER TABLE]", denied.getMessage());
        assertEquals("42501", error(reader, "CREATE TABLE r (ts TIMESTAMP) TIMESTAMP(ts) PARTITION BY DAY TTL 1D")
                .sqlState());
        assertEquals("3 DAYS", ttlShown("m"));
        // After buffered inserts: refused like the other ALTERs; the block fails and nothing of it is committed.
        run("BEGIN");
        run("INSERT INTO m VALUES (now(), 1.0)");
        assertEquals("0A000", error("ALTER TABLE m SET TTL 1 DAY").sqlState());
        run("ROLLBACK");
        assertEquals("3 DAYS", ttlShown("m"));
        assertEquals(0L, value("SELECT count(*) FROM m"));
        // DDL in a block runs at once and is not undone by ROLLBACK.
        run("BEGIN");
        run("ALTER TABLE m SET TTL 1 DAY");
        run("ROLLBACK");
        assertEquals("1 DAY", ttlShown("m"));
    }

    @Test
    void preparedStatementsKeepWorkingAfterSetTtl() {
        run("CREATE TABLE m (ts TIMESTAMP, v DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        Prepared insert = session.prepare("INSERT INTO m VALUES (now(), $1)", List.of());
        Prepared select = session.prepare("SELECT * FROM m", List.of());
        assertEquals("INSERT 0 1", drain(session.execute(insert, new Object[] {1.5})).tag());
        session.endImplicitTransaction(false);
        Object planned = ((ExecSession.Handle) select.statement()).plan;
        run("ALTER TABLE m SET TTL 30 DAYS");
        assertEquals("INSERT 0 1", drain(session.execute(insert, new Object[] {2.5})).tag());
        session.endImplicitTransaction(false);
        assertEquals(2, drain(session.execute(select, new Object[0])).rows().size());
        session.endImplicitTransaction(false);
        assertNotSame(planned, ((ExecSession.Handle) select.statement()).plan, "planned again after SET TTL");
    }
}
