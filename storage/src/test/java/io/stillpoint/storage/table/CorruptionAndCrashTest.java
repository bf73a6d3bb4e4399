package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.TableSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt and foreign files are detected with precise messages; crash leftovers are ignored and cleaned. */
class CorruptionAndCrashTest {

    @TempDir
    Path root;

    private Path tableDir;
    private List<List<Object>> committed;

    private void createTableWithData() {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            long day = micros("2026-11-21T00:00:00Z");
            TestRows.insert(engine, "t", TestRows.tradeRows(day, 5, 0));
            TestRows.insert(engine, "t", TestRows.tradeRows(day + 10, 5, 10));
            tableDir = engine.tableDirectory("t");
            committed = TestRows.readAll(engine, "t");
        }
    }

    private StorageException openFails() {
        StorageException e = assertThrows(StorageException.class, () -> {
            try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
                TestRows.readAll(engine, "t");
            }
        });
        assertEquals(StorageException.Kind.CORRUPT, e.kind(), e.getMessage());
        return e;
    }

    private static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    @Test
    void foreignTxnFileIsDetected() throws IOException {
        createTableWithData();
        Path txn = tableDir.resolve("_txn");
        overwrite(txn, 0, "GIF8".getBytes());
        StorageException e = openFails();
        assertEquals("not a stillpoint txn file, bad magic [file=" + txn + ", offset=0, expected=0x53505458, found="
                + "0x38464947]", e.getMessage());
    }

    @Test
    void bothTxnSlotsDamagedIsCorrupt() throws IOException {
        createTableWithData();
        Path txn = tableDir.resolve("_txn");
        // The second commit (a small append) grew the file into a ring of slots: txn 1 and 2 are in slots 1 and 2.
        TxnFile.Layout layout = TxnFile.layout(FileSystemFacade.real(), txn);
        assertTrue(layout.count() > 2, layout.toString());
        overwrite(txn, layout.slotOffset(1) + 20, new byte[]{1, 2, 3});
        overwrite(txn, layout.slotOffset(2) + 20, new byte[]{1, 2, 3});
        StorageException e = openFails();
        assertTrue(e.getMessage().startsWith("no valid commit record in txn file [file=" + txn + ", offset="
                + layout.area()), e.getMessage());
        assertTrue(e.getMessage().contains("slot 0: record length 0, slot 1: crc32c mismatch, slot 2: crc32c "
                + "mismatch, slot 3: record length 0"), e.getMessage());
    }

    @Test
    void tornNewestSlotFallsBackToThePreviousCommit() throws IOException {
        createTableWithData();
        // Damaging txn 2's slot is what a crash in the middle of installing txn 2 leaves.
        Path txn = tableDir.resolve("_txn");
        overwrite(txn, TxnFile.layout(FileSystemFacade.real(), txn).slotOffset(2) + 40, new byte[]{9, 9, 9, 9});
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(committed.subList(0, 5), TestRows.readAll(engine, "t"));
            assertEquals(1, engine.tables().get(0).txn());
            // The next commit overwrites the bytes of the lost one.
            TestRows.insert(engine, "t", TestRows.tradeRows(micros("2026-11-21T01:00:00Z"), 2, 99));
            assertEquals(7, TestRows.readAll(engine, "t").size());
        }
    }

    @Test
    void corruptOrForeignRegistryIsDetected() throws IOException {
        createTableWithData();
        Path registry = root.resolve("db/_tables");
        List<Path> generations;
        try (var names = Files.list(root.resolve("db"))) {
            generations = names.filter(p -> p.getFileName().toString().matches("_tables\\.[0-9]+")).toList();
        }
        assertEquals(1, generations.size(), generations.toString());
        Path image = generations.get(0);
        byte[] original = Files.readAllBytes(image);
        overwrite(image, Files.size(image) - 3, new byte[]{42});
        StorageException e = openFails();
        assertTrue(e.getMessage().startsWith("table registry checksum mismatch [file=" + image + ", offset=12, expected="),
                e.getMessage());
        Files.write(image, original);
        byte[] pointer = Files.readAllBytes(registry);
        overwrite(registry, 20, new byte[]{42}); // slot 0's reserved bytes: its CRC no longer matches
        overwrite(registry, 52, new byte[]{42}); // and slot 1's
        e = openFails();
        assertTrue(e.getMessage().startsWith("no valid table registry pointer slot [file=" + registry + ", offset=0, "),
                e.getMessage());
        Files.write(registry, pointer);
        overwrite(registry, 32 * (1 - slotOf(image)) + 20, new byte[]{42}); // the older slot only: still opens
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(1, engine.tables().size());
        }
        Files.write(registry, "{\"tables\": []}".getBytes());
        e = openFails();
        assertEquals("not a stillpoint table registry, bad magic [file=" + registry + ", offset=0, expected=0x53505250, "
                + "found=0x6174227b]", e.getMessage());
    }

    /** The pointer slot (0 or 1) that names a generation file (the engine alternates slots). */
    private int slotOf(Path image) throws IOException {
        long generation = Long.parseLong(image.getFileName().toString().substring("_tables.".length()));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(root.resolve("db/_tables")))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return b.getLong(8) == generation ? 0 : 1;
    }

    @Test
    void foreignColumnFileIsDetectedOnRead() throws IOException {
        createTableWithData();
        Path column = tableDir.resolve("2026-11-21.1/c1.d");
        overwrite(column, 0, "PK\u0003\u0004".getBytes());
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            StorageException e = assertThrows(StorageException.class, () -> TestRows.readAll(engine, "t"));
            assertEquals(StorageException.Kind.CORRUPT, e.kind());
            assertEquals("not a stillpoint column data file, bad magic [file=" + column + ", offset=0, "
                    + "expected=0x53504344, found=0x04034b50]", e.getMessage());
        }
    }

    @Test
    void truncatedColumnFileIsDetected() throws IOException {
        createTableWithData();
        Path column = tableDir.resolve("2026-11-21.1/c2.d");
        try (var ch = java.nio.channels.FileChannel.open(column, StandardOpenOption.WRITE)) {
            ch.truncate(40);
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            // Commit 2's appended range [56, 96) is gone, so open falls back to commit 1, which needs 56 bytes.
            assertEquals(1, engine.tables().get(0).txn());
            StorageException e = assertThrows(StorageException.class, () -> TestRows.readAll(engine, "t"));
            assertEquals("column data file shorter than its committed size [file=" + column + ", offset=40, "
                    + "expected=>=56, found=40]", e.getMessage());
        }
    }

    @Test
    void crashLeftoversAreIgnoredAndCleaned() throws IOException {
        createTableWithData();
        Path partition = tableDir.resolve("2026-11-21.1");
        // A crash mid-commit: bytes past every committed size, a half-written temp _txn and registry,
        // a partition directory of a commit that never installed its _txn, a table directory never registered.
        for (String f : List.of("c0.d", "c1.d", "c2.d")) {
            Files.write(partition.resolve(f), new byte[]{(byte) 0xde, (byte) 0xad, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                    StandardOpenOption.APPEND);
        }
        Files.write(partition.resolve("c1.n"), new byte[]{1, 2, 3});
        Files.write(tableDir.resolve("_txn.tmp"), new byte[]{'S', 'P', 'T'});
        Files.write(root.resolve("db/_tables.tmp"), new byte[]{'S', 'P'});
        Path orphanPartition = Files.createDirectory(tableDir.resolve("2026-11-22.3"));
        Files.write(orphanPartition.resolve("c0.d"), new byte[100]);
        Path orphanTable = Files.createDirectory(root.resolve("db/u~7"));
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(committed, TestRows.readAll(engine, "t"));
            assertFalse(Files.exists(tableDir.resolve("_txn.tmp")));
            assertFalse(Files.exists(root.resolve("db/_tables.tmp")));
            assertFalse(Files.exists(orphanPartition));
            assertFalse(Files.exists(orphanTable));
            // The garbage is overwritten by the next commit, which also writes a null into the leftover null file.
            TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{micros("2026-11-21T05:00:00Z"), null, 0.25}));
            List<List<Object>> rows = TestRows.readAll(engine, "t");
            assertEquals(11, rows.size());
            assertEquals(java.util.Arrays.asList(micros("2026-11-21T05:00:00Z"), null, 0.25), rows.get(10));
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root)); TableSnapshot s = engine.snapshot("t")) {
            assertEquals(11, s.rowCount());
            assertEquals(committed, TestRows.readAll(s).subList(0, 10));
        }
    }
}
