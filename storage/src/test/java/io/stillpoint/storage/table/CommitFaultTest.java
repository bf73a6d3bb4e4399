package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected into every fsync, write and rename of a commit: the table stays at its previous committed
 * state, the caller gets a StorageException, the next commit works, and a reopen shows only committed data.
 */
class CommitFaultTest {

    @TempDir
    Path dir;

    private interface Arm {
        void arm(FaultInjectingFileSystem fs, int n);
    }

    /** Runs one failing commit (fault armed at n) into a new or an existing partition; false if nothing failed. */
    private boolean failingCommit(Path root, Arm arm, int n, boolean newPartition, StorageException.Kind expectedKind) {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        long day = micros("2026-11-21T00:00:00Z");
        List<List<Object>> expected;
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", withNulls(TestRows.tradeRows(day, 7, 0)));
            expected = TestRows.readAll(engine, "t");
            long failedTs = newPartition ? day + 86_400_000_000L : day + 100;
            arm.arm(fs, n);
            try {
                TestRows.insert(engine, "t", withNulls(TestRows.tradeRows(failedTs, 5, 1000)));
                fs.disarm();
                return false;
            } catch (StorageException e) {
                assertEquals(expectedKind, e.kind(), e.getMessage());
            }
            fs.disarm();
            assertEquals(expected, TestRows.readAll(engine, "t"), "state after failed commit " + n);
            assertEquals(1, engine.tables().get(0).txn());
            // The next commit works and overwrites the failed commit's bytes.
            TestRows.insert(engine, "t", TestRows.tradeRows(day + 200, 3, 2000));
            expected = TestRows.readAll(engine, "t");
            assertEquals(10, expected.size());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(expected, TestRows.readAll(engine, "t"), "after reopen, fault " + n);
            assertEquals(2, engine.tables().get(0).txn());
        }
        return true;
    }

    private static List<Object[]> withNulls(List<Object[]> rows) {
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Object[] r = rows.get(i).clone();
            if (i % 3 == 1) {
                r[1] = null;
            }
            out.add(r);
        }
        return out;
    }

    private void everyPosition(String name, Arm arm, StorageException.Kind kind) throws Exception {
        for (boolean newPartition : new boolean[]{false, true}) {
            int failures = 0;
            for (int n = 1; n < 30; n++) {
                Path root = Files.createDirectory(dir.resolve(name + "-" + newPartition + "-" + n));
                if (!failingCommit(root, arm, n, newPartition, kind)) {
                    break;
                }
                failures++;
            }
            assertTrue(failures >= 4, "expected several injection points, got " + failures);
        }
    }

    @Test
    void everyFsyncOfACommitCanFail() throws Exception {
        everyPosition("sync", FaultInjectingFileSystem::failNthSync, StorageException.Kind.IO);
    }

    @Test
    void everyWriteOfACommitCanFailHalfWritten() throws Exception {
        everyPosition("write", FaultInjectingFileSystem::failNthWrite, StorageException.Kind.IO);
    }

    @Test
    void diskFullIsReportedAsDiskFull() throws Exception {
        everyPosition("enospc", FaultInjectingFileSystem::diskFullOnNthWrite, StorageException.Kind.DISK_FULL);
    }

    /** 4 hourly partitions in one commit: the _txn record outgrows its (lowered) slot; a larger file replaces it. */
    private static List<Object[]> fourHours(long start) {
        List<Object[]> rows = new ArrayList<>();
        for (int h = 0; h < 4; h++) {
            rows.add(new Object[]{start + h * 3_600_000_000L, (long) h, h * 1.5});
        }
        return rows;
    }

    private int syncsOfGrowingCommit(Path root, int failAt) {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        long start = micros("2026-11-21T00:00:00Z");
        List<List<Object>> before;
        int syncs;
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            engine.createTable(TestRows.trades("t", PartitionBy.HOUR), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(start - 1, 1, 0));
            before = TestRows.readAll(engine, "t");
            int startSyncs = fs.fileSyncCount() + fs.directorySyncCount();
            if (failAt > 0) {
                fs.failNthSync(failAt);
                assertThrows(StorageException.class, () -> TestRows.insert(engine, "t", fourHours(start)));
                assertEquals(before, TestRows.readAll(engine, "t"));
            } else {
                TestRows.insert(engine, "t", fourHours(start));
            }
            syncs = fs.fileSyncCount() + fs.directorySyncCount() - startSyncs;
            fs.disarm();
            TestRows.insert(engine, "t", TestRows.tradeRows(start - 100, 1, 7));
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            int expectedRows = failAt > 0 ? 2 : 6;
            assertEquals(expectedRows, TestRows.readAll(engine, "t").size());
            assertEquals(failAt > 0 ? 2 : 3, engine.tables().get(0).txn());
            if (failAt > 0) {
                // The failed commit is gone; a retry of it works and outgrows the slot again.
                TestRows.insert(engine, "t", fourHours(start));
                assertEquals(6, TestRows.readAll(engine, "t").size());
            }
        }
        return syncs;
    }

    @Test
    void txnRecordOutgrowingItsSlotIsInstalledAtomicallyAlsoWhenItsSyncsFail() throws Exception {
        TxnFile.initialSlotCapacity = 256; // two partitions fit
        try {
            growingCommitFaults();
        } finally {
            TxnFile.initialSlotCapacity = TxnFile.INITIAL_SLOT_CAPACITY;
        }
    }

    private void growingCommitFaults() throws Exception {
        int syncs = syncsOfGrowingCommit(Files.createDirectory(dir.resolve("ok")), 0);
        // The last two syncs of the commit are the new _txn file's and its directory's (after the rename).
        syncsOfGrowingCommit(Files.createDirectory(dir.resolve("tmp-sync")), syncs - 1);
        syncsOfGrowingCommit(Files.createDirectory(dir.resolve("dir-sync")), syncs);
    }

    @Test
    void failedRegistryPointerSyncLeavesNoTableAndTheNextCreateWorks() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            fs.failSyncOf(p -> p.endsWith("_tables")); // the pointer's fsync, after its slot was written
            StorageException e = assertThrows(StorageException.class,
                    () -> engine.createTable(TestRows.trades("t", PartitionBy.DAY), false));
            assertEquals(StorageException.Kind.IO, e.kind());
            assertTrue(!engine.tableExists("t"));
            fs.disarm();
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(0, engine.tables().size()); // the failed slot was invalidated: the previous registry
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(0, 2, 0));
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(2, TestRows.readAll(engine, "t").size());
            assertEquals(1, engine.tables().size());
        }
    }

    /**
     * The fsyncing path, which appends too large to be deferred take (and every append when deferral is off; see
     * DeferredCommitTest for the deferred one).
     */
    @Test
    void appendCommitIsFourWritesThenOnePhaseOfFourSyncsAndNoDirectorySync() {
        Table.deferColumnSyncs = false;
        try {
            fsyncingAppend();
        } finally {
            Table.deferColumnSyncs = true;
        }
    }

    private void fsyncingAppend() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(0, 255, 0));
            // The first append grows each column file: it also writes a zero-filled extent, and syncs the same 4.
            int writesBefore = fs.writeCount();
            int syncsBefore = fs.fileSyncCount();
            TestRows.insert(engine, "t", TestRows.tradeRows(255, 255, 0));
            assertEquals(4 + 3, fs.writeCount() - writesBefore, "3 column files, 3 extents, _txn");
            assertEquals(4, fs.fileSyncCount() - syncsBefore, "3 column files + _txn");
            int syncs = fs.fileSyncCount();
            int dirSyncs = fs.directorySyncCount();
            int writes = fs.writeCount();
            int logged = fs.log().size();
            // The next append lands inside the extents: the file lengths do not change.
            TestRows.insert(engine, "t", TestRows.tradeRows(510, 255, 0));
            assertEquals(4, fs.fileSyncCount() - syncs, "3 column files + _txn");
            assertEquals(4, fs.writeCount() - writes);
            assertEquals(0, fs.directorySyncCount() - dirSyncs);
            // All writes (the _txn record last) come before all syncs: one sync phase, not two.
            List<String> commit = fs.log().subList(logged, logged + 8);
            Path partition = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0));
            Path txn = engine.tableDirectory("t").resolve(TxnFile.NAME);
            List<String> expectedWrites = new ArrayList<>();
            for (String f : List.of("c0.d", "c1.d", "c2.d")) {
                expectedWrites.add("write " + partition.resolve(f));
            }
            expectedWrites.add("write " + txn);
            assertEquals(expectedWrites, commit.subList(0, 4), "log " + commit);
            List<String> synced = new ArrayList<>(commit.subList(4, 8));
            synced.sort(null);
            List<String> expectedSyncs = new ArrayList<>();
            for (String w : expectedWrites) {
                expectedSyncs.add("sync " + w.substring("write ".length()));
            }
            expectedSyncs.sort(null);
            assertEquals(expectedSyncs, synced, "log " + commit);
        }
    }

    /**
     * The _txn fsync of the sync phase fails and so does the invalidation of the written record: while the
     * invalidation keeps failing the table refuses commits (a reopen could otherwise see a commit its client was
     * told failed); once it succeeds, commits work again; a reopen, with or without a commit after the faults,
     * shows only acknowledged commits.
     */
    @Test
    void failedInvalidationOfAFailedCommitIsRetriedBeforeTheNextCommit() throws Exception {
        long day = micros("2026-11-21T00:00:00Z");
        for (boolean commitAgain : new boolean[]{true, false}) {
            Path root = Files.createDirectory(dir.resolve("retry-" + commitAgain));
            FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
            List<List<Object>> before;
            List<List<Object>> after;
            try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
                engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
                TestRows.insert(engine, "t", TestRows.tradeRows(day, 7, 0));
                before = TestRows.readAll(engine, "t");
                Path txn = engine.tableDirectory("t").resolve(TxnFile.NAME);
                fs.failSyncOf(txn::equals);
                fs.failNthWrite(8); // 3 column files, their 3 extents, the _txn record, then the invalidation
                StorageException e = assertThrows(StorageException.class,
                        () -> TestRows.insert(engine, "t", TestRows.tradeRows(day + 100, 5, 1000)));
                assertEquals(StorageException.Kind.IO, e.kind());
                assertEquals(before, TestRows.readAll(engine, "t"));
                fs.failSyncOf(txn::equals); // the retried invalidation fails as well
                e = assertThrows(StorageException.class,
                        () -> TestRows.insert(engine, "t", TestRows.tradeRows(day + 200, 1, 0)));
                assertTrue(e.getMessage().startsWith("commit refused, the record of a failed commit could not be "
                        + "invalidated yet [path=" + txn + ", error=injected fsync failure"), e.getMessage());
                fs.disarm();
                assertEquals(before, TestRows.readAll(engine, "t"));
                if (commitAgain) {
                    TestRows.insert(engine, "t", TestRows.tradeRows(day + 300, 1, 0));
                    assertEquals(2, engine.tables().get(0).txn());
                }
                after = TestRows.readAll(engine, "t");
            }
            try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
                assertEquals(commitAgain ? 2 : 1, engine.tables().get(0).txn());
                assertEquals(after, TestRows.readAll(engine, "t"));
                TestRows.insert(engine, "t", TestRows.tradeRows(day + 400, 1, 0));
            }
        }
    }

    /** Paths (relative to the root) fsynced by a successful second commit into the same or a new partition. */
    private List<Path> syncedByCommit(Path root, boolean newPartition) {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        long day = micros("2026-11-21T00:00:00Z");
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(day, 7, 0));
            int logged = fs.log().size();
            TestRows.insert(engine, "t", withNulls(TestRows.tradeRows(newPartition ? day + 86_400_000_000L
                    : day + 100, 5, 1000)));
            List<Path> synced = new ArrayList<>();
            for (String e : fs.log().subList(logged, fs.log().size())) {
                if (!e.startsWith("write ")) {
                    synced.add(root.toAbsolutePath().relativize(Path.of(e.substring(e.indexOf(' ') + 1))));
                }
            }
            return synced;
        }
    }

    /**
     * The fsync of any one file or directory of the commit's single sync phase fails: the caller gets a
     * StorageException, the table stays at its previous state, also after a reopen (the _txn record, which may
     * have been fsynced and whose data is all there, was invalidated), and the next commit works.
     */
    @Test
    void failedFsyncOfAnyOneFileOfTheSyncPhaseLeavesThePreviousState() throws Exception {
        long day = micros("2026-11-21T00:00:00Z");
        for (boolean newPartition : new boolean[]{false, true}) {
            List<Path> targets = syncedByCommit(Files.createDirectory(dir.resolve("probe-" + newPartition)),
                    newPartition);
            // 3 column files + a new null list + _txn; a new partition adds its directory and the table directory.
            assertEquals(newPartition ? 7 : 6, targets.size(), targets.toString());
            for (int i = 0; i < targets.size(); i++) {
                Path root = Files.createDirectory(dir.resolve("f-" + newPartition + "-" + i)).toAbsolutePath();
                Path target = root.resolve(targets.get(i));
                FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
                List<List<Object>> before;
                try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
                    engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
                    TestRows.insert(engine, "t", TestRows.tradeRows(day, 7, 0));
                    before = TestRows.readAll(engine, "t");
                    fs.failSyncOf(target::equals);
                    StorageException e = assertThrows(StorageException.class, () -> TestRows.insert(engine, "t",
                            withNulls(TestRows.tradeRows(newPartition ? day + 86_400_000_000L : day + 100, 5,
                                    1000))));
                    assertEquals(StorageException.Kind.IO, e.kind());
                    assertTrue(e.getMessage().contains("injected fsync failure [target=" + target + "]"),
                            e.getMessage());
                    assertEquals(before, TestRows.readAll(engine, "t"));
                    assertEquals(1, engine.tables().get(0).txn());
                }
                try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
                    assertEquals(1, engine.tables().get(0).txn(), "failed sync of " + target);
                    assertEquals(before, TestRows.readAll(engine, "t"));
                    TestRows.insert(engine, "t", TestRows.tradeRows(day + 200, 3, 2000));
                }
                try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
                    assertEquals(2, engine.tables().get(0).txn());
                    assertEquals(10, TestRows.readAll(engine, "t").size());
                }
            }
        }
    }
}
