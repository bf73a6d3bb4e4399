package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deferred commits (see {@code Table.install}): a small append into existing files copies its bytes into its
 * {@code _txn} record and is acknowledged after one fsync, of {@code _txn}; the column files are fsynced before a
 * ring slot a recovery could need is reused, at a checkpoint's cut and at close. Faults in each of those steps.
 * {@link CrashRecoveryTest#deferredCommitsSurviveACrashAtEveryMutatingCall} simulates power losses.
 */
class DeferredCommitTest {

    private static final long DAY = micros("2026-11-21T00:00:00Z");

    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void flushInForeground() {
        Table.flushInBackground = false; // exact I/O orders; backgroundFlush... turns it back on
    }

    @AfterEach
    void defaults() {
        TxnFile.ringBytes = TxnFile.RING_BYTES;
        Table.flushInBackground = true;
    }

    /**
     * Half a ring of deferred commits starts fsyncing their column files on the background thread; once that is
     * done the watermark has moved, so the commit that would have had to flush (at txn slots + 2) does not.
     */
    @Test
    void backgroundFlushSparesTheCommitsTheWaitForColumnFsyncs() throws Exception {
        Table.flushInBackground = true;
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            Table table = engine.liveTable("t");
            int slots = TxnFile.layout(FileSystemFacade.real(),
                    engine.tableDirectory("t").resolve(TxnFile.NAME)).count();
            Path partition = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0));
            long txn = 2;
            while (txn < 2 + slots / 2) {
                txn++;
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000 + 10 * txn, 10, (int) (10 * txn)));
            }
            // The commit of txn 2 + slots / 2 started the flush; wait until it is done.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (table.durableTxn() < txn && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(txn, table.durableTxn(), "the background flush covered every commit up to it");
            assertTrue(fs.log().contains("sync " + partition.resolve("c2.d")), fs.log().toString());
            // Up to txn slots + 1 nothing flushes; txn slots + 2 would have had to (see the test above) but the
            // watermark moved; it starts the next background flush, whose fsyncs may land in its window.
            while (txn < slots + 2) {
                txn++;
                int logged = fs.log().size();
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000 + 10 * txn, 10, (int) (10 * txn)));
                List<String> synced = syncs(fs.log().subList(logged, fs.log().size()));
                if (txn < slots + 2) {
                    assertEquals(List.of("sync " + engine.tableDirectory("t").resolve(TxnFile.NAME)), synced);
                }
            }
            assertEquals(200 + slots * 10, TestRows.readAll(engine, "t").size());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(200 + slots(engine) * 10, TestRows.readAll(engine, "t").size());
        }
    }

    private static int slots(TableEngine engine) throws java.io.IOException {
        return TxnFile.layout(FileSystemFacade.real(), engine.tableDirectory("t").resolve(TxnFile.NAME)).count();
    }

    /**
     * A commit that fsyncs its own files (here: one that creates a partition) claims every earlier commit durable
     * in its files, so it must wait for a background flush still running: it does not return while that flush's
     * fsync is held, and returns once it is released.
     */
    @Test
    void fsyncingCommitWaitsForTheRunningBackgroundFlush() throws Exception {
        Table.flushInBackground = true;
        TxnFile.ringBytes = 4 * 4096; // 4 slots: txn 4 (2 not durable) starts the flush
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            Table table = engine.liveTable("t");
            Path price = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0)).resolve("c2.d");
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            try {
                java.util.concurrent.CountDownLatch held = fs.holdSyncOf(price::equals, release);
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000, 10, 1000)); // txn 3, deferred
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2000, 10, 2000)); // txn 4: flush starts
                assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS), "the background flush is held");
                java.util.concurrent.CompletableFuture<Long> nextDay =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> TestRows.insert(engine, "t",
                                TestRows.tradeRows(DAY + 86_400_000_000L, 10, 5000)));
                Thread.sleep(300);
                assertTrue(!nextDay.isDone(), "returned while the background flush was still running");
                release.countDown();
                assertEquals(5L, nextDay.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(5, table.durableTxn());
            } finally {
                release.countDown(); // never leave the flush (and the engine's close) waiting
            }
        }
    }

    /** A background flush that fails leaves the repair to the next flush: nothing acknowledged is lost. */
    @Test
    void failedBackgroundFlushIsRepairedFromTheRecords() throws Exception {
        Table.flushInBackground = true;
        TxnFile.ringBytes = 4 * 4096; // 4 slots: txn 4 (2 not durable) starts the flush
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        List<List<Object>> acknowledged;
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            Table table = engine.liveTable("t");
            Path price = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0)).resolve("c2.d");
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000, 10, 1000)); // txn 3
            fs.failSyncOf(price::equals);
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2000, 10, 2000)); // txn 4: flush starts, fails
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!fs.log().toString().contains("sync " + price) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Thread.sleep(50);
            fs.disarm();
            assertEquals(2, table.durableTxn(), "the failed flush did not move the watermark");
            try (RandomAccessFile f = new RandomAccessFile(price.toFile(), "rw")) {
                f.seek(16 + 200 * 8);
                f.write(new byte[20 * 8]); // the pages the kernel dropped
            }
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 3000, 10, 3000)); // txn 5: repairs first
            assertEquals(4, table.durableTxn(), "repaired up to txn 4 before txn 5");
            acknowledged = TestRows.readAll(engine, "t");
            List<Object> prices = new ArrayList<>();
            for (List<Object> r : acknowledged) {
                prices.add(r.get(2));
            }
            List<Object> expected = new ArrayList<>();
            for (long seed : new long[]{0, 1000, 2000, 3000}) {
                for (long i = 0; i < (seed == 0 ? 200 : 10); i++) {
                    expected.add((seed + i) * 0.5);
                }
            }
            assertEquals(expected, prices);
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(acknowledged, TestRows.readAll(engine, "t"));
        }
    }

    /** Creates the table, one commit that creates the files and one that grows {@code _txn} into a ring. */
    private static void ringTable(TableEngine engine) {
        engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
        TestRows.insert(engine, "t", TestRows.tradeRows(DAY, 100, 0));
        TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 100, 100, 100));
    }

    private static List<String> syncs(List<String> log) {
        List<String> out = new ArrayList<>();
        for (String l : log) {
            if (l.startsWith("sync ") || l.startsWith("dirsync ")) {
                out.add(l);
            }
        }
        return out;
    }

    @Test
    void smallAppendIsAcknowledgedAfterOneFsyncOfTxnAndColumnFilesAreFsyncedOncePerRing() throws Exception {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            Path txn = engine.tableDirectory("t").resolve(TxnFile.NAME);
            int slots = TxnFile.layout(FileSystemFacade.real(), txn).count();
            assertTrue(slots >= TxnFile.MIN_RING_SLOTS, "ring of " + slots);
            Path partition = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0));
            List<String> columnSyncs = List.of("sync " + partition.resolve("c0.d"), "sync " + partition.resolve("c1.d"),
                    "sync " + partition.resolve("c2.d"));
            int flushes = 0;
            // txn 3 onwards: each deferred; the one that would overwrite a record still needed flushes first.
            for (int i = 0; i < 2 * slots; i++) {
                int logged = fs.log().size();
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000 + 10L * i, 10, 1000 + 10 * i));
                List<String> commit = fs.log().subList(logged, fs.log().size());
                List<String> synced = syncs(commit);
                assertEquals("sync " + txn, synced.get(synced.size() - 1), "last, and alone unless flushing: " + commit);
                if (synced.size() > 1) {
                    flushes++;
                    List<String> flushed = new ArrayList<>(synced.subList(0, synced.size() - 1));
                    flushed.sort(null);
                    assertEquals(columnSyncs, flushed, commit.toString());
                    // The flush comes before this commit writes its record.
                    assertTrue(commit.indexOf("write " + txn) > commit.indexOf(synced.get(0)), commit.toString());
                }
                for (String c : List.of("c0.d", "c1.d", "c2.d")) {
                    assertTrue(commit.contains("write " + partition.resolve(c)), commit.toString());
                }
            }
            // Txns 3 to 2 * slots + 2: the first flush at txn slots + 2 (it reuses the slot of txn 2, the last
            // one durable in its files), the next slots - 1 commits later, at 2 * slots + 1.
            assertEquals(2, flushes, "flushes");
            int logged = fs.log().size();
            engine.close();
            List<String> atClose = syncs(fs.log().subList(logged, fs.log().size()));
            atClose.sort(null);
            assertEquals(columnSyncs, atClose, "close fsyncs what deferred commits wrote");
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(200 + 2 * TxnFile.layout(FileSystemFacade.real(),
                    engine.tableDirectory("t").resolve(TxnFile.NAME)).count() * 10,
                    TestRows.readAll(engine, "t").size());
        }
    }

    @Test
    void checkpointCutFsyncsTheColumnFilesOfDeferredCommits() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000, 10, 1000)); // deferred
            Path partition = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0));
            int logged = fs.log().size();
            engine.checkpoints().create(null);
            List<String> synced = syncs(fs.log().subList(logged, fs.log().size()));
            for (String c : List.of("c0.d", "c1.d", "c2.d")) {
                assertTrue(synced.contains("sync " + partition.resolve(c)), synced.toString());
            }
            // Nothing left to fsync: the next small append is deferred again and syncs only _txn.
            logged = fs.log().size();
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2000, 10, 2000));
            assertEquals(List.of("sync " + engine.tableDirectory("t").resolve(TxnFile.NAME)),
                    syncs(fs.log().subList(logged, fs.log().size())));
            engine.checkpoints().release();
        }
    }

    private interface Arm {
        void arm(FaultInjectingFileSystem fs, int n);
    }

    /** A fault at the n-th write or fsync of a deferred commit; false once n is past its last one. */
    private boolean failingDeferredCommit(Path root, Arm arm, int n, StorageException.Kind kind) {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        List<List<Object>> before;
        List<List<Object>> after;
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            ringTable(engine);
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000, 10, 1000)); // deferred, txn 3
            before = TestRows.readAll(engine, "t");
            arm.arm(fs, n);
            try {
                TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2000, 10, 2000));
                fs.disarm();
                return false;
            } catch (StorageException e) {
                assertEquals(kind, e.kind(), e.getMessage());
            }
            fs.disarm();
            assertEquals(before, TestRows.readAll(engine, "t"), "after failed commit " + n);
            assertEquals(3, engine.tables().get(0).txn());
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 3000, 10, 3000));
            after = TestRows.readAll(engine, "t");
            assertEquals(before.size() + 10, after.size());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(after, TestRows.readAll(engine, "t"), "after reopen, fault " + n);
            assertEquals(4, engine.tables().get(0).txn());
        }
        return true;
    }

    private void everyPosition(String name, Arm arm, StorageException.Kind kind) throws Exception {
        int failures = 0;
        for (int n = 1; n < 20; n++) {
            if (!failingDeferredCommit(Files.createDirectory(dir.resolve(name + n)), arm, n, kind)) {
                break;
            }
            failures++;
        }
        assertTrue(failures >= 1, "no injection point");
    }

    @Test
    void everyFaultOfADeferredCommitLeavesThePreviousStateAndTheNextCommitWorks() throws Exception {
        everyPosition("sync", FaultInjectingFileSystem::failNthSync, StorageException.Kind.IO);
        everyPosition("write", FaultInjectingFileSystem::failNthWrite, StorageException.Kind.IO);
        everyPosition("enospc", FaultInjectingFileSystem::diskFullOnNthWrite, StorageException.Kind.DISK_FULL);
    }

    /**
     * The flush fails: the kernel may have dropped the dirty pages it could not write (simulated by zeroing the
     * deferred commits' bytes in one column file). The commit that needed the flush fails; the next one rewrites
     * those bytes from the records, fsyncs them and goes on; nothing acknowledged is lost.
     */
    @Test
    void failedFlushIsRepairedFromTheRecordsBeforeTheNextCommit() throws Exception {
        TxnFile.ringBytes = 4 * 4096; // 4 slots of 4 KiB: a flush every third commit
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        List<List<Object>> acknowledged;
        try (TableEngine engine = TableEngine.open(new EngineConfig(dir, fs))) {
            ringTable(engine);
            Path partition = engine.tableDirectory("t").resolve(engine.partitionDirectories("t").get(0));
            assertEquals(4, TxnFile.layout(FileSystemFacade.real(),
                    engine.tableDirectory("t").resolve(TxnFile.NAME)).count());
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 1000, 10, 1000)); // txn 3, deferred
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2000, 10, 2000)); // txn 4, deferred
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 2500, 10, 2500)); // txn 5, reuses txn 1's slot
            acknowledged = TestRows.readAll(engine, "t");
            Path price = partition.resolve("c2.d");
            fs.failSyncOf(price::equals);
            // Txns 3 to 5 have their bytes in their records only, N - 1 of them in a ring of N = 4: txn 6 flushes
            // first (each record must show every commit up to txn + 1 - N durable, see Table.install).
            StorageException e = assertThrows(StorageException.class,
                    () -> TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 3000, 10, 3000)));
            assertEquals(StorageException.Kind.IO, e.kind());
            assertTrue(e.getMessage().contains("injected fsync failure [target=" + price + "]"), e.getMessage());
            fs.disarm();
            long deferredFrom = 16 + 200 * 8;
            try (RandomAccessFile f = new RandomAccessFile(price.toFile(), "rw")) {
                f.seek(deferredFrom);
                f.write(new byte[30 * 8]); // the dropped pages
            }
            int logged = fs.log().size();
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 3000, 10, 3000));
            assertTrue(fs.log().subList(logged, fs.log().size()).contains("sync " + price), "repaired and fsynced");
            List<List<Object>> rows = TestRows.readAll(engine, "t");
            assertEquals(acknowledged, rows.subList(0, acknowledged.size()));
            assertEquals(acknowledged.size() + 10, rows.size());
            acknowledged = rows;
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(dir))) {
            assertEquals(acknowledged, TestRows.readAll(engine, "t"));
        }
    }
}
