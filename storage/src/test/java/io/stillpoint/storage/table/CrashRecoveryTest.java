package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A simulated power loss at every mutating file-system call of a workload (create table, commits into existing
 * and new partitions, NULLs, VARCHAR, a _txn record outgrowing its slot), losing all unsynced state, keeping it,
 * and keeping only the unsynced writes of {@code _txn} (the commit record reached the disk, some of its column
 * data did not: possible since a commit fsyncs data and record in one concurrent phase): after reopen the table
 * shows exactly the rows of its first k commits, where every commit that returned is included and the one in
 * flight is either fully present or fully absent, and the table takes a commit again.
 */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    private static final TableSchema SCHEMA = new TableSchema("t", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
            new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.HOUR);

    /** Which workload {@link #commits} returns: the mixed one, or small appends that defer their column fsyncs. */
    private static boolean deferredWorkload;
    /** With {@link #deferredWorkload}: a rewrite of the partition between the deferred appends ({@link #REWRITE}). */
    private static boolean rewriteInDeferredWorkload;

    /**
     * A commit of the workload that is not an insert: every partition rewritten copy-on-write with {@code v} times
     * 10 (NULL stays NULL), superseding the version the deferred commits before it appended to.
     */
    private static final List<Object[]> REWRITE = List.of();

    /** The workload's commits: rows of each, or {@link #REWRITE}. */
    private static List<List<Object[]>> commits() {
        if (!deferredWorkload) {
            return mixedCommits();
        }
        List<List<Object[]>> commits = new ArrayList<>(deferredCommits());
        if (rewriteInDeferredWorkload) {
            commits.add(5, REWRITE); // after three small appends (the first grew the ring, two were deferred)
        }
        return commits;
    }

    private static void rewrite(Engine engine) {
        try (WriteTransaction tx = engine.beginWrite()) {
            tx.rewrite("t", partition -> {
                List<Object[]> rows = new ArrayList<>();
                partition.readAllRows(3, rows);
                for (Object[] r : rows) {
                    r[2] = r[2] == null ? null : (Long) r[2] * 10;
                }
                return rows;
            });
        }
    }

    /**
     * Two commits that create the partition's files, then small appends into them: after the first of those grew
     * {@code _txn} into a ring of 4 slots, each is deferred (its bytes in its record, only {@code _txn} fsynced),
     * and every third one first fsyncs the column files of those before it.
     */
    private static List<List<Object[]>> deferredCommits() {
        long h = micros("2026-11-21T10:00:00Z");
        List<List<Object[]>> commits = new ArrayList<>();
        commits.add(List.of(new Object[]{h, "a", 1L}, new Object[]{h + 1, null, 2L}));
        commits.add(List.<Object[]>of(new Object[]{h + 2, "b", null}));
        for (int i = 0; i < 9; i++) {
            long t = h + 3 + 2L * i;
            commits.add(List.of(new Object[]{t, i % 3 == 0 ? null : "d" + i, (long) i},
                    new Object[]{t + 1, "é" + i, i % 4 == 0 ? null : (long) -i}));
        }
        return commits;
    }

    private static List<List<Object[]>> mixedCommits() {
        long h = micros("2026-11-21T10:00:00Z");
        long hour = 3_600_000_000L;
        List<List<Object[]>> commits = new ArrayList<>();
        commits.add(List.of(new Object[]{h, "a", 1L}, new Object[]{h + 1, null, 2L}));
        commits.add(List.<Object[]>of(new Object[]{h + 2, "bé", null}));
        commits.add(List.of(new Object[]{h + hour, "c", 3L}, new Object[]{h + 3, "", 4L}));
        List<Object[]> many = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            many.add(new Object[]{h + (i + 2) * hour, "x" + i, (long) i}); // outgrows the (lowered) _txn slot
        }
        commits.add(many);
        commits.add(List.<Object[]>of(new Object[]{h + 4, null, null}));
        return commits;
    }

    /** Runs the workload until the simulated crash; returns the number of commits that returned (-1: no table). */
    private static int runUntilCrash(Path root, CrashSimulatingFileSystem fs) {
        int acknowledged = -1;
        TableEngine engine;
        try {
            engine = TableEngine.open(new EngineConfig(root, fs));
        } catch (StorageException e) {
            return acknowledged;
        }
        try {
            engine.createTable(SCHEMA, false);
            acknowledged = 0;
            for (List<Object[]> rows : commits()) {
                if (rows == REWRITE) {
                    rewrite(engine);
                    engine.runHousekeepingJobsNow(); // the purge deletes the superseded version now
                } else {
                    TestRows.insert(engine, "t", rows);
                }
                acknowledged++;
            }
        } catch (StorageException e) {
            assertTrue(fs.crashed(), "only the simulated crash may fail: " + e.getMessage());
        } finally {
            engine.close();
        }
        return acknowledged;
    }

    private static List<List<Object>> expectedAfter(int commitCount) {
        List<Object[]> rows = new ArrayList<>();
        for (List<Object[]> c : commits().subList(0, commitCount)) {
            if (c == REWRITE) {
                for (int i = 0; i < rows.size(); i++) {
                    Object[] r = rows.get(i).clone();
                    r[2] = r[2] == null ? null : (Long) r[2] * 10;
                    rows.set(i, r);
                }
            } else {
                rows.addAll(c);
            }
        }
        // Read order: partitions ascending, rows in insertion order within a partition.
        rows.sort((a, b) -> Long.compare(TestRows.hourOf((Long) a[0]), TestRows.hourOf((Long) b[0])));
        List<List<Object>> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(Arrays.asList(r));
        }
        return out;
    }

    /** What survives the simulated power loss. */
    private enum Loss {
        /** Only what was fsynced. */
        ALL_UNSYNCED,
        /** Everything (the page cache was written back in time). */
        NOTHING,
        /** What was fsynced and the unsynced writes to {@code _txn}: a commit record without all of its data. */
        ALL_BUT_TXN_WRITES
    }

    private void crashAt(Path parent, long n, Loss loss) throws IOException {
        Path root = Files.createDirectory(parent.resolve("r" + n + loss));
        Path backups = Files.createDirectory(parent.resolve("b" + n + loss));
        CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n, backups);
        int acknowledged = runUntilCrash(root, fs);
        if (loss == Loss.ALL_UNSYNCED) {
            fs.loseUnsyncedState();
        } else if (loss == Loss.ALL_BUT_TXN_WRITES) {
            fs.loseUnsyncedStateExceptWritesTo(p -> p.getFileName().toString().equals(TxnFile.NAME));
        }
        // Reopen through a facade that never crashes and skips real fsyncs (keeps the test fast).
        EngineConfig reopen = new EngineConfig(root, new CrashSimulatingFileSystem(Long.MAX_VALUE, backups));
        try (TableEngine engine = TableEngine.open(reopen)) {
            if (!engine.tableExists("t")) {
                assertTrue(acknowledged < 0, "created table lost [crashAt=" + n + "]");
                return;
            }
            long txn = engine.tables().get(0).txn();
            assertTrue(txn >= Math.max(acknowledged, 0) && txn <= acknowledged + 1,
                    "commits [crashAt=" + n + ", acknowledged=" + acknowledged + ", txn=" + txn + "]");
            assertEquals(expectedAfter((int) txn), TestRows.readAll(engine, "t"), "rows [crashAt=" + n + "]");
            // The recovered table takes commits again.
            TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{micros("2026-11-21T10:30:00Z"), "z", 9L}));
        }
        try (TableEngine engine = TableEngine.open(reopen)) {
            assertEquals(expectedAfter((int) engine.tables().get(0).txn() - 1).size() + 1,
                    TestRows.readAll(engine, "t").size());
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void smallTxnSlots() {
        // Room for two partitions (32 + 2 * 112 bytes), so the 3-partition commit outgrows the slot.
        TxnFile.initialSlotCapacity = 256;
    }

    @org.junit.jupiter.api.AfterEach
    void defaultTxnSlots() {
        TxnFile.initialSlotCapacity = TxnFile.INITIAL_SLOT_CAPACITY;
        TxnFile.ringBytes = TxnFile.RING_BYTES;
        deferredWorkload = false;
        rewriteInDeferredWorkload = false;
        Table.flushInBackground = true;
    }

    /** Sets up {@link #deferredCommits}: a ring of 4 slots, so the flush before a slot is reused is reached. */
    private static void deferredRing() {
        deferredWorkload = true;
        TxnFile.ringBytes = 4 * 512;
    }

    /**
     * Small appends acknowledged after one fsync of {@code _txn}: a power loss at any call, losing every unsynced
     * write or all but those to {@code _txn}, keeps every acknowledged commit (its column bytes are rewritten from
     * its record at open) and nothing of an unacknowledged one but possibly the whole of it.
     */
    @Test
    void deferredCommitsSurviveACrashAtEveryMutatingCall() throws IOException {
        deferredRing();
        // Without the background flush, the flush before a slot is reused is reached (and its rule tested: with
        // txn - N instead of txn + 1 - N a torn record leaves its predecessor's recovery without a record); with
        // it, the flushes run on their own thread, interleaved with the commits.
        for (boolean background : new boolean[]{false, true}) {
            Table.flushInBackground = background;
            crashAtEveryCall(Files.createDirectory(dir.resolve("background-" + background)), engine ->
                    assertEquals(4, TxnFile.layout(io.stillpoint.storage.fs.FileSystemFacade.real(),
                            engine.tableDirectory("t").resolve(TxnFile.NAME)).count(), "a ring of 4 slots"));
        }
    }

    /**
     * The same with a rewrite after two deferred appends: it supersedes the partition version their bytes went to
     * (and the purge may delete it), so a recovery that still replays them must skip ranges of versions the state
     * no longer references; the deferred appends after it go into the new version.
     */
    @Test
    void deferredCommitsAroundARewriteSurviveACrashAtEveryMutatingCall() throws IOException {
        deferredRing();
        rewriteInDeferredWorkload = true;
        // Without the background flush, the two deferred appends are still not durable in their files when the
        // rewrite's record is written, so a recovery to it replays them, into the version the purge has deleted.
        // With it, the rewrite waits for the running flush before it claims every earlier commit durable.
        for (boolean background : new boolean[]{false, true}) {
            Table.flushInBackground = background;
            crashAtEveryCall(Files.createDirectory(dir.resolve("background-" + background)), engine ->
                    assertEquals(expectedAfter(commits().size()), TestRows.readAll(engine, "t")));
        }
    }

    /** The control experiment: without the replay at open, the same crashes lose acknowledged column bytes. */
    @Test
    void withoutTheReplayOfDeferredCommitsAcknowledgedRowsAreLost() throws IOException {
        deferredRing();
        int caught = caughtWithout(on -> TxnFile.replayDeferredCommits = on, Loss.ALL_UNSYNCED);
        assertTrue(caught > 0, "no lost acknowledged row found without the replay");
    }

    /**
     * Crashes the workload at every mutating call, losing {@code loss}, with one protection of the recovery
     * switched off ({@code protection.accept(false)}, back on at the end); returns how many crashes the checks of
     * {@link #crashAt} caught.
     */
    private int caughtWithout(java.util.function.Consumer<Boolean> protection, Loss loss) throws IOException {
        CrashSimulatingFileSystem counting = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(dir.resolve("count-backups")));
        runUntilCrash(Files.createDirectory(dir.resolve("count")), counting);
        long total = counting.operations();
        int caught = 0;
        protection.accept(false);
        try {
            for (long n = 1; n <= total; n++) {
                try {
                    crashAt(dir, n, loss);
                } catch (AssertionError | StorageException e) {
                    caught++;
                }
            }
        } finally {
            protection.accept(true);
        }
        return caught;
    }

    @Test
    void crashAtEveryMutatingCallRecoversACommittedPrefix() throws IOException {
        long total = crashAtEveryCall(dir, engine -> assertEquals(expectedAfter(commits().size()),
                TestRows.readAll(engine, "t")));
        assertTrue(total > 50, "workload too small: " + total);
    }

    /** A check of the root the workload finished in, before the crashes. */
    private interface FinishedCheck {
        void check(TableEngine engine) throws IOException;
    }

    /**
     * Runs the workload once under {@code parent} to count its mutating calls (and checks the finished root), then
     * crashes it at each of those calls in every loss mode; returns the count.
     */
    private long crashAtEveryCall(Path parent, FinishedCheck finished) throws IOException {
        CrashSimulatingFileSystem counting = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(parent.resolve("count-backups")));
        Path root = Files.createDirectory(parent.resolve("count"));
        assertEquals(commits().size(), runUntilCrash(root, counting));
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            finished.check(engine);
        }
        long total = counting.operations();
        for (long n = 1; n <= total; n++) {
            for (Loss loss : Loss.values()) {
                crashAt(parent, n, loss);
            }
        }
        return total;
    }

    /**
     * The control experiment: without the verification of the newest commit's appended ranges at open, the same
     * crashes leave partial commits (a commit record whose data is missing), which the test above catches.
     */
    @Test
    void withoutVerificationOfAppendedRangesPartialCommitsAreFound() throws IOException {
        int caught = caughtWithout(on -> TxnFile.verifyAppendedRanges = on, Loss.ALL_BUT_TXN_WRITES);
        assertTrue(caught > 0, "no partial commit found without verification");
    }
}
