package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.housekeeping.Housekeeping;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TTL: persisted in the registry (and read from a version 1 image without one), validated, and applied by the
 * housekeeping TTL job: expired partitions dropped as one copy-on-write commit, the newest kept, the cutoff exact
 * at period boundaries, calendar months and years, the reference being the largest timestamp or the clock's now,
 * whichever is earlier; readers keep their state and the purge then removes the files.
 */
class TtlTest {

    private static final long HOUR = 3_600_000_000L;
    private static final long DAY = 24 * HOUR;
    private static final long D1 = micros("2026-11-01T00:00:00Z");

    @TempDir
    Path root;

    private final SettableClock clock = new SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private TableEngine engine;

    private EngineConfig config() {
        return new EngineConfig(root, FileSystemFacade.real(), new EngineConfig.CheckpointPolicy(Duration.ofHours(24),
                0, Duration.ofHours(1), clock));
    }

    private TableEngine open() {
        engine = TableEngine.open(config());
        return engine;
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static TableSchema table(String name, PartitionBy by, Ttl ttl) {
        return TestRows.trades(name, by).withTtl(ttl);
    }

    private void insert(String table, long... timestamps) {
        List<Object[]> rows = new ArrayList<>();
        for (long ts : timestamps) {
            rows.add(new Object[]{ts, ts % 1000, 0.5});
        }
        TestRows.insert(engine, table, rows);
    }

    private List<String> partitions(String table) {
        List<String> names = new ArrayList<>();
        for (String p : TestRows.partitionNames(engine, table)) {
            names.add(p.substring(0, p.indexOf(':')));
        }
        return names;
    }

    private void runTtl() {
        engine.runHousekeepingJobsNow();
    }

    @Test
    void expiredPartitionsAreDroppedNewestKeptAndTheCutoffIsExact() {
        open();
        engine.createTable(table("t", PartitionBy.DAY, null), false);
        for (int d = 0; d < 5; d++) {
            insert("t", D1 + d * DAY + HOUR, D1 + d * DAY + 2 * HOUR);
        }
        insert("t", D1 + 5 * DAY - 1); // the largest timestamp: one microsecond before 2026-11-06
        TableSnapshot before = engine.snapshot("t");
        List<List<Object>> oldRows = TestRows.readAll(before);
        Path dir = engine.tableDirectory("t");
        List<String> oldVersions = engine.partitionDirectories("t");

        // reference 2026-11-05T23:59:59.999999, 2 days: cutoff 2026-11-03T23:59:59.999999; 11-01 and 11-02 end
        // before it, 11-03 ends one microsecond after it.
        engine.setTtl("t", new Ttl(2, Ttl.Unit.DAYS));
        runTtl();
        assertEquals(List.of("2026-11-03", "2026-11-04", "2026-11-05"), partitions("t"));
        assertEquals(oldRows.subList(4, oldRows.size()), TestRows.readAll(engine, "t"));
        // The reader opened before the drop still reads the old state, and the purge leaves its versions alone.
        engine.housekeeping().runOnce();
        assertEquals(oldRows, TestRows.readAll(before));
        assertTrue(Files.exists(dir.resolve(oldVersions.get(0))));
        before.close();
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(dir.resolve(oldVersions.get(0))), "purged after the reader closed");
        assertFalse(Files.exists(dir.resolve(oldVersions.get(1))), "purged after the reader closed");
        assertEquals(0, engine.housekeeping().pendingCount());

        // One microsecond later the reference is 2026-11-06T00:00 and the cutoff exactly 2026-11-04T00:00: the end
        // of 11-03, which expires (at or before).
        insert("t", D1 + 5 * DAY);
        runTtl();
        assertEquals(List.of("2026-11-04", "2026-11-05", "2026-11-06"), partitions("t"));
        assertEquals(3, engine.ttlJob().droppedPartitions());
        Housekeeping.JobStatus ttl = engine.housekeeping().status().get(1);
        assertEquals(Housekeeping.TTL_JOB, ttl.job());
        assertEquals(0, ttl.pendingVersions());
        assertTrue(ttl.lastRunAtMicros() != null);
    }

    @Test
    void monthsAndYearsAreCalendarUnits() {
        open();
        // 1 MONTH before 2026-03-31 is 2026-02-28: the day partitions up to 02-27 expire, 02-28 stays.
        engine.createTable(table("days", PartitionBy.DAY, new Ttl(1, Ttl.Unit.MONTHS)), false);
        insert("days", micros("2026-02-26T10:00:00Z"), micros("2026-02-27T10:00:00Z"),
                micros("2026-02-28T10:00:00Z"), micros("2026-03-31T00:00:00Z"));
        runTtl();
        assertEquals(List.of("2026-02-28", "2026-03-31"), partitions("days"));

        // Month partitions, 1 MONTH: with the largest timestamp 2026-03-01T00:00 the cutoff is exactly 02-01.
        engine.createTable(table("months", PartitionBy.MONTH, new Ttl(1, Ttl.Unit.MONTHS)), false);
        insert("months", micros("2026-01-15T00:00:00Z"), micros("2026-02-15T00:00:00Z"),
                micros("2026-02-28T23:59:59Z"));
        runTtl();
        assertEquals(List.of("2026-01", "2026-02"), partitions("months"));
        insert("months", micros("2026-03-01T00:00:00Z"));
        runTtl();
        assertEquals(List.of("2026-02", "2026-03"), partitions("months"));

        // Year partitions, 1 YEAR: 2024 ends at 2025-01-01, the cutoff of 2026-01-01.
        engine.createTable(table("years", PartitionBy.YEAR, new Ttl(1, Ttl.Unit.YEARS)), false);
        insert("years", micros("2024-06-01T00:00:00Z"), micros("2025-06-01T00:00:00Z"),
                micros("2025-12-31T23:59:59Z"));
        runTtl();
        assertEquals(List.of("2024", "2025"), partitions("years"));
        insert("years", micros("2026-01-01T00:00:00Z"));
        runTtl();
        assertEquals(List.of("2025", "2026"), partitions("years"));

        // Hours: 3 HOURS on hour partitions keeps the last three whole hours and the current one.
        engine.createTable(table("hours", PartitionBy.HOUR, new Ttl(3, Ttl.Unit.HOURS)), false);
        for (int h = 0; h < 8; h++) {
            insert("hours", D1 + h * HOUR + 5);
        }
        runTtl();
        assertEquals(List.of("2026-11-01T04", "2026-11-01T05", "2026-11-01T06", "2026-11-01T07"),
                partitions("hours"));
    }

    @Test
    void theReferenceIsNowWhenRowsAreInTheFuture() {
        open();
        engine.createTable(table("t", PartitionBy.DAY, new Ttl(1, Ttl.Unit.DAYS)), false);
        clock.set(Instant.parse("2026-11-03T12:00:00Z"));
        for (int d = 0; d < 10; d++) {
            insert("t", D1 + d * DAY + HOUR);
        }
        runTtl();
        // now 11-03T12:00 is before the largest timestamp (11-10): cutoff 11-02T12:00, only 11-01 expired.
        assertEquals(9, partitions("t").size());
        assertEquals("2026-11-02", partitions("t").get(0));
        // Data older than now: the largest timestamp is the reference (11-10T01:00 - 1 day).
        clock.set(Instant.parse("2031-01-01T00:00:00Z"));
        runTtl();
        assertEquals(List.of("2026-11-09", "2026-11-10"), partitions("t"));
    }

    @Test
    void ttlIsPersistedKeptByRenameAndAlterAndRemovable() {
        open();
        engine.createTable(table("t", PartitionBy.DAY, new Ttl(30, Ttl.Unit.DAYS)), false);
        engine.createTable(table("u", PartitionBy.HOUR, null), false);
        engine.setTtl("u", new Ttl(12, Ttl.Unit.HOURS));
        engine.close();
        open();
        assertEquals(new Ttl(30, Ttl.Unit.DAYS), engine.schema("t").ttl());
        assertEquals(new Ttl(12, Ttl.Unit.HOURS), engine.schema("u").ttl());
        engine.renameTable("t", "t2");
        engine.addColumn("t2", new ColumnSpec("extra", ColumnType.INT));
        engine.dropColumn("t2", "price");
        engine.setTtl("u", new Ttl(2, Ttl.Unit.WEEKS));
        engine.close();
        open();
        assertEquals(new Ttl(30, Ttl.Unit.DAYS), engine.schema("t2").ttl());
        assertEquals("2 WEEKS", engine.schema("u").ttl().toString());
        engine.setTtl("u", null);
        engine.close();
        open();
        assertNull(engine.schema("u").ttl());
    }

    @Test
    void ttlNeedsAPartitionedTable() {
        open();
        engine.createTable(table("n", PartitionBy.NONE, null), false);
        StorageException e = assertThrows(StorageException.class,
                () -> engine.setTtl("n", new Ttl(1, Ttl.Unit.DAYS)));
        assertEquals(StorageException.Kind.INVALID, e.kind());
        assertEquals("ttl needs a partitioned table [table=n, partitionBy=NONE, ttl=1 DAY]", e.getMessage());
        assertNull(engine.schema("n").ttl());
        e = assertThrows(StorageException.class,
                () -> engine.createTable(table("m", PartitionBy.NONE, new Ttl(1, Ttl.Unit.DAYS)), false));
        assertEquals(StorageException.Kind.INVALID, e.kind());
        assertFalse(engine.tableExists("m"));
        e = assertThrows(StorageException.class, () -> engine.setTtl("missing", new Ttl(1, Ttl.Unit.DAYS)));
        assertEquals(StorageException.Kind.TABLE_NOT_FOUND, e.kind());
        engine.setTtl("n", null); // removing none is fine
    }

    @Test
    void removingTheTtlStopsTheDrops() {
        open();
        engine.createTable(table("t", PartitionBy.DAY, new Ttl(1, Ttl.Unit.DAYS)), false);
        insert("t", D1, D1 + DAY, D1 + 2 * DAY);
        runTtl();
        assertEquals(List.of("2026-11-02", "2026-11-03"), partitions("t"));
        engine.setTtl("t", null);
        insert("t", D1 + 9 * DAY);
        runTtl();
        assertEquals(List.of("2026-11-02", "2026-11-03", "2026-11-10"), partitions("t"));
    }

    @Test
    void theJobIsWokenBySetTtlAndByACommitThatOpensAPartition() throws InterruptedException {
        open(); // the job interval is a minute: only the wake-ups can run it within this test
        engine.createTable(table("t", PartitionBy.DAY, null), false);
        insert("t", D1, D1 + DAY, D1 + 2 * DAY);
        engine.setTtl("t", new Ttl(1, Ttl.Unit.DAYS));
        awaitPartitions("t", List.of("2026-11-02", "2026-11-03"));
        insert("t", D1 + 3 * DAY);
        awaitPartitions("t", List.of("2026-11-03", "2026-11-04"));
    }

    private void awaitPartitions(String table, List<String> expected) throws InterruptedException {
        for (int i = 0; i < 1000 && !expected.equals(partitions(table)); i++) {
            Thread.sleep(10);
        }
        assertEquals(expected, partitions(table));
    }

    @Test
    void statusHasOneRowPerJob() {
        open();
        List<String> jobs = engine.housekeeping().status().stream().map(Housekeeping.JobStatus::job).toList();
        assertEquals(List.of("purge", "ttl", "compaction"), jobs);
        engine.housekeeping().pause();
        List<Housekeeping.JobStatus> paused = engine.housekeeping().status();
        assertTrue(paused.get(0).paused());
        assertFalse(paused.get(1).paused(), "the ttl job keeps working while paused");
        assertTrue(paused.get(2).paused());
        engine.housekeeping().resume();
    }

    // ---------------------------------------------------------------- registry format

    @Test
    void aVersionOneImageReadsAsTablesWithoutTtl() throws Exception {
        open();
        engine.createTable(table("t", PartitionBy.DAY, null), false);
        insert("t", D1);
        String directory = engine.tableDirectory("t").getFileName().toString();
        engine.close();
        engine = null;
        // A version 1 root: _tables is itself an image.
        Path db = root.resolve("db");
        try (var names = Files.list(db)) {
            for (Path p : names.filter(p -> p.getFileName().toString().startsWith("_tables")).toList()) {
                Files.delete(p);
            }
        }
        Files.write(db.resolve("_tables"), RegistryImages.versionOne(2, List.of(
                new TableEngine.MetadataFormats.RegistryEntry(1, directory, table("t", PartitionBy.DAY, null)))));
        open();
        assertNull(engine.schema("t").ttl());
        assertEquals(1, TestRows.readAll(engine, "t").size());
        engine.setTtl("t", new Ttl(3, Ttl.Unit.DAYS)); // written as version 2
        engine.close();
        open();
        assertEquals(new Ttl(3, Ttl.Unit.DAYS), engine.schema("t").ttl());
    }

    @Test
    void corruptTtlFieldsAreReportedPrecisely() throws Exception {
        Path db = Files.createDirectories(root.resolve("x"));
        Path file = db.resolve("_tables");
        TableSchema s = table("t", PartitionBy.DAY, new Ttl(5, Ttl.Unit.DAYS));
        TableRegistry.writeImage(FileSystemFacade.real(), file, 2, List.of(new TableRegistry.Entry(1, "t~1", s)));
        assertEquals(s, TableRegistry.loadImage(FileSystemFacade.real(), file).entries().get(0).schema());
        byte[] image = Files.readAllBytes(file);
        int unitAt = image.length - 4;
        // A unit ordinal out of range, with a valid CRC: only the field check can catch it.
        StorageException e = assertThrows(StorageException.class, () -> load(file, patch(image, unitAt, 9)));
        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals("table registry ttl unit ordinal out of range [file=" + file + ", offset=" + unitAt
                + ", expected=0..4, found=9]", e.getMessage());
        e = assertThrows(StorageException.class, () -> load(file, patchLong(image, unitAt - 8, -5)));
        assertEquals("table registry ttl amount out of range [file=" + file + ", offset=" + (unitAt - 8)
                + ", expected=0..1000000, found=-5]", e.getMessage());
        e = assertThrows(StorageException.class, () -> load(file, patch(patchLong(image, unitAt - 8, 0), unitAt, 2)));
        assertEquals("table registry ttl unit set without a ttl [file=" + file + ", offset=" + unitAt
                + ", expected=0, found=2]", e.getMessage());
        // A TTL on an unpartitioned table.
        Files.delete(file);
        TableSchema none = table("n", PartitionBy.NONE, null);
        TableRegistry.writeImage(FileSystemFacade.real(), file, 2, List.of(new TableRegistry.Entry(1, "n~1", none)));
        byte[] noneImage = Files.readAllBytes(file);
        e = assertThrows(StorageException.class, () -> load(file, patch(patchLong(noneImage, noneImage.length - 12,
                3), noneImage.length - 4, 1)));
        assertEquals("table registry ttl on a table that is not partitioned [file=" + file + ", offset="
                + (noneImage.length - 12) + ", expected=no ttl (amount 0), found=3]", e.getMessage());
        // A schema of version 1 inside an image of version 2.
        e = assertThrows(StorageException.class, () -> load(file, patch(noneImage, 16 + 12 + 8, 1)));
        assertEquals("unsupported table schema format version [file=" + file + ", offset=" + (16 + 12 + 8)
                + ", expected=2 (image format version 2), found=1]", e.getMessage());
    }

    private static byte[] patch(byte[] image, int at, int value) {
        byte[] copy = image.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return withCrc(copy);
    }

    private static byte[] patchLong(byte[] image, int at, long value) {
        byte[] copy = image.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return withCrc(copy);
    }

    private static byte[] withCrc(byte[] image) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(image, 16, image.length - 16);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(12, (int) crc.getValue());
        return image;
    }

    private static void load(Path file, byte[] bytes) throws Exception {
        Files.write(file, bytes);
        TableRegistry.loadImage(FileSystemFacade.real(), file);
    }
}
