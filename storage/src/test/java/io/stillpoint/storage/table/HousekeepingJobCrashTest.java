package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power loss at every mutating call of a TTL drop and of a compaction (what was not fsynced lost, or kept): the
 * reopened table is in the old or the new state, an acknowledged drop is never undone, and the purge removes the
 * leftovers. A failed fsync or a full disk during the job's commit leaves the table unchanged, and the next pass
 * succeeds.
 */
class HousekeepingJobCrashTest {

    private static final long DAY = 86_400_000_000L;
    private static final long D1 = micros("2026-11-01T00:00:00Z");
    /** Before every row: the reference is now, and nothing expires. */
    private static final Instant EARLY = Instant.parse("2020-01-01T00:00:00Z");
    /** After every row: the reference is the largest timestamp. */
    private static final Instant LATE = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(EARLY);

    private EngineConfig config(Path root, FileSystemFacade fs) {
        return new EngineConfig(root, fs, new EngineConfig.CheckpointPolicy(Duration.ofHours(24), 0,
                Duration.ofHours(1), clock)).withHousekeepingPolicy(EngineConfig.HousekeepingPolicy.DEFAULT
                .withCompaction(1000, 16, Duration.ofMinutes(15), 1_000_000));
    }

    /** Table t, TTL 2 DAYS, five days of rows; with {@code slack}, crash leftovers past 11-01's committed sizes. */
    private void populate(Path root, boolean slack) throws IOException {
        clock.set(EARLY);
        Path oldest;
        try (TableEngine e = TableEngine.open(config(root, FileSystemFacade.real()))) {
            e.createTable(TestRows.trades("t", PartitionBy.DAY).withTtl(new Ttl(2, Ttl.Unit.DAYS)), false);
            for (int d = 0; d < 5; d++) {
                TestRows.insert(e, "t", TestRows.tradeRows(D1 + d * DAY, 3, d * 10));
            }
            oldest = e.tableDirectory("t").resolve(e.partitionDirectories("t").get(0));
        }
        if (slack) {
            for (String f : List.of("c0.d", "c1.d", "c2.d")) {
                Files.write(oldest.resolve(f), new byte[64], StandardOpenOption.APPEND);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Runs the job until the simulated crash; returns whether its commit was acknowledged. */
    private boolean run(Path root, FileSystemFacade fs, boolean compaction, long[] opsAtOpen) {
        clock.set(compaction ? EARLY : LATE);
        TableEngine e = TableEngine.open(config(root, fs));
        try {
            if (opsAtOpen != null) {
                opsAtOpen[0] = ((CrashSimulatingFileSystem) fs).operations();
            }
            e.runHousekeepingJobsNow();
            return compaction ? e.compactionJob().compactedPartitions() == 1 : e.ttlJob().droppedPartitions() == 2;
        } catch (StorageException ex) {
            return false; // the purge pass or the open's own writes met the crash
        } finally {
            e.close();
        }
    }

    /** Directory names of the table directory that are neither {@code _txn} nor a referenced partition version. */
    private static Set<String> unreferenced(TableEngine e) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> s = Files.list(e.tableDirectory("t"))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.remove(TxnFile.NAME);
        names.removeAll(e.partitionDirectories("t"));
        return names;
    }

    @Test
    void crashAtEveryStepOfATtlDrop() throws IOException {
        crashAtEveryStep(false);
    }

    @Test
    void crashAtEveryStepOfACompaction() throws IOException {
        crashAtEveryStep(true);
    }

    private void crashAtEveryStep(boolean compaction) throws IOException {
        Path pristine = dir.resolve("pristine");
        populate(pristine, compaction);
        List<List<Object>> all;
        List<String> versionsBefore;
        try (TableEngine e = TableEngine.open(config(pristine, FileSystemFacade.real()))) {
            all = TestRows.readAll(e, "t");
            versionsBefore = e.partitionDirectories("t");
        }
        // 11-01 .. 11-05, TTL 2 days before 11-05T00:00:00.000002: 11-01 and 11-02 expire; compaction keeps every row.
        List<List<Object>> after = compaction ? all : all.subList(6, 15);

        Path counting = dir.resolve("count");
        copyTree(pristine, counting);
        CrashSimulatingFileSystem counter = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(dir.resolve("count-backups")));
        long[] atOpen = new long[1];
        assertTrue(run(counting, counter, compaction, atOpen), "the job commits without a crash");
        long total = counter.operations();
        assertTrue(total - atOpen[0] >= 3, "too few calls: " + (total - atOpen[0]));

        int oldStates = 0;
        int newStates = 0;
        for (long n = atOpen[0] + 1; n <= total + 1; n++) {
            for (boolean lose : new boolean[]{true, false}) {
                String name = (compaction ? "c" : "t") + n + (lose ? "-lost" : "-kept");
                Path root = dir.resolve(name);
                copyTree(pristine, root);
                CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n,
                        Files.createDirectory(dir.resolve(name + "-backups")));
                boolean acknowledged = run(root, fs, compaction, null);
                if (lose) {
                    fs.loseUnsyncedState();
                }
                String where = "[crashAt=" + n + ", lost=" + lose + ", acknowledged=" + acknowledged + "]";
                clock.set(EARLY); // the reopened engine must not drop anything on its own
                try (TableEngine e = TableEngine.open(config(root, FileSystemFacade.real()))) {
                    List<List<Object>> rows = TestRows.readAll(e, "t");
                    List<String> versions = e.partitionDirectories("t");
                    boolean isNew = compaction ? !versions.equals(versionsBefore) : rows.equals(after);
                    if (isNew) {
                        newStates++;
                        assertEquals(after, rows, where);
                    } else {
                        oldStates++;
                        assertEquals(all, rows, where);
                        assertEquals(versionsBefore, versions, where);
                        assertTrue(!acknowledged, "an acknowledged commit was undone " + where);
                    }
                    // The open queued every leftover and purged it (a retry of a failed delete included).
                    for (int i = 0; i < 10 && !unreferenced(e).isEmpty(); i++) {
                        e.housekeeping().runOnce();
                    }
                    assertEquals(Set.of(), unreferenced(e), "leftovers purged " + where);
                    // And the job still works: the next pass reaches the new state.
                    clock.set(compaction ? EARLY : LATE);
                    e.runHousekeepingJobsNow();
                    assertEquals(after, TestRows.readAll(e, "t"), where);
                }
            }
        }
        assertTrue(oldStates > 0 && newStates > 0, oldStates + " old / " + newStates + " new");
    }

    @Test
    void aFailedFsyncOrAFullDiskLeavesTheTableUnchangedAndTheNextPassRetries() throws IOException {
        Path root = dir.resolve("faults");
        populate(root, false);
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        clock.set(LATE);
        try (TableEngine e = TableEngine.open(config(root, fs))) {
            List<List<Object>> all = TestRows.readAll(e, "t");
            List<String> versions = e.partitionDirectories("t");
            fs.failEverySync(true);
            e.runHousekeepingJobsNow();
            assertEquals(all, TestRows.readAll(e, "t"), "unchanged after a failed fsync");
            assertEquals(versions, e.partitionDirectories("t"));
            assertEquals(1, e.ttlJob().failures());
            assertEquals(2, e.housekeeping().status().get(1).pendingVersions(), "the expired partitions wait");
            fs.failEverySync(false);
            fs.diskFullOnNthWrite(1);
            e.runHousekeepingJobsNow();
            assertEquals(all, TestRows.readAll(e, "t"), "unchanged after a full disk");
            assertEquals(2, e.ttlJob().failures());
            fs.disarm();
            e.runHousekeepingJobsNow();
            assertEquals(all.subList(6, 15), TestRows.readAll(e, "t"), "the next pass drops them");
            assertEquals(0, e.housekeeping().status().get(1).pendingVersions());
            // And the table still takes commits.
            TestRows.insert(e, "t", TestRows.tradeRows(D1 + 5 * DAY, 1, 99));
            assertEquals(10, TestRows.readAll(e, "t").size());
        }
    }

    @Test
    void aFailedCompactionLeavesTheTableUnchangedAndTheNextPassRetries() throws IOException {
        Path root = dir.resolve("compaction-faults");
        populate(root, true);
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        clock.set(EARLY);
        try (TableEngine e = TableEngine.open(config(root, fs))) {
            List<List<Object>> all = TestRows.readAll(e, "t");
            List<String> versions = e.partitionDirectories("t");
            fs.failEverySync(true);
            e.runHousekeepingJobsNow();
            assertEquals(all, TestRows.readAll(e, "t"), "unchanged after a failed fsync");
            assertEquals(versions, e.partitionDirectories("t"));
            assertEquals(1, e.compactionJob().failures());
            assertEquals(1, e.housekeeping().status().get(2).pendingVersions(), "the partition waits");
            assertEquals(3 * 64, e.housekeeping().status().get(2).pendingBytes(), "with its bytes past committed");
            fs.failEverySync(false);
            fs.diskFullOnNthWrite(1);
            e.runHousekeepingJobsNow();
            assertEquals(versions, e.partitionDirectories("t"), "unchanged after a full disk");
            assertEquals(2, e.compactionJob().failures());
            fs.disarm();
            e.runHousekeepingJobsNow();
            assertEquals(1, e.compactionJob().compactedPartitions(), "the next pass compacts");
            assertEquals(all, TestRows.readAll(e, "t"));
            assertEquals(0, e.housekeeping().status().get(2).pendingVersions());
            TestRows.insert(e, "t", TestRows.tradeRows(D1 + 5 * DAY, 1, 99));
            assertEquals(16, TestRows.readAll(e, "t").size());
        }
    }
}
