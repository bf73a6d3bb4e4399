package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Copy-on-write partition rewrites ({@link WriteTransaction#rewrite}): content, new version directories,
 * untouched partitions, snapshots pinned to old versions, the purge of superseded versions, crashes at every
 * file-changing call of a rewrite (also one that moves rows to other partitions), and a failed fsync.
 */
class RewriteTest {

    @TempDir
    Path dir;
    private TableEngine engine;

    private static final TableSchema SCHEMA = new TableSchema("t", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
            new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.DAY);
    private static final long D1 = micros("2026-11-01T10:00:00Z");
    private static final long D2 = micros("2026-11-02T10:00:00Z");
    private static final long D3 = micros("2026-11-03T10:00:00Z");

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static List<Object[]> initialRows() {
        return List.of(new Object[]{D1, "a", 1L}, new Object[]{D1 + 1, null, 2L}, new Object[]{D2, "b", null},
                new Object[]{D2 + 5, "bb", 4L}, new Object[]{D3, "c", 5L});
    }

    /** Rows of one partition, boxed. */
    static List<Object[]> rowsOf(PartitionSnapshot p, int columns) {
        List<Object[]> rows = new ArrayList<>();
        p.readAllRows(columns, rows);
        return rows;
    }

    /** Doubles v (NULL stays NULL) in partitions whose name is in {@code names}; deletes rows whose name is "b". */
    private static PartitionRewriter doubleAndDelete(Set<String> names, List<String> read) {
        return new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot p) {
                return names.contains(p.name());
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot p) {
                read.add(p.name());
                List<Object[]> out = new ArrayList<>();
                for (Object[] r : rowsOf(p, 3)) {
                    if ("b".equals(r[1])) {
                        continue;
                    }
                    out.add(new Object[]{r[0], r[1], r[2] == null ? null : (Long) r[2] * 2});
                }
                return out;
            }
        };
    }

    private static long rewrite(TableEngine engine, PartitionRewriter r) {
        try (WriteTransaction tx = engine.beginWrite()) {
            return tx.rewrite("t", r);
        }
    }

    private static Set<String> listing(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            Set<String> names = new TreeSet<>();
            s.forEach(x -> names.add(x.getFileName().toString()));
            return names;
        }
    }

    @Test
    void rewriteWritesNewVersionsOnlyForTouchedPartitionsAndOldSnapshotsKeepReading() throws IOException {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.housekeeping().pause(); // let the test decide when the purge runs
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        Path tableDir = engine.tableDirectory("t");
        assertEquals(Set.of("2026-11-01.1", "2026-11-02.1", "2026-11-03.1", "_txn"), listing(tableDir));
        long d3Modified = Files.getLastModifiedTime(tableDir.resolve("2026-11-03.1/c0.d")).toMillis();
        List<List<Object>> before = TestRows.readAll(engine, "t");

        TableSnapshot old = engine.snapshot("t");
        List<String> read = new ArrayList<>();
        assertEquals(2, rewrite(engine, doubleAndDelete(Set.of("2026-11-01", "2026-11-02"), read)));
        assertEquals(List.of("2026-11-01", "2026-11-02"), read, "only candidate partitions are read");
        assertEquals(List.of("2026-11-01.2", "2026-11-02.2", "2026-11-03.1"), engine.partitionDirectories("t"));
        assertEquals(List.of(List.of(D1, "a", 2L), Arrays.asList(D1 + 1, null, 4L), List.of(D2 + 5, "bb", 8L),
                List.of(D3, "c", 5L)), TestRows.readAll(engine, "t"));
        assertEquals(4, engine.tables().get(0).rowCount());
        assertEquals(d3Modified, Files.getLastModifiedTime(tableDir.resolve("2026-11-03.1/c0.d")).toMillis());

        // The old snapshot reads the old versions, also after a purge pass.
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertTrue(Files.exists(tableDir.resolve("2026-11-01.1")));
        assertEquals(before, TestRows.readAll(old));
        assertEquals(2, engine.housekeeping().pendingCount());
        old.close();
        engine.housekeeping().runOnce();
        assertEquals(0, engine.housekeeping().pendingCount());
        assertEquals(Set.of("2026-11-01.2", "2026-11-02.2", "2026-11-03.1", "_txn"), listing(tableDir));

        // Appends after a rewrite go into the new version; everything survives a reopen.
        TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{D2 + 9, "late", 7L}));
        List<List<Object>> now = TestRows.readAll(engine, "t");
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(now, TestRows.readAll(engine, "t"));
    }

    @Test
    void eachSupersededVersionWaitsForTheSnapshotsOlderThanItsSuccessor() throws IOException {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.housekeeping().pause();
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        Path tableDir = engine.tableDirectory("t");
        PartitionRewriter first = p -> p.name().equals("2026-11-01") ? rowsOf(p, 3).subList(0, 1) : null;
        TableSnapshot s1 = engine.snapshot("t");
        rewrite(engine, first); // 2026-11-01.1 superseded at 2
        TableSnapshot s2 = engine.snapshot("t");
        List<List<Object>> atTwo = TestRows.readAll(s2);
        rewrite(engine, p -> p.name().equals("2026-11-01") ? List.of() : null); // 2026-11-01.2 superseded at 3
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertTrue(Files.exists(tableDir.resolve("2026-11-01.1")));
        assertTrue(Files.exists(tableDir.resolve("2026-11-01.2")));
        s1.close();
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(tableDir.resolve("2026-11-01.1")), "no snapshot older than txn 2 is open");
        assertTrue(Files.exists(tableDir.resolve("2026-11-01.2")), "the snapshot at txn 2 still reads it");
        assertEquals(atTwo, TestRows.readAll(s2));
        s2.close();
        s2.close(); // idempotent: the pin is released once
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(tableDir.resolve("2026-11-01.2")));
        assertEquals(0, engine.housekeeping().pendingCount());
        assertEquals(Set.of("2026-11-02.1", "2026-11-03.1", "_txn"), listing(tableDir));
    }

    @Test
    void emptyResultDropsThePartitionNullLeavesItAndRowsAreSortedByTimestamp() {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        long txn = rewrite(engine, p -> p.name().equals("2026-11-02") ? List.of() : null);
        assertEquals(2, txn);
        assertEquals(List.of("2026-11-01.1", "2026-11-03.1"), engine.partitionDirectories("t"));
        assertEquals(-1, rewrite(engine, p -> null), "nothing changed, no commit");
        // Reverse the rows of the first partition: the engine writes them in timestamp order.
        rewrite(engine, p -> {
            if (!p.name().equals("2026-11-01")) {
                return null;
            }
            List<Object[]> rows = new ArrayList<>(rowsOf(p, 3));
            java.util.Collections.reverse(rows);
            rows.add(new Object[]{D1 + 3, "new", 3L});
            return rows;
        });
        assertEquals(List.of(List.of(D1, "a", 1L), Arrays.asList(D1 + 1, null, 2L), List.of(D1 + 3, "new", 3L),
                List.of(D3, "c", 5L)), TestRows.readAll(engine, "t"));
        // Truncate: every partition dropped in one commit.
        rewrite(engine, p -> List.of());
        assertEquals(0, engine.tables().get(0).rowCount());
        assertEquals(List.of(), engine.partitionDirectories("t"));
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(List.of(), TestRows.readAll(engine, "t"));
        TestRows.insert(engine, "t", initialRows());
        assertEquals(5, TestRows.readAll(engine, "t").size());
    }

    @Test
    void refusesNullTimestampsBadValuesAndRewritesAfterBufferedInserts() {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        List<List<Object>> before = TestRows.readAll(engine, "t");
        StorageException nullTs = assertThrows(StorageException.class,
                () -> rewrite(engine, p -> List.<Object[]>of(new Object[]{null, "x", 1L})));
        assertEquals(StorageException.Kind.INVALID, nullTs.kind());
        StorageException bad = assertThrows(StorageException.class,
                () -> rewrite(engine, p -> List.<Object[]>of(new Object[]{p.minTimestamp(), 1, 1L})));
        assertEquals(StorageException.Kind.INVALID, bad.kind());
        assertThrows(IllegalStateException.class, () -> rewrite(engine, p -> {
            throw new IllegalStateException("rewriter failed");
        }));
        try (WriteTransaction tx = engine.beginWrite()) {
            tx.insert("t", new Object[]{D1, "z", 0L});
            StorageException e = assertThrows(StorageException.class, () -> tx.rewrite("t", p -> List.of()));
            assertEquals(StorageException.Kind.UNSUPPORTED, e.kind());
        }
        assertEquals(before, TestRows.readAll(engine, "t"));
        assertEquals(1, engine.tables().get(0).txn());
        // The table still takes rewrites.
        assertEquals(2, rewrite(engine, p -> List.of()));
    }

    @Test
    void failedFsyncOfARewriteLeavesTheOldStateAndTheNextOpenCleansTheNewVersion() throws IOException {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        engine = TableEngine.open(new EngineConfig(dir, fs));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        List<List<Object>> before = TestRows.readAll(engine, "t");
        for (int n = 1; n <= 3; n++) {
            fs.failNthSync(n);
            assertThrows(StorageException.class,
                    () -> rewrite(engine, doubleAndDelete(Set.of("2026-11-01", "2026-11-02"), new ArrayList<>())));
            fs.disarm();
            assertEquals(before, TestRows.readAll(engine, "t"), "fsync " + n);
            assertEquals(1, engine.tables().get(0).txn());
        }
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(before, TestRows.readAll(engine, "t"));
        assertEquals(Set.of("2026-11-01.1", "2026-11-02.1", "2026-11-03.1", "_txn"),
                listing(engine.tableDirectory("t")));
        assertEquals(2, rewrite(engine, doubleAndDelete(Set.of("2026-11-01"), new ArrayList<>())));
    }

    /** What survives a simulated power loss. */
    private enum Loss { ALL_UNSYNCED, NOTHING, ALL_BUT_TXN_WRITES }

    @Test
    void crashAtEveryFileChangingCallOfARewriteLeavesTheOldOrTheNewState() throws IOException {
        crashAtEveryCall(e -> rewrite(e, doubleAndDelete(Set.of("2026-11-01", "2026-11-02"), new ArrayList<>())),
                false);
    }

    @Test
    void crashAtEveryCallOfARewriteWhoseRecordOutgrowsItsSlot() throws IOException {
        // The initial commit's record fits 760 bytes; the rewrite's (a null list for every column of every
        // partition: more appended ranges) does not, so it is installed through a new _txn file.
        TxnFile.initialSlotCapacity = 760;
        try {
            crashAtEveryCall(e -> rewrite(e, p -> {
                List<Object[]> rows = new ArrayList<>(rowsOf(p, 3));
                rows.add(new Object[]{p.maxTimestamp(), null, null});
                return rows;
            }), true);
        } finally {
            TxnFile.initialSlotCapacity = TxnFile.INITIAL_SLOT_CAPACITY;
        }
    }

    @Test
    void crashAtEveryCallOfARewriteThatMovesRowsToOtherPartitions() throws IOException {
        // Day 2 moves "b" into the pruned day 1 and "bb" into a new day 10; day 2 disappears.
        long day10 = micros("2026-11-10T01:00:00Z");
        crashAtEveryCall(e -> rewrite(e, new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot p) {
                return p.name().equals("2026-11-02");
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot p) {
                List<Object[]> out = new ArrayList<>();
                for (Object[] r : rowsOf(p, 3)) {
                    out.add(new Object[]{"b".equals(r[1]) ? D1 + 1 : day10, r[1], r[2]});
                }
                return out;
            }
        }), false);
    }

    private void crashAtEveryCall(java.util.function.Consumer<TableEngine> workload, boolean slowPath)
            throws IOException {
        // Count the calls of the rewrite alone.
        Path probeRoot = Files.createDirectory(dir.resolve("probe"));
        CrashSimulatingFileSystem probe = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(dir.resolve("probe-b")));
        long setupOps;
        long totalOps;
        List<List<Object>> oldRows;
        List<List<Object>> newRows;
        try (TableEngine e = TableEngine.open(new EngineConfig(probeRoot, probe))) {
            e.createTable(SCHEMA, false);
            TestRows.insert(e, "t", initialRows());
            oldRows = TestRows.readAll(e, "t");
            setupOps = probe.operations();
            long txnSize = Files.size(e.tableDirectory("t").resolve(TxnFile.NAME));
            workload.accept(e);
            totalOps = probe.operations();
            assertEquals(slowPath, Files.size(e.tableDirectory("t").resolve(TxnFile.NAME)) != txnSize,
                    "the rewrite took the slow path");
            newRows = TestRows.readAll(e, "t");
        }
        assertTrue(totalOps > setupOps + 5, "a rewrite changes files [ops=" + (totalOps - setupOps) + "]");
        for (long n = setupOps + 1; n <= totalOps + 1; n++) {
            for (Loss loss : Loss.values()) {
                Path root = Files.createDirectory(dir.resolve("r" + n + loss));
                Path backups = Files.createDirectory(dir.resolve("b" + n + loss));
                CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n, backups);
                boolean acknowledged = false;
                try (TableEngine e = TableEngine.open(new EngineConfig(root, fs))) {
                    e.createTable(SCHEMA, false);
                    TestRows.insert(e, "t", initialRows());
                    workload.accept(e);
                    acknowledged = true;
                } catch (StorageException e) {
                    assertTrue(fs.crashed(), "only the simulated crash may fail: " + e.getMessage());
                }
                if (loss == Loss.ALL_UNSYNCED) {
                    fs.loseUnsyncedState();
                } else if (loss == Loss.ALL_BUT_TXN_WRITES) {
                    fs.loseUnsyncedStateExceptWritesTo(p -> p.getFileName().toString().equals(TxnFile.NAME));
                }
                EngineConfig reopen = new EngineConfig(root, new CrashSimulatingFileSystem(Long.MAX_VALUE, backups));
                try (TableEngine e = TableEngine.open(reopen)) {
                    List<List<Object>> rows = TestRows.readAll(e, "t");
                    String where = "[crashAt=" + n + ", loss=" + loss + ", acknowledged=" + acknowledged + "]";
                    if (acknowledged) {
                        assertEquals(newRows, rows, "acknowledged rewrite lost " + where);
                    } else {
                        assertTrue(rows.equals(oldRows) || rows.equals(newRows), "between states " + where + rows);
                    }
                    // Leftovers are gone after open; what the committed _txn references is there.
                    Set<String> expectedDirs = new TreeSet<>(e.partitionDirectories("t"));
                    expectedDirs.add(TxnFile.NAME);
                    assertEquals(expectedDirs, listing(e.tableDirectory("t")), where);
                    // The table takes a rewrite again.
                    rewrite(e, p -> p.name().equals("2026-11-03") ? List.of() : null);
                    long day3 = micros("2026-11-03T00:00:00Z");
                    long day4 = micros("2026-11-04T00:00:00Z");
                    assertEquals(rows.stream().filter(r -> (Long) r.get(0) < day3 || (Long) r.get(0) >= day4).count(),
                            TestRows.readAll(e, "t").size(), where);
                }
            }
        }
    }

    // ---------------------------------------------------------------- out-of-order inserts

    /** Rows out of order: into the old partition 2026-11-01 (before its last row), a new one, and the last one. */
    private static List<Object[]> lateRows() {
        return List.of(new Object[]{D3 + 7, "in-order", 9L}, new Object[]{D1 + 1, "late-equal", 7L},
                new Object[]{D1 - 5, "late-first", 6L}, new Object[]{D2 + 5, "late-equal-2", null}, new Object[]{D2 + 1, "late-2", 3L},
                new Object[]{micros("2026-10-30T00:00:00Z"), "older-day", 8L});
    }

    private static void sortedByTimestamp(List<List<Object>> rows) {
        for (int i = 1; i < rows.size(); i++) {
            assertTrue((Long) rows.get(i - 1).get(0) <= (Long) rows.get(i).get(0), "row " + i + " out of order " + rows);
        }
    }

    @Test
    void outOfOrderInsertsMergeCopyOnWriteAndInOrderOnesAppend() throws IOException {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.housekeeping().pause();
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        Path tableDir = engine.tableDirectory("t");
        List<List<Object>> before = TestRows.readAll(engine, "t");
        TableSnapshot old = engine.snapshot("t");

        // A row equal to a partition's last timestamp appends (it comes after it in commit order).
        TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{D3, "c-equal", 0L}));
        assertEquals(List.of("2026-11-01.1", "2026-11-02.1", "2026-11-03.1"), engine.partitionDirectories("t"));
        before = TestRows.readAll(engine, "t");
        old.close();
        old = engine.snapshot("t");

        assertEquals(3, TestRows.insert(engine, "t", lateRows()));
        // 2026-11-01 and 2026-11-02 merged into new versions; 2026-11-03 took a plain append; 2026-10-30 is new.
        assertEquals(List.of("2026-10-30.3", "2026-11-01.3", "2026-11-02.3", "2026-11-03.1"),
                engine.partitionDirectories("t"));
        List<List<Object>> after = TestRows.readAll(engine, "t");
        assertEquals(List.of(List.of(micros("2026-10-30T00:00:00Z"), "older-day", 8L), List.of(D1 - 5, "late-first", 6L),
                List.of(D1, "a", 1L), Arrays.asList(D1 + 1, null, 2L), List.of(D1 + 1, "late-equal", 7L),
                Arrays.asList(D2, "b", null), List.of(D2 + 1, "late-2", 3L), List.of(D2 + 5, "bb", 4L), Arrays.asList(D2 + 5, "late-equal-2", null),
                List.of(D3, "c", 5L), List.of(D3, "c-equal", 0L), List.of(D3 + 7, "in-order", 9L)), after,
                "timestamp order; equal timestamps keep the order of the commits");
        assertEquals(12, engine.tables().get(0).rowCount());

        // A snapshot opened before the merge reads the old versions, also after a purge pass.
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertEquals(before, TestRows.readAll(old));
        assertTrue(Files.exists(tableDir.resolve("2026-11-01.1")));
        old.close();
        engine.housekeeping().runOnce();
        assertEquals(0, engine.housekeeping().pendingCount());
        assertEquals(Set.of("2026-10-30.3", "2026-11-01.3", "2026-11-02.3", "2026-11-03.1", "_txn"),
                listing(tableDir));

        // A batch out of order within itself into a new partition is sorted (stably); in-order appends append.
        long d5 = micros("2026-11-05T10:00:00Z");
        TestRows.insert(engine, "t", List.of(new Object[]{d5 + 2, "x2", 2L}, new Object[]{d5, "x0", 0L},
                new Object[]{d5 + 2, "x3", 3L}, new Object[]{d5 + 1, "x1", 1L}));
        TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{d5 + 3, "x4", 4L}));
        assertEquals(List.of("2026-10-30.3", "2026-11-01.3", "2026-11-02.3", "2026-11-03.1", "2026-11-05.4"),
                engine.partitionDirectories("t"));
        List<List<Object>> now = TestRows.readAll(engine, "t");
        assertEquals(List.of("x0", "x1", "x2", "x3", "x4"),
                now.subList(12, 17).stream().map(r -> r.get(1)).toList());
        sortedByTimestamp(now);
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(now, TestRows.readAll(engine, "t"));
    }

    @Test
    void failedFsyncOfAMergingCommitLeavesTheOldState() throws IOException {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        engine = TableEngine.open(new EngineConfig(dir, fs));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        List<List<Object>> before = TestRows.readAll(engine, "t");
        for (int n = 1; n <= 4; n++) {
            fs.failNthSync(n);
            assertThrows(StorageException.class, () -> TestRows.insert(engine, "t", lateRows()));
            fs.disarm();
            assertEquals(before, TestRows.readAll(engine, "t"), "fsync " + n);
            assertEquals(1, engine.tables().get(0).txn());
        }
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(before, TestRows.readAll(engine, "t"));
        assertEquals(Set.of("2026-11-01.1", "2026-11-02.1", "2026-11-03.1", "_txn"),
                listing(engine.tableDirectory("t")));
        TestRows.insert(engine, "t", lateRows());
        sortedByTimestamp(TestRows.readAll(engine, "t"));
        assertEquals(11, TestRows.readAll(engine, "t").size());
    }

    @Test
    void crashAtEveryFileChangingCallOfAMergingCommitLeavesTheOldOrTheNewState() throws IOException {
        crashAtEveryCall(e -> TestRows.insert(e, "t", lateRows()), false);
    }

    @Test
    void rewriteSeesAppendsCommittedConcurrently() throws Exception {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", initialRows());
        long start = D1 + 100;
        Thread appender = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{start + i, "x", 1L}));
            }
        });
        appender.start();
        Function<PartitionSnapshot, List<Object[]>> increment = p -> {
            List<Object[]> out = new ArrayList<>();
            for (Object[] r : rowsOf(p, 3)) {
                out.add(new Object[]{r[0], r[1], r[2] == null ? null : (Long) r[2] + 1});
            }
            return out;
        };
        for (int i = 0; i < 50; i++) {
            rewrite(engine, p -> p.name().equals("2026-11-01") ? increment.apply(p) : null);
        }
        appender.join();
        // Every appended row survived; the rewrites incremented every row they saw.
        long xs = TestRows.readAll(engine, "t").stream().filter(r -> "x".equals(r.get(1))).count();
        assertEquals(200, xs);
        assertEquals(List.of(D1, "a", 51L), TestRows.readAll(engine, "t").get(0));
        assertFalse(TestRows.readAll(engine, "t").stream().anyMatch(r -> "x".equals(r.get(1))
                && ((Long) r.get(2) < 1 || (Long) r.get(2) > 51)));
    }
}
