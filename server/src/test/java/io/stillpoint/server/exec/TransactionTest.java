package io.stillpoint.server.exec;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Implicit transactions, BEGIN/COMMIT/ROLLBACK blocks, failed blocks, one table per transaction. */
class TransactionTest extends ExecTestSupport {

    @BeforeEach
    void table() {
        run("CREATE TABLE t (a INT, b VARCHAR)");
        run("CREATE TABLE u (a INT)");
    }

    private long count(String table) {
        return (Long) value("SELECT count(*) FROM " + table);
    }

    @Test
    void implicitTransactionCommitsAtTheEndOfTheQueryText() {
        assertEquals(TransactionStatus.IDLE, session.transactionStatus());
        run("INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (2, 'b')");
        assertEquals(2L, count("t"));
        assertEquals(TransactionStatus.IDLE, session.transactionStatus());
    }

    @Test
    void failingStatementRollsBackTheWholeImplicitTransaction() {
        SqlError e = error("INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES ('x', 'b')");
        assertEquals("22P02", e.sqlState());
        assertEquals(0L, count("t"));
    }

    @Test
    void extendedProtocolSyncCommitsOrRollsBack() {
        Prepared p = session.prepare("INSERT INTO t VALUES ($1, $2)", List.of());
        for (int i = 0; i < 255; i++) {
            session.execute(p, new Object[] {i, "v" + i});
        }
        Session other = open("other", Role.ADMIN);
        assertEquals(0L, run(other, "SELECT count(*) FROM t").get(0).value(), "uncommitted rows are invisible");
        session.endImplicitTransaction(false);
        assertEquals(255L, count("t"));

        session.execute(p, new Object[] {1, "x"});
        session.markFailed();
        session.endImplicitTransaction(false);
        assertEquals(255L, count("t"), "a transaction marked failed rolls back");

        session.execute(p, new Object[] {1, "x"});
        session.endImplicitTransaction(true);
        assertEquals(255L, count("t"));
    }

    @Test
    void beginCommit() {
        assertEquals("BEGIN", one("BEGIN").tag());
        assertEquals(TransactionStatus.IN_TRANSACTION, session.transactionStatus());
        run("INSERT INTO t VALUES (1, 'a')");
        run("INSERT INTO t VALUES (2, 'b')");
        assertEquals(TransactionStatus.IN_TRANSACTION, session.transactionStatus());
        Session other = open("other", Role.ADMIN);
        assertEquals(0L, run(other, "SELECT count(*) FROM t").get(0).value());
        assertEquals("COMMIT", one("COMMIT").tag());
        assertEquals(TransactionStatus.IDLE, session.transactionStatus());
        assertEquals(2L, count("t"));
    }

    @Test
    void beginRollbackLeavesNothing() {
        run("BEGIN");
        run("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        assertEquals("ROLLBACK", one("ROLLBACK").tag());
        assertEquals(TransactionStatus.IDLE, session.transactionStatus());
        assertEquals(0L, count("t"));
        run("INSERT INTO t VALUES (3, 'c')");
        assertEquals(List.of(row(3)), rows("SELECT a FROM t"));
    }

    @Test
    void errorInBlockAbortsUntilEnd() {
        run("BEGIN");
        run("INSERT INTO t VALUES (1, 'a')");
        SqlError e = error("SELECT nope FROM t");
        assertEquals("42703", e.sqlState());
        assertEquals(TransactionStatus.FAILED, session.transactionStatus());
        e = error("SELECT 1");
        assertEquals("25P02", e.sqlState());
        assertEquals("current transaction is aborted, commands ignored until end of transaction block", e.getMessage());
        assertEquals("25P02", error("INSERT INTO t VALUES (2, 'b')").sqlState());
        assertEquals("25P02", error("BEGIN").sqlState());
        assertEquals(TransactionStatus.FAILED, session.transactionStatus());
        assertEquals("ROLLBACK", one("COMMIT").tag(), "COMMIT of a failed block rolls back");
        assertEquals(TransactionStatus.IDLE, session.transactionStatus());
        assertEquals(0L, count("t"));
    }

    @Test
    void blockAcrossSimpleQueriesAndPipelinedBegin() {
        // pgjdbc with autocommit off: BEGIN as a simple query, then extended-protocol statements, COMMIT named.
        run("BEGIN");
        Prepared p = session.prepare("INSERT INTO t VALUES ($1, $2)", List.of());
        session.execute(p, new Object[] {1, "a"});
        session.endImplicitTransaction(false); // Sync inside a block does nothing
        assertEquals(TransactionStatus.IN_TRANSACTION, session.transactionStatus());
        assertEquals(0L, run(open("x", Role.ADMIN), "SELECT count(*) FROM t").get(0).value());
        Prepared commit = session.prepare("COMMIT", List.of());
        assertEquals("COMMIT", ((Result.Command) session.execute(commit, new Object[0])).tag());
        session.endImplicitTransaction(false);
        assertEquals(1L, count("t"));
    }

    @Test
    void aTransactionReadsItsOwnUncommittedRows() {
        run("INSERT INTO t VALUES (1, 'committed')");
        run("BEGIN");
        run("INSERT INTO t VALUES (2, 'mine'), (3, NULL)");
        assertEquals(3L, count("t"));
        assertEquals(List.of(row(2, "mine")), rows("SELECT a, b FROM t WHERE a = 2"));
        assertEquals(List.of(row(3L, 6L, 3)), rows("SELECT count(*), sum(a), max(a) FROM t"));
        assertEquals(List.of(row(3), row(2), row(1)), rows("SELECT a FROM t ORDER BY a DESC"));
        assertEquals(List.of(row("committed", 1L), row("mine", 1L), row(null, 1L)),
                rows("SELECT b, count(*) FROM t GROUP BY b ORDER BY b"));
        assertEquals(1L, run(open("other", Role.ADMIN), "SELECT count(*) FROM t").get(0).value());
        run("ROLLBACK");
        assertEquals(1L, count("t"));
        assertEquals(List.of(row(2L)), rows("SELECT count(*) + 1 FROM t"));
        List<Outcome> out = run("INSERT INTO t VALUES (5, 'x'); SELECT count(*) FROM t");
        assertEquals(2L, out.get(1).value(), "an implicit transaction of several statements sees its own rows");
    }

    @Test
    void writingASecondTableInOneTransactionIsRefused() {
        run("BEGIN");
        run("INSERT INTO t VALUES (1, 'a')");
        SqlError e = error("INSERT INTO u VALUES (1)");
        assertEquals("0A000", e.sqlState());
        run("ROLLBACK");
        assertEquals(0L, count("t"));
        assertEquals(0L, count("u"));
    }

    @Test
    void ddlInsideABlockIsCommittedAtOnce() {
        run("BEGIN; CREATE TABLE v (a INT); ROLLBACK");
        assertEquals(0L, count("v"));
    }

    @Test
    void closingASessionRollsBackAndReleasesCursors() {
        Session s = open("closer", Role.ADMIN);
        run(s, "BEGIN");
        run(s, "INSERT INTO t VALUES (1, 'a')");
        Result r = s.execute(s.prepare("SELECT * FROM t", List.of()), new Object[0]);
        s.close();
        s.close();
        assertEquals(0L, count("t"));
        assertThrows(SqlError.class, () -> s.execute(s.prepare("SELECT 1", List.of()), new Object[0]));
        assertEquals(null, ((Result.Rows) r).cursor().next());
    }

    @Test
    void readOnlyRoleMayReadButNotWrite() {
        run("INSERT INTO t VALUES (1, 'a')");
        Session reader = open("reader", Role.READ_ONLY);
        assertEquals(1L, run(reader, "SELECT count(*) FROM t").get(0).value());
        run(reader, "SET application_name = 'r'");
        run(reader, "BEGIN");
        run(reader, "COMMIT");
        assertEquals("on", run(reader, "SHOW default_transaction_read_only").get(0).value());
        SqlError e = error(reader, "INSERT INTO t VALUES (2, 'b')");
        assertEquals("42501", e.sqlState());
        assertEquals("permission denied [user=reader, action=INSERT]", e.getMessage());
        assertEquals("42501", error(reader, "CREATE TABLE w (a INT)").sqlState());
        assertEquals("42501", error(reader, "DROP TABLE t").sqlState());
        assertEquals(1L, count("t"));
    }
}
