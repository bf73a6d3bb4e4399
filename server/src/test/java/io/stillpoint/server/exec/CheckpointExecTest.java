package io.stillpoint.server.exec;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CHECKPOINT CREATE / RELEASE and the checkpoint table functions through the executor, against the real engine and
 * its coordinator: the status row's values, the files, the states that are refused (55000, 53100), the lease from
 * the statement and from the engine's policy, and the statements' independence from sessions and transactions.
 */
class CheckpointExecTest extends ExecTestSupport {

    private static final long HOUR_MICROS = 3_600_000_000L;

    @BeforeEach
    void data() {
        run("CREATE TABLE trades (ts TIMESTAMP, sym VARCHAR, px DOUBLE) TIMESTAMP(ts) PARTITION BY DAY");
        run("INSERT INTO trades VALUES ('2026-11-20T10:00:00', 'A', 1.5), ('2026-11-21T10:00:00', 'B', 2.5)");
        run("CREATE TABLE notes (n INT)");
        run("INSERT INTO notes VALUES (1), (2), (3)");
    }

    /** Reopens the engine on the same root with another checkpoint policy. */
    private void reopen(EngineConfig.CheckpointPolicy policy) {
        for (Session s : sessions) {
            s.close();
        }
        sessions.clear();
        engine.close();
        engine = TableEngine.open(EngineConfig.of(root).withCheckpointPolicy(policy));
        executor = new SqlExecutor(engine);
        session = open("admin", Role.ADMIN);
    }

    private List<Object> status() {
        List<List<Object>> rows = rows("SELECT * FROM checkpoint_status()");
        assertEquals(1, rows.size(), "checkpoint_status() has one row: " + rows);
        return rows.get(0);
    }

    @Test
    void createShowsInTheStatusAndFilesAndReleaseEndsIt() {
        List<Object> idle = status();
        assertEquals(row(false, null, null, 0, 0L, null), idle);
        assertEquals(List.of(), rows("SELECT * FROM checkpoint_files()"));

        Outcome create = one("CHECKPOINT CREATE");
        assertEquals("CHECKPOINT", create.tag());
        assertNull(create.columns());

        List<Object> active = status();
        assertEquals(true, active.get(0));
        long startedAt = (Long) active.get(1);
        long nowMicros = System.currentTimeMillis() * 1000;
        assertTrue(Math.abs(nowMicros - startedAt) < 60_000_000L, "started_at is now: " + startedAt);
        assertEquals(startedAt + 24 * HOUR_MICROS, active.get(2), "the default lease is 24 hours");
        assertEquals(2, active.get(3), "two tables");
        assertTrue((Long) active.get(4) >= 0);
        assertNull(active.get(5));
        assertEquals(row(true), rows("SELECT in_progress FROM checkpoint_status").get(0), "without parentheses");

        List<List<Object>> files = rows("SELECT path, committed_length FROM checkpoint_files() ORDER BY path");
        assertFalse(files.isEmpty());
        for (List<Object> f : files) {
            String path = (String) f.get(0);
            assertFalse(path.startsWith("/"), path);
            assertTrue((Long) f.get(1) >= 0, f.toString());
        }
        long nonEmpty = (Long) value("SELECT count(*) FROM checkpoint_files() WHERE committed_length > 0");
        assertTrue(nonEmpty > 0, "the rows written are in files of non-zero committed length");
        assertEquals((long) files.size(), value("SELECT count(*) FROM checkpoint_files"));

        assertEquals("CHECKPOINT", one("CHECKPOINT RELEASE").tag());
        assertEquals(row(false, null, null, 0, 0L, "released"), status());
        assertEquals(List.of(), rows("SELECT * FROM checkpoint_files()"));
    }

    @Test
    void aSecondCreateIs55000AndLeavesTheFirstAlone() {
        run("CHECKPOINT CREATE");
        Object startedAt = status().get(1);
        SqlError again = error("CHECKPOINT CREATE LEASE '1 hour'");
        assertEquals("55000", again.sqlState());
        assertTrue(again.getMessage().startsWith("checkpoint is already active, release it first"),
                again.getMessage());
        SqlError legacy = error("SNAPSHOT PREPARE");
        assertEquals("55000", legacy.sqlState());
        List<Object> after = status();
        assertEquals(true, after.get(0));
        assertEquals(startedAt, after.get(1));
        assertEquals((Long) startedAt + 24 * HOUR_MICROS, after.get(2), "the first one's lease is kept");
        run("SNAPSHOT COMPLETE");
        assertEquals(false, status().get(0));
    }

    @Test
    void releaseWithoutACheckpointIsANoOp() {
        assertEquals("CHECKPOINT", one("CHECKPOINT RELEASE").tag());
        assertEquals("CHECKPOINT", one("checkpoint release;").tag());
        assertEquals(row(false, null, null, 0, 0L, null), status());
        run("CHECKPOINT CREATE; CHECKPOINT RELEASE");
        assertEquals("CHECKPOINT", one("CHECKPOINT RELEASE").tag());
        assertEquals("released", status().get(5));
    }

    @Test
    void theReadOnlyUserMayReadTheStatusButNotRelease() {
        run("CHECKPOINT CREATE");
        Session reader = open("reader", Role.READ_ONLY);
        assertEquals(true, run(reader, "SELECT in_progress FROM checkpoint_status()").get(0).value());
        assertFalse(run(reader, "SELECT * FROM checkpoint_files()").get(0).rows().isEmpty());
        assertEquals("42501", error(reader, "CHECKPOINT RELEASE").sqlState());
        assertEquals(true, status().get(0), "still active");
    }

    @Test
    void notTransactionalInsideBeginAndRollback() {
        run("BEGIN");
        run("INSERT INTO notes VALUES (4)");
        assertEquals("CHECKPOINT", one("CHECKPOINT CREATE").tag());
        run("ROLLBACK");
        assertEquals(true, status().get(0), "ROLLBACK does not undo CHECKPOINT CREATE");
        assertEquals(3L, value("SELECT count(*) FROM notes"), "the insert is rolled back");

        run("BEGIN; CHECKPOINT RELEASE; ROLLBACK");
        assertEquals(false, status().get(0), "ROLLBACK does not undo CHECKPOINT RELEASE");

        run("BEGIN; CHECKPOINT CREATE; COMMIT");
        assertEquals(true, status().get(0));
        // In a failed block it is refused like any statement, and nothing changes.
        run("BEGIN");
        error("SELECT nope FROM notes");
        assertEquals("25P02", error("CHECKPOINT RELEASE").sqlState());
        run("ROLLBACK");
        assertEquals(true, status().get(0));
    }

    @Test
    void notBoundToTheSession() {
        Session creator = open("admin", Role.ADMIN);
        run(creator, "CHECKPOINT CREATE");
        creator.close();
        assertEquals(true, status().get(0), "closing the creating session does not release");
        Session other = open("admin", Role.ADMIN);
        run(other, "CHECKPOINT RELEASE");
        assertEquals(false, status().get(0));
    }

    @Test
    void theStatementsLeaseReachesExpiresAt() {
        run("CHECKPOINT CREATE LEASE '30 minutes'");
        List<Object> s = status();
        assertEquals((Long) s.get(1) + 30 * 60_000_000L, s.get(2));
        run("CHECKPOINT RELEASE");
        run("CHECKPOINT CREATE LEASE INTERVAL '1 hour 30 minutes'");
        s = status();
        assertEquals((Long) s.get(1) + 90 * 60_000_000L, s.get(2));
        assertEquals(1L, value("SELECT count(*) FROM checkpoint_status() WHERE expires_at > started_at"));
    }

    @Test
    void theEnginesDefaultLeaseAppliesWithoutLease() {
        EngineConfig.CheckpointPolicy d = EngineConfig.CheckpointPolicy.DEFAULT;
        reopen(new EngineConfig.CheckpointPolicy(Duration.ofHours(2), 0, d.guardInterval(), d.clock()));
        run("CHECKPOINT CREATE");
        List<Object> s = status();
        assertEquals((Long) s.get(1) + 2 * HOUR_MICROS, s.get(2));
    }

    @Test
    void belowTheDiskFloorCreateIs53100() {
        EngineConfig.CheckpointPolicy d = EngineConfig.CheckpointPolicy.DEFAULT;
        reopen(new EngineConfig.CheckpointPolicy(d.defaultLease(), Long.MAX_VALUE / 2, d.guardInterval(),
                d.clock()));
        SqlError e = error("CHECKPOINT CREATE");
        assertEquals("53100", e.sqlState());
        assertTrue(e.getMessage().contains("floor="), e.getMessage());
        assertEquals(false, status().get(0));
    }

    @Test
    void aLeaseThatExpiredMakesTheNextRelease55000Once() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T12:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        reopen(new EngineConfig.CheckpointPolicy(Duration.ofHours(24), 0, Duration.ofMillis(10), clock));
        run("CHECKPOINT CREATE LEASE '30 minutes'");
        assertEquals(Values.parseTimestamp("2026-11-22 12:30:00"), status().get(2));
        now.set(Instant.parse("2026-11-22T12:31:00Z"));
        // The guard thread checks every 10 ms.
        for (int i = 0; i < 1000 && Boolean.TRUE.equals(status().get(0)); i++) {
            Thread.sleep(10);
        }
        List<Object> ended = status();
        assertEquals(false, ended.get(0));
        assertEquals("lease expired", ended.get(5));
        SqlError e = error("CHECKPOINT RELEASE");
        assertEquals("55000", e.sqlState());
        assertTrue(e.getMessage().startsWith("checkpoint ended before release, the copy is not valid"),
                e.getMessage());
        assertTrue(e.getMessage().contains("lease expired"), e.getMessage());
        assertEquals("CHECKPOINT", one("CHECKPOINT RELEASE").tag(), "only the first release after it fails");
        assertNotNull(status());
    }

    @Test
    void housekeepingStatusShowsThePauseAndTheBacklogACheckpointHolds() throws Exception {
        List<List<Object>> idle = rows("SELECT job, paused, pending_versions, pending_bytes FROM housekeeping_status()");
        assertEquals(List.of(row("purge", false, 0L, 0L), row("ttl", false, 0L, 0L), row("compaction", false, 0L, 0L)),
                idle);

        run("CHECKPOINT CREATE");
        run("DROP TABLE notes");
        List<Object> held = rows("SELECT * FROM housekeeping_status() WHERE job = 'purge'").get(0);
        assertEquals(true, held.get(1), "paused while the checkpoint is active");
        assertTrue((Long) held.get(2) >= 1, "the dropped table waits: " + held);
        assertTrue((Long) held.get(3) > 0, "with its bytes: " + held);
        assertTrue((Long) status().get(4) > 0, "and the checkpoint shows them as pinned");

        run("CHECKPOINT RELEASE");
        List<Object> after = null;
        for (int i = 0; i < 500; i++) {
            after = rows("SELECT * FROM housekeeping_status").get(0);
            if ((Long) after.get(2) == 0) {
                break;
            }
            Thread.sleep(10);
        }
        assertEquals(false, after.get(1));
        assertEquals(0L, after.get(2), "the purge ran after the release: " + after);
        assertNotNull(after.get(4), "last_run_at is set once a pass ran");
    }

    @Test
    void throughTheMeteringWrapperAsTheServerRunsIt() {
        SqlExecutor metered = new SqlExecutor(new io.stillpoint.server.http.MeteredEngine(engine,
                new io.stillpoint.server.http.Metrics()));
        Session s = metered.openSession("admin", Role.ADMIN, java.util.Map.of());
        sessions.add(s);
        assertEquals("CHECKPOINT", run(s, "CHECKPOINT CREATE").get(0).tag());
        assertEquals(true, run(s, "SELECT in_progress FROM checkpoint_status()").get(0).value());
        assertFalse(run(s, "SELECT * FROM checkpoint_files()").get(0).rows().isEmpty());
        assertEquals(true, run(s, "SELECT paused FROM housekeeping_status() WHERE job = 'purge'").get(0).value());
        run(s, "CHECKPOINT RELEASE");
        assertEquals(false, status().get(0));
    }

    @Test
    void sessionsRacingCreateExactlyOneWins() throws Exception {
        int racers = 4;
        for (int round = 0; round < 5; round++) {
            List<Session> racing = new java.util.ArrayList<>();
            for (int i = 0; i < racers; i++) {
                racing.add(open("admin", Role.ADMIN));
            }
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(racers);
            try {
                List<java.util.concurrent.Future<String>> outcomes = new java.util.ArrayList<>();
                for (Session s : racing) {
                    outcomes.add(pool.submit(() -> {
                        go.await();
                        try {
                            return run(s, "CHECKPOINT CREATE").get(0).tag();
                        } catch (SqlError e) {
                            return e.sqlState();
                        }
                    }));
                }
                go.countDown();
                List<String> results = new java.util.ArrayList<>();
                for (java.util.concurrent.Future<String> f : outcomes) {
                    results.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertEquals(1, results.stream().filter("CHECKPOINT"::equals).count(), results.toString());
                assertEquals(racers - 1, results.stream().filter("55000"::equals).count(), results.toString());
            } finally {
                pool.shutdownNow();
            }
            assertEquals(true, status().get(0));
            run("CHECKPOINT RELEASE");
        }
    }
}
