package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.housekeeping.Housekeeping;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction: a partition fed by many small commits is rewritten as one copy-on-write version with identical rows
 * (every row compared), exact-length files, and no more disk after the purge; the newest partition only once idle;
 * bytes past the committed sizes (crash leftovers) reclaimed; nothing while housekeeping is paused; inserts
 * committed concurrently with compaction passes are all kept; a reader keeps its version.
 */
class CompactionTest {

    private static final long HOUR = 3_600_000_000L;
    private static final long DAY = 24 * HOUR;
    private static final long D1 = micros("2026-11-01T00:00:00Z");

    @TempDir
    Path root;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-22T12:00:00Z"));
    private TableEngine engine;

    private TableEngine open() {
        engine = TableEngine.open(new EngineConfig(root, FileSystemFacade.real(), new EngineConfig.CheckpointPolicy(
                Duration.ofHours(24), 0, Duration.ofHours(1), clock)).withHousekeepingPolicy(
                EngineConfig.HousekeepingPolicy.DEFAULT.withCompaction(8, 16, Duration.ofMinutes(15), 1_000_000)));
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("tag", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG),
                new ColumnSpec("ok", ColumnType.BOOLEAN), new ColumnSpec("x", ColumnType.DOUBLE)), 0, PartitionBy.DAY);
    }

    private static Object[] row(long ts, long n) {
        return new Object[]{ts, n % 4 == 0 ? null : "tag-" + n + "-\u00e9", n % 5 == 0 ? null : n, n % 2 == 0,
                n % 7 == 0 ? null : n * 0.25};
    }

    /** {@code commits} commits of {@code rows} rows each into the day starting at {@code day}, in time order. */
    private void feed(long day, int commits, int rows, long[] next) {
        for (int c = 0; c < commits; c++) {
            List<Object[]> batch = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                long n = next[0]++;
                batch.add(row(day + n * 1_000_000L, n));
            }
            TestRows.insert(engine, "t", batch);
        }
    }

    private String version(String partition) {
        for (String d : engine.partitionDirectories("t")) {
            if (d.startsWith(partition + ".")) {
                return d;
            }
        }
        return null;
    }

    private void purgeAll() {
        for (int i = 0; i < 100 && engine.housekeeping().pendingCount() > 0; i++) {
            engine.housekeeping().runOnce();
        }
        assertEquals(0, engine.housekeeping().pendingCount());
    }

    /** Every committed file of the table is exactly as long as its latest state says. */
    private void assertExactLengths() throws IOException {
        Table t = engine.liveTable("t");
        for (PartitionState p : t.state().partitions) {
            Path dir = t.partitionDir(p);
            for (int c = 0; c < p.dataSizes.length; c++) {
                assertEquals(p.dataSizes[c], Files.size(dir.resolve(ColumnFiles.dataName(c))), dir + " c" + c);
                Path index = dir.resolve(ColumnFiles.indexName(c));
                assertEquals(p.indexSizes[c], Files.exists(index) ? Files.size(index) : 0, index.toString());
                Path nulls = dir.resolve(ColumnFiles.nullsName(c));
                assertEquals(p.nullSizes[c], Files.exists(nulls) ? Files.size(nulls) : 0, nulls.toString());
            }
        }
    }

    @Test
    void aPartitionFedByManySmallCommitsIsCompactedWithIdenticalRows() throws IOException {
        open();
        engine.createTable(schema("t"), false);
        long[] n = {0};
        feed(D1, 20, 3, n);                // 20 appending commits into 11-01
        feed(D1 + DAY, 1, 2, new long[]{0}); // 11-02: now the newest
        List<List<Object>> before = TestRows.readAll(engine, "t");
        String oldVersion = version("2026-11-01");
        TableSnapshot reader = engine.snapshot("t");
        purgeAll();
        long diskBefore = DiskFiles.totalBytes(root);

        engine.runHousekeepingJobsNow();
        assertEquals(1, engine.compactionJob().compactedPartitions());
        String newVersion = version("2026-11-01");
        assertNotEquals(oldVersion, newVersion, "a new version");
        assertEquals(before, TestRows.readAll(engine, "t"), "identical rows");
        // The reader keeps its version, which the purge leaves alone until it closes.
        assertEquals(before, TestRows.readAll(reader));
        assertTrue(Files.exists(engine.tableDirectory("t").resolve(oldVersion)));
        reader.close();
        purgeAll();
        assertFalse(Files.exists(engine.tableDirectory("t").resolve(oldVersion)));
        assertExactLengths();
        long diskAfter = DiskFiles.totalBytes(root);
        assertTrue(diskAfter <= diskBefore, "disk after compaction and purge [before=" + diskBefore + ", after="
                + diskAfter + "]");

        // Compacted once: the new version has no appends yet, so the next pass leaves it.
        engine.runHousekeepingJobsNow();
        assertEquals(newVersion, version("2026-11-01"));
        assertEquals(1, engine.compactionJob().compactedPartitions());
        engine.close();
        open();
        assertEquals(before, TestRows.readAll(engine, "t"), "compacted state durable");
    }

    @Test
    void theNewestPartitionIsCompactedOnlyOnceIdle() {
        open();
        engine.createTable(schema("t"), false);
        feed(D1, 12, 2, new long[]{0});
        String v = version("2026-11-01");
        engine.runHousekeepingJobsNow();
        assertEquals(v, version("2026-11-01"), "still receiving appends");
        clock.advance(Duration.ofMinutes(14));
        engine.runHousekeepingJobsNow();
        assertEquals(v, version("2026-11-01"), "not idle long enough");
        clock.advance(Duration.ofMinutes(2));
        List<List<Object>> before = TestRows.readAll(engine, "t");
        engine.runHousekeepingJobsNow();
        assertNotEquals(v, version("2026-11-01"), "idle for 16 minutes");
        assertEquals(before, TestRows.readAll(engine, "t"));
    }

    @Test
    void bytesPastTheCommittedSizesAreReclaimed() throws IOException {
        open();
        engine.createTable(schema("t"), false);
        feed(D1, 2, 3, new long[]{0});
        feed(D1 + DAY, 2, 3, new long[]{0});
        List<List<Object>> before = TestRows.readAll(engine, "t");
        Path old = engine.tableDirectory("t").resolve(version("2026-11-01"));
        engine.close();
        // What a crashed commit into 11-01 leaves: bytes past every committed size.
        for (String f : List.of("c0.d", "c1.d", "c1.i", "c2.d")) {
            Files.write(old.resolve(f), new byte[100], StandardOpenOption.APPEND);
        }
        open();
        engine.runHousekeepingJobsNow();
        // 11-01 for the crash's bytes; 11-02 too, for the zero-filled extents of its appends (16-byte threshold).
        assertEquals(2, engine.compactionJob().compactedPartitions());
        assertNotEquals(old.getFileName().toString(), version("2026-11-01"));
        purgeAll();
        assertFalse(Files.exists(old));
        assertExactLengths();
        assertEquals(before, TestRows.readAll(engine, "t"));
    }

    @Test
    void nothingIsCompactedWhileHousekeepingIsPaused() {
        open();
        engine.createTable(schema("t"), false);
        feed(D1, 10, 1, new long[]{0});
        feed(D1 + DAY, 1, 1, new long[]{0});
        String v = version("2026-11-01");
        Map<String, Long> files = DiskFiles.sizes(root);
        engine.housekeeping().pause();
        engine.runHousekeepingJobsNow();
        assertEquals(v, version("2026-11-01"));
        assertEquals(files.keySet(), DiskFiles.sizes(root).keySet(), "no version written while paused");
        Housekeeping.JobStatus status = engine.housekeeping().status().get(2);
        assertEquals(Housekeeping.COMPACTION_JOB, status.job());
        assertTrue(status.paused());
        assertEquals(1, status.pendingVersions(), "the partition waits");
        engine.housekeeping().resume();
        engine.runHousekeepingJobsNow();
        assertNotEquals(v, version("2026-11-01"));
        assertEquals(0, engine.housekeeping().status().get(2).pendingVersions());
    }

    @Test
    void insertsConcurrentWithCompactionAreAllKept() throws InterruptedException {
        open();
        engine.createTable(schema("t"), false);
        feed(D1 + DAY, 1, 1, new long[]{0}); // 11-02 exists, so 11-01 is not the newest
        List<List<Object>> expected = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    Object[] r = row(D1 + i * 1_000_000L, i);
                    TestRows.insert(engine, "t", List.<Object[]>of(r));
                    expected.add(Arrays.asList(r));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        while (writer.isAlive()) {
            engine.runHousekeepingJobsNow();
        }
        writer.join();
        assertNull(failure.get());
        engine.runHousekeepingJobsNow();
        assertTrue(engine.compactionJob().compactedPartitions() >= 1, "compacted while inserting [compactions="
                + engine.compactionJob().compactedPartitions() + "]");
        List<List<Object>> rows = TestRows.readAll(engine, "t");
        assertEquals(expected, rows.subList(0, rows.size() - 1), "every insert kept, in order");
        assertEquals(301, rows.size());
    }
}
