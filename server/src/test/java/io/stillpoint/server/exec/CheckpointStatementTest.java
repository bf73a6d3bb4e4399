package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the executor decides about CHECKPOINT statements and the checkpoint table functions before the engine is
 * asked anything: who may run them, syntax errors with their position, and the columns the functions announce.
 */
class CheckpointStatementTest extends ExecTestSupport {

    private static final List<ResultColumn> STATUS_COLUMNS = List.of(
            new ResultColumn("in_progress", DataType.BOOL),
            new ResultColumn("started_at", DataType.TIMESTAMP),
            new ResultColumn("expires_at", DataType.TIMESTAMP),
            new ResultColumn("tables", DataType.INT4),
            new ResultColumn("pinned_bytes", DataType.INT8),
            new ResultColumn("last_release_reason", DataType.VARCHAR));

    @Test
    void theReadOnlyUserMayNotCreateOrRelease() {
        Session reader = open("reader", Role.READ_ONLY);
        SqlError create = error(reader, "CHECKPOINT CREATE");
        assertEquals("42501", create.sqlState());
        assertEquals("permission denied [user=reader, action=CHECKPOINT CREATE]", create.getMessage());
        assertEquals("42501", error(reader, "checkpoint create lease '1 hour'").sqlState());
        SqlError release = error(reader, "CHECKPOINT RELEASE");
        assertEquals("42501", release.sqlState());
        assertEquals("permission denied [user=reader, action=CHECKPOINT RELEASE]", release.getMessage());
        assertEquals("42501", error(reader, "SNAPSHOT PREPARE").sqlState());
        assertEquals("42501", error(reader, "SNAPSHOT COMPLETE").sqlState());
    }

    @Test
    void syntaxErrorsKeepTheirStateAndPosition() {
        SqlError bare = error("CHECKPOINT");
        assertEquals("42601", bare.sqlState());
        assertEquals(11, bare.position());
        SqlError junk = error("CHECKPOINT CREATE foo");
        assertEquals("42601", junk.sqlState());
        assertEquals(19, junk.position());
        SqlError badLease = error("CHECKPOINT CREATE LEASE 'soon'");
        assertEquals("22007", badLease.sqlState());
        assertEquals(25, badLease.position());
        assertEquals("22023", error("CHECKPOINT CREATE LEASE '0 seconds'").sqlState());
    }

    @Test
    void theFunctionsAnnounceTheirColumnsInOrder() {
        assertEquals(STATUS_COLUMNS, session.prepare("SELECT * FROM checkpoint_status()", List.of()).columns());
        assertEquals(STATUS_COLUMNS, session.prepare("select * from CHECKPOINT_STATUS", List.of()).columns());
        assertEquals(List.of(new ResultColumn("in_progress", DataType.BOOL),
                        new ResultColumn("started_at", DataType.TIMESTAMP)),
                session.prepare("SELECT cs.in_progress, started_at FROM checkpoint_status() cs", List.of())
                        .columns());
        assertEquals(List.of(new ResultColumn("path", DataType.VARCHAR),
                        new ResultColumn("committed_length", DataType.INT8)),
                session.prepare("SELECT * FROM checkpoint_files() ORDER BY path", List.of()).columns());
        assertEquals("42883", error("SELECT * FROM checkpoint_status(1)").sqlState());
        assertEquals("42703", error("SELECT nope FROM checkpoint_status()").sqlState());
    }

    @Test
    void aTableOfTheSameNameWinsOverTheFunctionWithoutParentheses() {
        run("CREATE TABLE checkpoint_status (a INT)");
        run("INSERT INTO checkpoint_status VALUES (7)");
        assertEquals(7, value("SELECT * FROM checkpoint_status"));
        assertEquals(STATUS_COLUMNS, session.prepare("SELECT * FROM checkpoint_status()", List.of()).columns());
    }
}
