package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.table.SettableClock;
import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.CheckpointStatus;
import io.stillpoint.storage.ColumnChunk;
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
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.housekeeping.Housekeeping;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint coordinator on a real engine: create, release, status, guards, restart, the global cut. */
class CheckpointCoordinatorTest {

    private static final long DAY = 86_400_000_000L;
    private static final long T0 = Instant.parse("2026-11-20T00:00:00Z").getEpochSecond() * 1_000_000L;
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(NOW);
    private final FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
    private final List<TableEngine> open = new ArrayList<>();


    private Path root() {
        return dir.resolve("root");
    }

    private EngineConfig.CheckpointPolicy policy(long floor) {
        // A long guard interval: the tests call checkGuards() themselves, no timing.
        return new EngineConfig.CheckpointPolicy(Duration.ofHours(24), floor, Duration.ofHours(1), clock);
    }

    private TableEngine open() {
        return open(root(), 0);
    }

    private TableEngine open(Path root, long floor) {
        TableEngine e = TableEngine.open(new EngineConfig(root, fs, policy(floor)));
        open.add(e);
        return e;
    }

    @AfterEach
    void closeAll() {
        for (TableEngine e : open) {
            e.close();
        }
    }

    private static TableSchema trades(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("sym", ColumnType.VARCHAR), new ColumnSpec("qty", ColumnType.LONG)), 0,
                PartitionBy.DAY);
    }

    private static void insert(TableEngine e, String table, long ts, String sym, long qty) {
        try (WriteTransaction tx = e.beginWrite()) {
            tx.insert(table, new Object[]{ts, sym, qty});
            tx.commit();
        }
    }

    /** Two tables over three days, one with a NULL (a null list file). */
    private TableEngine populated() {
        TableEngine e = open();
        e.createTable(trades("a"), false);
        e.createTable(trades("b"), false);
        for (int i = 0; i < 6; i++) {
            insert(e, "a", T0 + i * DAY / 2, i == 3 ? null : "s" + i, i);
        }
        insert(e, "b", T0, "x", 1);
        return e;
    }

    private static List<List<Object>> rows(TableEngine e, String table) {
        List<List<Object>> out = new ArrayList<>();
        try (TableSnapshot s = e.snapshot(table)) {
            int n = s.schema().columnCount();
            for (PartitionSnapshot p : s.partitions()) {
                ColumnChunk[] chunks = new ColumnChunk[n];
                for (int c = 0; c < n; c++) {
                    chunks[c] = p.read(c, 0, (int) p.rowCount());
                }
                for (int r = 0; r < p.rowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (int c = 0; c < n; c++) {
                        row.add(chunks[c].getValue(r));
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    // ---------------------------------------------------------------- create, status, files

    @Test
    void createStatusFilesRelease() throws IOException {
        TableEngine e = populated();
        assertEquals(new CheckpointStatus(false, null, null, 0, 0, null, null), e.checkpoints().status());
        assertEquals(List.of(), e.checkpoints().files());
        CheckpointStatus s = e.checkpoints().create(Duration.ofMinutes(30));
        assertTrue(s.inProgress());
        assertEquals(micros(NOW), s.startedAt());
        assertEquals(micros(NOW) + 30 * 60_000_000L, s.expiresAt());
        assertEquals(2, s.tables());
        assertEquals(s, e.checkpoints().status());
        assertTrue(e.housekeeping().isPaused());
        assertTrue(Files.isDirectory(root().resolve(".checkpoint")));

        // The manifest is exactly the files of the committed states: every column file of every partition
        // version the tables reference (plus the null list and varchar index), with its committed length.
        List<CheckpointFile> files = e.checkpoints().files();
        Set<String> expectedDirs = new HashSet<>();
        for (String t : List.of("a", "b")) {
            String tableDir = "db/" + e.tableDirectory(t).getFileName() + "/";
            for (String p : e.partitionDirectories(t)) {
                expectedDirs.add(tableDir + p);
            }
        }
        Set<String> dirs = new HashSet<>();
        Map<String, Long> byPath = new TreeMap<>();
        for (CheckpointFile f : files) {
            dirs.add(f.path().substring(0, f.path().lastIndexOf('/')));
            byPath.put(f.path(), f.committedLength());
            // The file ends at its committed length, or goes on with the zero-filled extent of its last append.
            byte[] onDisk = Files.readAllBytes(root().resolve(f.path()));
            assertTrue(f.committedLength() <= onDisk.length, f.path());
            for (int i = (int) f.committedLength(); i < onDisk.length; i++) {
                assertEquals(0, onDisk[i], f.path() + " past its committed length [offset=" + i + "]");
            }
        }
        assertEquals(expectedDirs, dirs);
        assertEquals(new ArrayList<>(byPath.keySet()), files.stream().map(CheckpointFile::path).toList());
        String aDir = "db/" + e.tableDirectory("a").getFileName() + "/";
        List<String> aParts = e.partitionDirectories("a");
        assertEquals(3, aParts.size());
        for (String p : aParts) {
            assertEquals(16 + 2 * 8L, byPath.get(aDir + p + "/c0.d")); // two timestamps
            assertEquals(16 + 2 * 8L, byPath.get(aDir + p + "/c1.i")); // two varchar offsets
            assertEquals(16 + 2 * 8L, byPath.get(aDir + p + "/c2.d")); // two longs
        }
        assertEquals(1, files.stream().filter(f -> f.path().endsWith("c1.n")).count());
        assertEquals(16 + 8L, byPath.get(aDir + aParts.get(1) + "/c1.n"));
        assertEquals(files, CheckpointDirectory.read(fs, root()).manifest());

        e.checkpoints().release();
        CheckpointStatus after = e.checkpoints().status();
        assertFalse(after.inProgress());
        assertEquals(CheckpointStatus.RELEASED, after.lastReleaseReason());
        assertEquals(micros(NOW), after.lastReleasedAt());
        assertFalse(Files.exists(root().resolve(".checkpoint")));
        assertFalse(e.housekeeping().isPaused());
        assertEquals(List.of(), e.checkpoints().files());
        e.checkpoints().release(); // a no-op without a checkpoint
        // And the next checkpoint works.
        e.checkpoints().create(null);
        assertEquals(micros(NOW) + 24 * 3_600_000_000L, e.checkpoints().status().expiresAt());
    }

    @Test
    void createWhileActiveIsRefusedAndLeavesTheFirstUntouched() throws IOException {
        TableEngine e = populated();
        CheckpointStatus first = e.checkpoints().create(null);
        byte[] header = Files.readAllBytes(root().resolve(".checkpoint/CHECKPOINT"));
        clock.advance(Duration.ofMinutes(1));
        StorageException ex = assertThrows(StorageException.class, () -> e.checkpoints().create(null));
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, ex.kind());
        assertEquals("checkpoint is already active, release it first [started_at=2026-11-22T12:00:00Z]",
                ex.getMessage());
        assertEquals(first, e.checkpoints().status());
        assertArrayEquals(header, Files.readAllBytes(root().resolve(".checkpoint/CHECKPOINT")));
        assertTrue(e.housekeeping().isPaused());
    }

    @Test
    void invalidLeaseIsRefused() {
        TableEngine e = populated();
        StorageException ex = assertThrows(StorageException.class, () -> e.checkpoints().create(Duration.ZERO));
        assertEquals(StorageException.Kind.INVALID, ex.kind());
        assertFalse(e.checkpoints().status().inProgress());
        assertFalse(e.housekeeping().isPaused());
    }

    @Test
    void eightThreadsRacingCreateOneWins() throws Exception {
        TableEngine e = populated();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        try {
                            e.checkpoints().create(null);
                            return "won";
                        } catch (StorageException ex) {
                            return ex.kind().toString();
                        }
                    }));
                }
                go.countDown();
                int won = 0;
                int refused = 0;
                for (Future<String> f : results) {
                    String r = f.get();
                    if (r.equals("won")) {
                        won++;
                    } else if (r.equals("CHECKPOINT_STATE")) {
                        refused++;
                    }
                }
                assertEquals(1, won);
                assertEquals(7, refused);
                e.checkpoints().release();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- writes during a checkpoint

    /** Every regular file under the root with its size, and the SHA-256 of each manifest file's committed prefix. */
    private static Map<String, Long> walk(Path root) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    sizes.put(root.relativize(p).toString().replace('\\', '/'), Files.size(p));
                }
            }
        }
        return sizes;
    }

    private static String prefixHash(Path file, long length) throws Exception {
        byte[] b = Files.readAllBytes(file);
        assertTrue(b.length >= length, file + " shorter than " + length);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, 0, (int) length);
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static void rewrite(TableEngine e, String table, PartitionRewriter r) {
        try (WriteTransaction tx = e.beginWrite()) {
            tx.rewrite(table, r);
        }
    }

    /** Applies {@code f} to every row of every partition; null from f deletes the row. */
    private static PartitionRewriter mapRows(java.util.function.UnaryOperator<Object[]> f) {
        return p -> {
            List<Object[]> out = new ArrayList<>();
            int n = 3;
            ColumnChunk[] chunks = new ColumnChunk[n];
            for (int c = 0; c < n; c++) {
                chunks[c] = p.read(c, 0, (int) p.rowCount());
            }
            for (int r = 0; r < p.rowCount(); r++) {
                Object[] row = new Object[n];
                for (int c = 0; c < n; c++) {
                    row[c] = chunks[c].getValue(r);
                }
                Object[] mapped = f.apply(row);
                if (mapped != null) {
                    out.add(mapped);
                }
            }
            return out;
        };
    }

    @Test
    void everyWriteWorksDuringACheckpointAndNoFileVanishesOrShrinks() throws Exception {
        TableEngine e = populated();
        e.createTable(trades("c"), false);
        e.createTable(trades("d"), false);
        e.createTable(trades("r"), false);
        for (String t : List.of("c", "d", "r")) {
            insert(e, t, T0, "c0", 1);
            insert(e, t, T0 + DAY, "c1", 2);
        }
        e.checkpoints().create(null);
        Map<String, Long> before = walk(root());
        List<CheckpointFile> manifest = e.checkpoints().files();
        Map<String, String> hashes = new TreeMap<>();
        for (CheckpointFile f : manifest) {
            hashes.put(f.path(), prefixHash(root().resolve(f.path()), f.committedLength()));
        }
        Path droppedDir = e.tableDirectory("b");
        Path alteredDir = e.tableDirectory("d");

        insert(e, "a", T0 + 3 * DAY, "new", 100);                                // INSERT (append + new partition)
        insert(e, "a", T0 + 1, "late", 101);                                      // out-of-order merge
        rewrite(e, "a", mapRows(r -> new Object[]{r[0], r[1], ((Long) r[2]) * 10})); // UPDATE
        rewrite(e, "a", mapRows(r -> ((Long) r[2]) == 20L ? null : r));          // DELETE
        e.dropTable("b", false);                                                   // DROP TABLE
        rewrite(e, "c", p -> List.of());                                          // TRUNCATE
        rewrite(e, "r", p -> p.name().equals("2026-11-20") ? List.of() : null);   // DROP PARTITION
        e.addColumn("d", new ColumnSpec("extra", ColumnType.INT));                // ADD COLUMN
        e.dropColumn("d", "sym");                                                 // DROP COLUMN
        e.renameTable("r", "r2");                                                 // RENAME
        e.createTable(trades("b"), false);                                        // a new table of a dropped name
        insert(e, "b", T0, "again", 7);
        for (int i = 0; i < 3; i++) {
            e.housekeeping().runOnce(); // paused: must delete nothing
        }

        assertEquals(List.of(List.of(T0 + 3 * DAY, "new", 1000L)), rows(e, "a").subList(rows(e, "a").size() - 1,
                rows(e, "a").size()));
        assertEquals(0, rows(e, "c").size());
        assertEquals(1, rows(e, "r2").size());
        assertEquals(List.of("ts", "qty", "extra"), e.schema("d").columns().stream().map(ColumnSpec::name).toList());
        assertEquals(List.of(List.of(T0, "again", 7L)), rows(e, "b"));

        Map<String, Long> during = walk(root());
        for (Map.Entry<String, Long> f : before.entrySet()) {
            String path = f.getKey();
            assertTrue(during.containsKey(path), "vanished: " + path);
            boolean replacedMetadata = path.endsWith("/_tables") || path.endsWith("/_txn");
            if (!replacedMetadata) {
                assertTrue(during.get(path) >= f.getValue(), "shrank: " + path);
            }
        }
        for (CheckpointFile f : manifest) {
            assertEquals(hashes.get(f.path()), prefixHash(root().resolve(f.path()), f.committedLength()), f.path());
        }
        assertEquals(manifest, e.checkpoints().files());
        Housekeeping.JobStatus job = e.housekeeping().status().get(0);
        assertTrue(job.paused());
        assertTrue(job.pendingVersions() >= 5, job.toString());
        assertEquals(job.pendingBytes(), e.checkpoints().status().pinnedBytes());
        assertTrue(job.pendingBytes() > 0);

        // Release: the purge removes what the checkpoint pinned.
        e.checkpoints().release();
        for (int i = 0; i < 3 && e.housekeeping().pendingCount() > 0; i++) {
            e.housekeeping().runOnce();
        }
        assertFalse(Files.exists(droppedDir));
        assertFalse(Files.exists(alteredDir));
        assertEquals(0, e.housekeeping().pendingCount());
        assertEquals(0, e.checkpoints().status().pinnedBytes());
        Set<String> referenced = new HashSet<>();
        for (String t : List.of("a", "b", "c", "d", "r2")) {
            String td = "db/" + e.tableDirectory(t).getFileName() + "/";
            for (String p : e.partitionDirectories(t)) {
                referenced.add(td + p);
            }
        }
        for (CheckpointFile f : manifest) {
            String partitionDir = f.path().substring(0, f.path().lastIndexOf('/'));
            assertEquals(referenced.contains(partitionDir), Files.exists(root().resolve(f.path())), f.path());
        }
    }

    @Test
    void registryChangesUseNoTemporaryNameAndKeepEveryGenerationDuringACheckpoint() throws IOException {
        TableEngine e = populated();
        e.checkpoints().create(null);
        e.createTable(trades("n1"), false);
        Map<String, Long> before = walk(root());
        for (String path : before.keySet()) {
            assertFalse(path.endsWith(".tmp"), "a temporary name: " + path);
        }
        e.dropTable("n1", false);
        e.renameTable("a", "a2");
        e.createTable(trades("n2"), false);
        e.addColumn("n2", new ColumnSpec("x", ColumnType.INT));
        Map<String, Long> after = walk(root());
        for (Map.Entry<String, Long> f : before.entrySet()) {
            assertTrue(after.containsKey(f.getKey()), "vanished: " + f.getKey());
            if (!f.getKey().equals("db/_tables") && !f.getKey().endsWith("/_txn")) { // written in place
                assertEquals(f.getValue(), after.get(f.getKey()), "changed: " + f.getKey());
            }
        }
        long generations = after.keySet().stream().filter(p -> p.matches("db/_tables\\.[0-9]+")).count();
        assertTrue(generations >= 6, after.keySet().toString()); // none purged while the checkpoint holds them
        e.close();
        TableEngine again = open(); // still in checkpoint mode: old generations are neither queued nor deleted
        for (String path : after.keySet()) {
            if (path.startsWith("db/_tables.")) {
                assertTrue(Files.exists(root().resolve(path)), path);
            }
        }
        again.createTable(trades("n3"), false);
        assertEquals(List.of("a2", "b", "n2", "n3"), again.tables().stream().map(t -> t.name()).toList());
        again.checkpoints().release();
        again.close();
        open(); // without a checkpoint only the current generation stays
        try (var names = Files.list(root().resolve("db"))) {
            assertEquals(1, names.filter(p -> p.getFileName().toString().matches("_tables\\.[0-9]+")).count());
        }
    }

    @Test
    void aTxnFileOutgrowingItsSlotGrowsInPlaceDuringACheckpoint() throws IOException {
        TableEngine e = populated();
        e.checkpoints().create(null);
        Path txnTemp = e.tableDirectory("b").resolve("_txn.tmp");
        Path txn = e.tableDirectory("b").resolve("_txn");
        Object inode = Files.readAttributes(txn, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        long size = Files.size(txn);
        assertFalse(Files.exists(txnTemp));
        try (WriteTransaction tx = e.beginWrite()) {
            for (int day = 0; day < 60; day++) { // 60 partitions: the record outgrows its slot, a new slot area
                tx.insert("b", new Object[]{T0 + day * DAY, "d" + day, (long) day});
            }
            tx.commit();
        }
        assertFalse(Files.exists(txnTemp)); // no temporary name: the same file grew
        assertEquals(inode, Files.readAttributes(txn, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        assertTrue(Files.size(txn) > size);
        assertEquals(61, rows(e, "b").size());
        e.checkpoints().release();
        insert(e, "b", T0 + 70 * DAY, "after", 1);
        assertEquals(62, rows(e, "b").size());
        e.close();
        assertEquals(62, rows(open(), "b").size());
    }

    // ---------------------------------------------------------------- failed creates

    private void assertNoCheckpoint(TableEngine e) {
        assertFalse(Files.exists(root().resolve(".checkpoint")), ".checkpoint left");
        assertFalse(Files.exists(root().resolve(".checkpoint.tmp")), ".checkpoint.tmp left");
        assertFalse(e.checkpoints().status().inProgress());
        assertFalse(e.housekeeping().isPaused());
        assertEquals(List.of(), e.checkpoints().files());
    }

    @Test
    void everyFailedCreateLeavesThingsAsTheyWere() {
        TableEngine e = populated();
        List<Runnable> faults = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            int k = n;
            faults.add(() -> fs.failNthSync(k));
        }
        for (int n = 1; n <= 8; n++) {
            int k = n;
            faults.add(() -> fs.diskFullOnNthWrite(k));
        }
        faults.add(() -> fs.failNthRename(1)); // the registry copy's rename
        faults.add(() -> fs.failNthRename(2)); // .checkpoint.tmp -> .checkpoint
        int failed = 0;
        for (Runnable fault : faults) {
            fault.run();
            try {
                e.checkpoints().create(null);
                fs.disarm();
                e.checkpoints().release(); // the fault was past the create's last call
                continue;
            } catch (StorageException ex) {
                fs.disarm();
                failed++;
                assertTrue(ex.kind() == StorageException.Kind.IO || ex.kind() == StorageException.Kind.DISK_FULL,
                        ex.toString());
            }
            assertNoCheckpoint(e);
            e.checkpoints().create(null);
            e.checkpoints().release();
            insert(e, "b", T0, "still writable", 1);
        }
        assertTrue(failed >= 12, "faults that hit a create: " + failed);
    }

    @Test
    void aDamagedTableFailsCreateAndLeavesThingsAsTheyWere() throws IOException {
        TableEngine e = populated();
        String bDir = e.tableDirectory("b").getFileName().toString();
        String part = e.partitionDirectories("b").get(0);
        Path column = e.tableDirectory("b").resolve(part).resolve("c2.d");
        byte[] bytes = Files.readAllBytes(column);
        Files.write(column, java.util.Arrays.copyOf(bytes, bytes.length - 8)); // damaged behind the engine's back
        StorageException ex = assertThrows(StorageException.class, () -> e.checkpoints().create(null));
        assertEquals(StorageException.Kind.CORRUPT, ex.kind());
        assertEquals("table file shorter than its committed length, checkpoint refused [table=b, file=db/" + bDir + "/"
                + part + "/c2.d, committed=" + bytes.length + ", actual=" + (bytes.length - 8) + "]", ex.getMessage());
        assertNoCheckpoint(e);
        Files.delete(column);
        ex = assertThrows(StorageException.class, () -> e.checkpoints().create(null));
        assertTrue(ex.getMessage().startsWith("table file missing, checkpoint refused [table=b"), ex.getMessage());
        assertNoCheckpoint(e);
        e.dropTable("b", false);
        e.checkpoints().create(null);
        assertEquals(1, e.checkpoints().status().tables());
    }

    // ---------------------------------------------------------------- lease and disk guard

    @Test
    void leaseExpiresWithTheClockAndTheFirstReleaseReportsIt() {
        TableEngine e = populated();
        e.checkpoints().create(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(9));
        assertNull(e.checkpoints().checkGuards());
        assertTrue(e.checkpoints().status().inProgress());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(CheckpointStatus.LEASE_EXPIRED, e.checkpoints().checkGuards());
        CheckpointStatus s = e.checkpoints().status();
        assertFalse(s.inProgress());
        assertEquals(CheckpointStatus.LEASE_EXPIRED, s.lastReleaseReason());
        assertEquals(micros(NOW.plus(Duration.ofMinutes(10))), s.lastReleasedAt());
        assertFalse(Files.exists(root().resolve(".checkpoint")));
        assertFalse(e.housekeeping().isPaused());
        StorageException ex = assertThrows(StorageException.class, () -> e.checkpoints().release());
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, ex.kind());
        assertEquals("checkpoint ended before release, the copy is not valid [reason=lease expired, "
                + "ended_at=2026-11-22T12:10:00Z, started_at=2026-11-22T12:00:00Z]", ex.getMessage());
        e.checkpoints().release(); // once only
        assertFalse(Files.exists(root().resolve(CheckpointEndedRecord.NAME)));
    }

    @Test
    void endedRecordSurvivesARestartAndANewCreateClearsIt() {
        TableEngine e = populated();
        e.checkpoints().create(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(11));
        assertEquals(CheckpointStatus.LEASE_EXPIRED, e.checkpoints().checkGuards());
        e.close();
        TableEngine again = open();
        assertEquals(CheckpointStatus.LEASE_EXPIRED, again.checkpoints().status().lastReleaseReason());
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().release());
        assertTrue(ex.getMessage().startsWith("checkpoint ended before release, the copy is not valid "
                + "[reason=lease expired"), ex.getMessage());
        again.checkpoints().release();
        // A new create clears an unreported end too.
        again.checkpoints().create(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        again.checkpoints().checkGuards();
        again.checkpoints().create(null);
        again.checkpoints().release(); // no complaint: the create cleared it
        assertFalse(Files.exists(root().resolve(CheckpointEndedRecord.NAME)));
    }

    @Test
    void aGuardReleaseCutShortByACrashIsFinishedAtOpen() {
        TableEngine e = populated();
        CheckpointStatus s = e.checkpoints().create(null);
        e.close();
        // The guard wrote its record, then the process died before .checkpoint was removed.
        new CheckpointEndedRecord(CheckpointStatus.DISK_GUARD, s.startedAt() + 5, s.startedAt()).write(fs, root());
        TableEngine again = open();
        assertFalse(again.checkpoints().status().inProgress());
        assertFalse(again.housekeeping().isPaused());
        assertFalse(Files.exists(root().resolve(".checkpoint")));
        assertEquals(CheckpointStatus.DISK_GUARD, again.checkpoints().status().lastReleaseReason());
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().release());
        assertTrue(ex.getMessage().contains("reason=disk guard"), ex.getMessage());
        again.checkpoints().release();
    }

    @Test
    void aDamagedEndedRecordStillFailsTheNextReleaseOnce() throws IOException {
        TableEngine e = populated();
        e.close();
        Files.write(root().resolve(CheckpointEndedRecord.NAME), new byte[]{1, 2, 3, 4, 5});
        TableEngine again = open();
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().release());
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, ex.kind());
        assertTrue(ex.getMessage().startsWith("checkpoint ended before release, the copy is not valid [reason=unknown"),
                ex.getMessage());
        again.checkpoints().release();
    }

    @Test
    void leaseRunningOutWhileTheEngineIsDownReleasesAtOpen() {
        TableEngine e = populated();
        e.checkpoints().create(Duration.ofHours(1));
        e.close();
        clock.advance(Duration.ofHours(2));
        TableEngine again = open();
        assertFalse(again.checkpoints().status().inProgress());
        assertFalse(again.housekeeping().isPaused());
        assertFalse(Files.exists(root().resolve(".checkpoint")));
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().release());
        assertTrue(ex.getMessage().contains("reason=lease expired"), ex.getMessage());
    }

    @Test
    void diskGuardRefusesCreateReleasesTheActiveOneAndReportsItOnceAfterAReopen() {
        long floor = 1L << 30;
        TableEngine e = open(root(), floor);
        e.createTable(trades("a"), false);
        insert(e, "a", T0, "x", 1);
        fs.setUsableSpace(floor - 1);
        StorageException refused = assertThrows(StorageException.class, () -> e.checkpoints().create(null));
        assertEquals(StorageException.Kind.DISK_FULL, refused.kind());
        assertEquals("free disk space below the checkpoint floor [free=" + (floor - 1) + ", floor=" + floor + "]",
                refused.getMessage());
        assertNoCheckpoint(e);
        fs.setUsableSpace(floor * 4);
        e.checkpoints().create(null);
        assertNull(e.checkpoints().checkGuards());
        fs.setUsableSpace(floor / 2);
        assertEquals(CheckpointStatus.DISK_GUARD, e.checkpoints().checkGuards());
        assertNoCheckpoint(e);
        assertEquals(CheckpointStatus.DISK_GUARD, e.checkpoints().status().lastReleaseReason());
        e.close();
        fs.setUsableSpace(floor * 4);
        TableEngine again = open(root(), floor);
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().release());
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, ex.kind());
        assertTrue(ex.getMessage().startsWith("checkpoint ended before release, the copy is not valid "
                + "[reason=disk guard, ended_at="), ex.getMessage());
        again.checkpoints().release();
        // Floor 0 turns the guard off.
        fs.setUsableSpace(0L);
        TableEngine off = open(dir.resolve("other"), 0);
        off.checkpoints().create(null);
        assertNull(off.checkpoints().checkGuards());
        assertTrue(off.checkpoints().status().inProgress());
    }

    @Test
    void theDiskGuardReleasesEvenWhenItsRecordCannotBeWritten() {
        long floor = 1L << 30;
        TableEngine e = open(root(), floor);
        e.createTable(trades("a"), false);
        fs.setUsableSpace(floor * 2);
        e.checkpoints().create(null);
        fs.setUsableSpace(floor - 1);
        fs.diskFullOnNthWrite(1); // the ended record's write: the disk really is full
        assertEquals(CheckpointStatus.DISK_GUARD, e.checkpoints().checkGuards());
        fs.disarm();
        assertNoCheckpoint(e);
        assertFalse(Files.exists(root().resolve(CheckpointEndedRecord.NAME)));
        StorageException ex = assertThrows(StorageException.class, () -> e.checkpoints().release());
        assertTrue(ex.getMessage().contains("reason=disk guard"), ex.getMessage());
    }

    @Test
    void theGuardThreadReleasesOnItsOwn() throws InterruptedException {
        EngineConfig.CheckpointPolicy fast = new EngineConfig.CheckpointPolicy(Duration.ofHours(24), 0,
                Duration.ofMillis(5), clock);
        TableEngine e = TableEngine.open(new EngineConfig(root(), fs, fast));
        open.add(e);
        e.checkpoints().create(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        for (int i = 0; i < 2000 && e.checkpoints().status().inProgress(); i++) {
            Thread.sleep(5);
        }
        assertEquals(CheckpointStatus.LEASE_EXPIRED, e.checkpoints().status().lastReleaseReason());
    }

    // ---------------------------------------------------------------- restart and copies

    @Test
    void checkpointModeSurvivesAReopen() throws IOException {
        TableEngine e = populated();
        CheckpointStatus created = e.checkpoints().create(Duration.ofHours(2));
        List<CheckpointFile> files = e.checkpoints().files();
        e.close();
        clock.advance(Duration.ofMinutes(30));
        TableEngine again = open();
        CheckpointStatus s = again.checkpoints().status();
        assertTrue(s.inProgress());
        assertEquals(created.startedAt(), s.startedAt());
        assertEquals(created.expiresAt(), s.expiresAt());
        assertEquals(2, s.tables());
        assertEquals(files, again.checkpoints().files());
        assertTrue(again.housekeeping().isPaused());
        Path bDir = again.tableDirectory("b");
        again.dropTable("b", false);
        again.housekeeping().runOnce();
        assertTrue(Files.exists(bDir));
        StorageException ex = assertThrows(StorageException.class, () -> again.checkpoints().create(null));
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, ex.kind());
        again.checkpoints().release();
        again.housekeeping().runOnce();
        assertFalse(Files.exists(bDir));
    }

    @Test
    void aCopyOpenedWithoutRestoreIsRefused() throws IOException {
        TableEngine e = populated();
        e.checkpoints().create(null);
        Path copy = dir.resolve("copy");
        try (Stream<Path> s = Files.walk(root())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = copy.resolve(root().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Map<String, Long> before = walk(copy);
        StorageException ex = assertThrows(StorageException.class, () -> open(copy, 0));
        assertEquals(StorageException.Kind.RESTORE_REFUSED, ex.kind());
        assertEquals("root holds a checkpoint taken in another directory: this is a copy; touch _restore in it to "
                + "restore the checkpoint [root=" + copy.toAbsolutePath() + ", checkpoint_root="
                + root().toAbsolutePath() + "]", ex.getMessage());
        assertEquals(before, walk(copy)); // nothing changed
        // The original, meanwhile, is still in checkpoint mode.
        assertTrue(e.checkpoints().status().inProgress());
    }

    @Test
    void unfinishedCreateAndRemovalAreDiscardedAtOpen() throws IOException {
        TableEngine e = populated();
        e.checkpoints().create(null);
        e.close();
        Files.move(root().resolve(".checkpoint"), root().resolve(".checkpoint.released"));
        Files.createDirectories(root().resolve(".checkpoint.tmp/db"));
        Files.writeString(root().resolve(".checkpoint.tmp/CHECKPOINT"), "half");
        TableEngine again = open();
        assertFalse(Files.exists(root().resolve(".checkpoint.tmp")));
        assertFalse(Files.exists(root().resolve(".checkpoint.released")));
        assertFalse(again.checkpoints().status().inProgress());
        assertFalse(again.housekeeping().isPaused());
        again.checkpoints().create(null);
    }

    @Test
    void leftoversOfACrashAreNeverWrittenIntoWhileTheCheckpointKeepsThem() throws IOException {
        TableEngine e = open();
        e.createTable(trades("t"), false);
        insert(e, "t", T0, "a", 1); // txn 1: 2026-11-20.1
        e.checkpoints().create(null);
        e.close();
        // What a crashed commit 2 leaves: a partition directory no _txn references.
        Path tableDir = root().resolve("db").resolve("t~1");
        Path leftover = tableDir.resolve("2026-11-21.2");
        Files.createDirectories(leftover);
        Files.write(leftover.resolve("c0.d"), new byte[]{1, 2, 3});
        TableEngine again = open();
        assertTrue(again.housekeeping().isPaused());
        assertTrue(Files.exists(tableDir.resolve("_txn.tmp"))); // the jump's temporary name is kept for copies
        insert(again, "t", T0 + DAY, "b", 2);               // a new partition: must not be 2026-11-21.2
        insert(again, "t", T0 + DAY / 2, "c", 3);           // a merge into 2026-11-20: a new version
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(leftover.resolve("c0.d")));
        List<String> parts = again.partitionDirectories("t");
        assertFalse(parts.contains("2026-11-21.2"), parts.toString());
        again.checkpoints().release();
        for (int i = 0; i < 3 && again.housekeeping().pendingCount() > 0; i++) {
            again.housekeeping().runOnce();
        }
        assertFalse(Files.exists(leftover));
        List<List<Object>> expected = List.of(List.of(T0, "a", 1L), List.of(T0 + DAY / 2, "c", 3L),
                List.of(T0 + DAY, "b", 2L));
        assertEquals(expected, rows(again, "t"));
        again.close();
        assertEquals(expected, rows(open(), "t"));
    }

    // ---------------------------------------------------------------- the global cut

    @Test
    void theCutIsOneInstantAcrossTables() throws Exception {
        TableEngine e = open();
        e.createTable(trades("a"), false);
        e.createTable(trades("b"), false);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (long seq = 1; !stop.get(); seq++) {
                    insert(e, "a", T0 + seq, "a", seq);
                    insert(e, "b", T0 + seq, "b", seq);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        int checked = 0;
        try {
            for (int i = 0; i < 40; i++) {
                e.checkpoints().create(null);
                CheckpointDirectory.Contents c = CheckpointDirectory.read(fs, root());
                e.checkpoints().release();
                long a = c.tables().get(0).rowCount();
                long b = c.tables().get(1).rowCount();
                assertTrue(b <= a && a <= b + 1, "rows(a)=" + a + ", rows(b)=" + b);
                checked += a > 0 ? 1 : 0;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertNull(failure.get());
        assertTrue(checked > 0);
    }

    @Test
    void checkpointsUnderConcurrentDdlAndWritesPinEveryFileTheyList() throws Exception {
        TableEngine e = populated();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> { // DDL: create, add column, rename, drop
            try {
                for (int i = 0; !stop.get(); i++) {
                    String t = "ddl" + (i % 3);
                    e.createTable(trades(t), true);
                    insert(e, t, T0 + i, "x", i);
                    e.addColumn(t, new ColumnSpec("c" + i, ColumnType.INT));
                    e.renameTable(t, t + "r");
                    e.dropTable(t + "r", false);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }));
        threads.add(new Thread(() -> { // writes: appends, out-of-order merges, updates
            try {
                for (long i = 0; !stop.get(); i++) {
                    insert(e, "a", T0 + (i % 5) * DAY, "w" + i, i);
                    if (i % 4 == 0) {
                        rewrite(e, "a", mapRows(r -> new Object[]{r[0], r[1], ((Long) r[2]) + 1}));
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }));
        threads.forEach(Thread::start);
        try {
            for (int round = 0; round < 25 && failure.get() == null; round++) {
                e.checkpoints().create(null);
                for (int look = 0; look < 3; look++) {
                    for (CheckpointFile f : e.checkpoints().files()) {
                        Path p = root().resolve(f.path());
                        assertTrue(Files.exists(p) && Files.size(p) >= f.committedLength(), "unpinned: " + f);
                    }
                    e.housekeeping().runOnce();
                }
                CheckpointDirectory.read(fs, root());
                e.checkpoints().release();
            }
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive(), "a thread is stuck (deadlock?)");
            }
        }
        assertNull(failure.get());
    }

    @Test
    void housekeepingStatusReportsTheQueue() {
        TableEngine e = populated();
        Housekeeping.JobStatus idle = e.housekeeping().status().get(0);
        assertEquals(Housekeeping.PURGE_JOB, idle.job());
        assertFalse(idle.paused());
        e.checkpoints().create(null);
        e.dropTable("a", false);
        Housekeeping.JobStatus held = e.housekeeping().status().get(0);
        assertTrue(held.paused());
        assertEquals(1, held.pendingVersions());
        assertTrue(held.pendingBytes() > 100, held.toString());
        e.checkpoints().release();
        e.housekeeping().runOnce();
        Housekeeping.JobStatus done = e.housekeeping().status().get(0);
        assertEquals(0, done.pendingVersions());
        assertEquals(0, done.pendingBytes());
        assertNotNull(done.lastRunAtMicros());
    }
}
