package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Server-side prepared statements (Parse once, Bind/Execute many) after the tables they read or write changed:
 * planned again from the parsed statement, as PostgreSQL does, unless the result columns described at Parse would
 * change (0A000, PostgreSQL's wording) or the table is gone (42P01).
 */
class PreparedReplanTest extends ExecTestSupport {

    private void trades() {
        run("CREATE TABLE t (ts TIMESTAMP, note VARCHAR, sym VARCHAR, qty INT) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-01 10:00:00', 'n1', 'a', 1), ('2026-11-02 10:00:00', 'n2', 'b', 2)");
    }

    /** Bind + Execute of an already parsed statement, then the Sync that ends the implicit transaction. */
    private Outcome execute(Prepared p, Object... params) {
        try {
            Outcome o = drain(session.execute(p, params));
            session.endImplicitTransaction(false);
            return o;
        } catch (SqlError e) {
            session.endImplicitTransaction(true);
            throw e;
        }
    }

    private SqlError failing(Prepared p, Object... params) {
        return assertThrows(SqlError.class, () -> execute(p, params));
    }

    private static Object plan(Prepared p) {
        return ((ExecSession.Handle) p.statement()).plan;
    }

    @Test
    void aSelectKeepsWorkingAfterColumnsItDoesNotUseChange() {
        trades();
        Prepared select = session.prepare("SELECT sym, qty FROM t WHERE qty >= $1 ORDER BY ts", List.of());
        assertEquals(List.of(row("a", 1), row("b", 2)), execute(select, 1).rows());
        Object first = plan(select);
        execute(select, 1);
        assertSame(first, plan(select), "unchanged tables: the cached plan is used as it is");

        run("ALTER TABLE t ADD COLUMN px DOUBLE PRECISION");
        assertEquals(List.of(row("b", 2)), execute(select, 2).rows());
        assertNotSame(first, plan(select), "planned again after ADD COLUMN");
        // DROP COLUMN of a column before the selected ones moves their positions: the new plan reads the right ones.
        run("ALTER TABLE t DROP COLUMN note");
        run("INSERT INTO t VALUES ('2026-11-03 10:00:00', 'c', 3, 1.5)");
        assertEquals(List.of(row("a", 1), row("b", 2), row("c", 3)), execute(select, 0).rows());
        Object replanned = plan(select);
        execute(select, 0);
        assertSame(replanned, plan(select));
    }

    @Test
    void aJoinIsPlannedAgainToo() {
        trades();
        run("CREATE TABLE s (sym VARCHAR, name VARCHAR)");
        run("INSERT INTO s VALUES ('a', 'alpha'), ('b', 'beta')");
        Prepared join = session.prepare("SELECT t.qty, s.name FROM t JOIN s ON t.sym = s.sym ORDER BY t.qty",
                List.of());
        assertEquals(List.of(row(1, "alpha"), row(2, "beta")), execute(join).rows());
        run("ALTER TABLE t DROP COLUMN note");
        run("ALTER TABLE s ADD COLUMN extra INT");
        assertEquals(List.of(row(1, "alpha"), row(2, "beta")), execute(join).rows());
    }

    @Test
    void selectStarAfterAddColumnIsRefusedWithPostgresWording() {
        trades();
        Prepared star = session.prepare("SELECT * FROM t WHERE qty = $1", List.of());
        assertEquals(1, execute(star, 1).rows().size());
        run("ALTER TABLE t ADD COLUMN px DOUBLE PRECISION");
        SqlError e = failing(star, 1);
        assertEquals("0A000", e.sqlState());
        assertEquals(SqlError.ROUTINE_REVALIDATE_CACHED_QUERY, e.routine(), "clients re-prepare on this routine name");
        assertEquals("cached plan must not change result type [table=t, columns=ts note sym qty, "
                + "now=ts note sym qty px]", e.getMessage());
        // It keeps failing (the client must prepare it again); a new Parse sees the new columns.
        assertEquals("0A000", failing(star, 1).sqlState());
        assertEquals(List.of(row(ts("2026-11-01 10:00:00"), "n1", "a", 1, null)),
                prepared(session, "SELECT * FROM t WHERE qty = $1", List.of(), 1).rows());
        // Dropping the added column again gives the described columns back: it works again.
        run("ALTER TABLE t DROP COLUMN px");
        assertEquals(1, execute(star, 1).rows().size());
    }

    @Test
    void aDroppedTableIs42P01AndARecreatedOneIsRead() {
        trades();
        Prepared select = session.prepare("SELECT sym FROM t ORDER BY ts", List.of());
        execute(select);
        run("DROP TABLE t");
        SqlError gone = failing(select);
        assertEquals("42P01", gone.sqlState());
        assertEquals("table does not exist [table=t]", gone.getMessage());
        run("CREATE TABLE t (ts TIMESTAMP, sym VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO t VALUES ('2026-11-05 10:00:00', 'z')");
        assertEquals(List.of(row("z")), execute(select).rows());
        run("ALTER TABLE t RENAME TO u");
        assertEquals("42P01", failing(select).sqlState());
        run("ALTER TABLE u RENAME TO t");
        assertEquals(List.of(row("z")), execute(select).rows());
    }

    @Test
    void insertUpdateAndDeleteKeepWorkingAfterAlter() {
        trades();
        Prepared insert = session.prepare("INSERT INTO t (ts, sym, qty) VALUES ($1, $2, $3)", List.of());
        Prepared update = session.prepare("UPDATE t SET qty = qty + $1 WHERE sym = $2", List.of());
        Prepared delete = session.prepare("DELETE FROM t WHERE sym = $1", List.of());
        assertEquals("INSERT 0 1", execute(insert, ts("2026-11-03 10:00:00"), "c", 3).tag());
        assertEquals("UPDATE 1", execute(update, 10, "a").tag());

        run("ALTER TABLE t ADD COLUMN px DOUBLE PRECISION");
        run("ALTER TABLE t DROP COLUMN note");
        assertEquals("INSERT 0 1", execute(insert, ts("2026-11-04 10:00:00"), "d", 4).tag());
        assertEquals("UPDATE 1", execute(update, 100, "b").tag());
        assertEquals("DELETE 1", execute(delete, "c").tag());
        assertEquals(List.of(row("a", 11, null), row("b", 102, null), row("d", 4, null)),
                rows("SELECT sym, qty, px FROM t ORDER BY ts"));

        run("DROP TABLE t");
        assertEquals("42P01", failing(insert, ts("2026-11-04 10:00:00"), "e", 5).sqlState());
        assertEquals("42P01", failing(update, 1, "a").sqlState());
    }

    @Test
    void aStatementThatReadsNoTableIsNeverPlannedAgain() {
        trades();
        Prepared constant = session.prepare("SELECT $1::int + 1", List.of());
        Object first = plan(constant);
        run("ALTER TABLE t ADD COLUMN px DOUBLE PRECISION");
        assertEquals(List.of(row(3)), execute(constant, 2).rows());
        assertSame(first, plan(constant));
    }

    @Test
    void anAlterBetweenTheCheckAndTheSnapshotIsCaughtByTheScanAndPlannedAgain() {
        trades();
        Prepared select = session.prepare("SELECT sym, qty FROM t ORDER BY ts", List.of());
        Prepared star = session.prepare("SELECT * FROM t ORDER BY ts", List.of());
        execute(select);
        execute(star);
        run("ALTER TABLE t DROP COLUMN note");
        // As if the ALTER had committed just after the dependency check: only the scan's own check sees it.
        ((ExecSession.Handle) select.statement()).dependencies = PlanDependencies.NONE;
        ((ExecSession.Handle) star.statement()).dependencies = PlanDependencies.NONE;
        assertEquals(List.of(row("a", 1), row("b", 2)), execute(select).rows());
        SqlError e = failing(star);
        assertEquals("0A000", e.sqlState());
        assertEquals("cached plan must not change result type [table=t, columns=ts note sym qty, now=ts sym qty]",
                e.getMessage());
    }
}
