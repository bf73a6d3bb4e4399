package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery of the committed state at open: the newest {@code _txn} record is accepted only if the byte ranges
 * its commit appended are on disk with matching CRC32Cs; otherwise the previous commit is the committed state and
 * the rejected record is invalidated for good. Also: format version 1 files are read and upgraded.
 */
class TxnRecoveryTest {

    @TempDir
    Path root;

    private static final long DAY = micros("2026-11-21T00:00:00Z");
    private static final long NEXT_DAY = micros("2026-11-22T00:00:00Z");

    private Path tableDir;
    private List<List<Object>> afterFirst;
    private List<List<Object>> afterSecond;

    /** Commit 1: 5 rows into 2026-11-21; commit 2: 5 more rows into the same or into a new partition. */
    private void twoCommits(boolean secondIntoNewPartition) {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY, 5, 0));
            afterFirst = TestRows.readAll(engine, "t");
            TestRows.insert(engine, "t", TestRows.tradeRows(secondIntoNewPartition ? NEXT_DAY : DAY + 10, 5, 10));
            afterSecond = TestRows.readAll(engine, "t");
            tableDir = engine.tableDirectory("t");
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    private void assertState(long txn, List<List<Object>> rows) {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(txn, engine.tables().get(0).txn());
            assertEquals(rows, TestRows.readAll(engine, "t"));
        }
    }

    @Test
    void newestCommitsDataLostButItsRecordSurvivedShowsThePreviousCommit() throws IOException {
        twoCommits(false);
        // The price column's bytes of commit 2 never reached the disk (its fsync had not completed).
        Path price = tableDir.resolve("2026-11-21.1/c2.d");
        byte[] full = Files.readAllBytes(price);
        truncate(price, 16 + 5 * 8);
        assertState(1, afterFirst);
        // The rejected record was invalidated on disk: even with the bytes back, commit 2 does not reappear.
        Files.write(price, full);
        assertState(1, afterFirst);
        // The next commit takes txn 2 again and overwrites the bytes.
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 20, 2, 20));
            assertEquals(2, engine.tables().get(0).txn());
            assertEquals(7, TestRows.readAll(engine, "t").size());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(2, engine.tables().get(0).txn());
            assertEquals(afterFirst, TestRows.readAll(engine, "t").subList(0, 5));
            assertEquals(7, TestRows.readAll(engine, "t").size());
        }
    }

    /**
     * After a process crash the verified newest commit may live in the page cache only; open fsyncs what it wrote
     * (files, created directories, _txn) before the table takes commits.
     */
    @Test
    void verifiedNewestCommitIsMadeDurableAtOpen() throws IOException {
        twoCommits(true);
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            Path created = engine.tableDirectory("t").resolve("2026-11-22.2");
            List<String> expected = new ArrayList<>();
            for (String f : List.of("c0.d", "c1.d", "c2.d")) {
                expected.add("sync " + created.resolve(f));
            }
            expected.add("sync " + engine.tableDirectory("t").resolve(TxnFile.NAME));
            expected.add("dirsync " + created);
            expected.add("dirsync " + engine.tableDirectory("t"));
            List<String> log = fs.log();
            log.sort(null);
            expected.sort(null);
            assertEquals(expected, log);
            assertEquals(afterSecond, TestRows.readAll(engine, "t"));
        }
    }

    @Test
    void newestCommitsDataWithOtherBytesIsRejected() throws IOException {
        twoCommits(false);
        // The file is long enough, but the range commit 2 appended holds other bytes (stale, never rewritten).
        overwrite(tableDir.resolve("2026-11-21.1/c1.d"), 16 + 5 * 8 + 3, new byte[]{0x5a});
        assertState(1, afterFirst);
    }

    @Test
    void newestCommitsNewPartitionDirectoryLostShowsThePreviousCommit() throws IOException {
        twoCommits(true);
        Path created = tableDir.resolve("2026-11-22.2");
        for (String f : List.of("c0.d", "c1.d", "c2.d")) {
            Files.delete(created.resolve(f));
        }
        Files.delete(created);
        assertState(1, afterFirst);
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY, 5, 10));
            assertEquals(afterSecond, TestRows.readAll(engine, "t"));
        }
        assertState(2, afterSecond);
    }

    @Test
    void newestCommitRejectedAndPreviousRecordDamagedIsCorrupt() throws IOException {
        twoCommits(false);
        Path price = tableDir.resolve("2026-11-21.1/c2.d");
        truncate(price, 60);
        Path txn = tableDir.resolve("_txn");
        long slot1 = TxnFile.layout(FileSystemFacade.real(), txn).slotOffset(1);
        overwrite(txn, slot1 + 20, new byte[]{1, 2, 3});
        StorageException e = assertThrows(StorageException.class, () -> TableEngine.open(EngineConfig.of(root)));
        assertEquals(StorageException.Kind.CORRUPT, e.kind());
        assertEquals("newest commit record's data is incomplete and the previous commit record is invalid [file="
                + txn + ", offset=" + slot1 + ", expected=a valid commit record of txn 1, found=slot 1: crc32c "
                + "mismatch (txn 2 in slot 2 rejected: file shorter than its committed size [file=" + price
                + ", expected=>=96, found=60])]", e.getMessage());
    }

    @Test
    void verifiedNewestCommitIsKeptWhateverTheOtherSlotHolds() throws IOException {
        twoCommits(false);
        Path txn = tableDir.resolve("_txn");
        overwrite(txn, TxnFile.layout(FileSystemFacade.real(), txn).slotOffset(1) + 20, new byte[]{1, 2, 3});
        assertState(2, afterSecond);
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            TestRows.insert(engine, "t", TestRows.tradeRows(DAY + 20, 1, 20)); // txn 3 rewrites slot 1
        }
        assertState(3, afterSecondPlusOne());
    }

    private List<List<Object>> afterSecondPlusOne() {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            List<List<Object>> rows = TestRows.readAll(engine, "t");
            assertEquals(afterSecond, rows.subList(0, 10));
            assertEquals(11, rows.size());
            return rows;
        }
    }

    @Test
    void formatVersion1FileIsReadAndReplacedByVersion3AtTheNextCommit() throws IOException {
        twoCommits(true);
        Path txn = tableDir.resolve("_txn");
        downgradeToVersion1(txn, 3);
        assertEquals(1, versionOf(txn));
        assertState(2, afterSecond);
        assertEquals(1, versionOf(txn), "reading does not rewrite");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY + 20, 1, 20));
            assertEquals(3, engine.tables().get(0).txn());
        }
        assertEquals(TxnFile.FORMAT_VERSION, versionOf(txn));
        assertFalse(Files.exists(tableDir.resolve(TxnFile.TEMP_NAME)));
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            List<List<Object>> rows = TestRows.readAll(engine, "t");
            assertEquals(11, rows.size());
            assertEquals(afterSecond, rows.subList(0, 10));
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY + 30, 1, 30)); // in place again
            assertEquals(4, engine.tables().get(0).txn());
        }
        assertState(4, readAll());
    }

    /**
     * A {@code _txn} of format version 3 (two slots, records without a durable watermark or inline copies), as the
     * build before deferred commits wrote it, is read, takes commits in place, and is replaced by a version 4 file
     * with a ring of slots (by a rename, as version 1 files are) at its first small append, which later ones defer.
     */
    @Test
    void formatVersion3FileIsReadAndBecomesARingAtTheFirstSmallAppend() throws IOException {
        twoCommits(true);
        Path txn = tableDir.resolve("_txn");
        downgradeToVersion3(txn);
        assertEquals(TxnFile.FORMAT_VERSION_3, versionOf(txn));
        assertState(2, afterSecond);
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            // A new partition: not deferrable, installed in place in the version 3 file.
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY + 86_400_000_000L, 1, 20));
        }
        assertEquals(TxnFile.FORMAT_VERSION_3, versionOf(txn));
        assertEquals(2, TxnFile.layout(FileSystemFacade.real(), txn).count(), "two slots");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(11, TestRows.readAll(engine, "t").size());
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY + 20, 1, 30)); // small append: converts
            TestRows.insert(engine, "t", TestRows.tradeRows(NEXT_DAY + 30, 1, 40)); // deferred
            assertEquals(5, engine.tables().get(0).txn());
        }
        TxnFile.Layout layout = TxnFile.layout(FileSystemFacade.real(), txn);
        assertEquals(TxnFile.FORMAT_VERSION, layout.version());
        assertTrue(layout.count() > 2, layout.toString());
        assertFalse(Files.exists(tableDir.resolve(TxnFile.TEMP_NAME)));
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(13, TestRows.readAll(engine, "t").size());
        }
    }

    /**
     * Rewrites a two-slot version 4 {@code _txn} as the version 3 writer wrote it: header version 3 with no slot
     * count, records with a 40-byte header (no durable watermark) and no inline copies.
     */
    private static void downgradeToVersion3(Path txn) throws IOException {
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(txn)).order(ByteOrder.LITTLE_ENDIAN);
        TxnFile.Layout layout = TxnFile.layout(FileSystemFacade.real(), txn);
        assertEquals(2, layout.count());
        for (int h = 0; h < 2; h++) {
            byte[] header = new byte[64];
            file.get(64 * h, header);
            ByteBuffer hb = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            if (hb.getInt(0) != TxnFile.MAGIC) {
                continue;
            }
            hb.putInt(4, TxnFile.FORMAT_VERSION_3).putInt(32, 0);
            file.put(64 * h, withHeaderCrc(header));
        }
        for (int s = 0; s < 2; s++) {
            int at = (int) layout.area() + s * layout.capacity();
            int length = file.getInt(at);
            if (length < 48 || length > layout.capacity()) {
                continue;
            }
            assertEquals(0, file.getInt(at + 36), "no inline copies");
            byte[] v3 = new byte[length - 8];
            file.get(at, v3, 0, 40);
            file.get(at + 48, v3, 40, length - 48);
            ByteBuffer record = ByteBuffer.wrap(v3).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(0, v3.length);
            CRC32C crc = new CRC32C();
            crc.update(v3, 8, v3.length - 8);
            record.putInt(4, (int) crc.getValue());
            file.put(at, new byte[layout.capacity()]);
            file.put(at, v3);
        }
        Files.write(txn, file.array());
    }

    private List<List<Object>> readAll() {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            List<List<Object>> rows = TestRows.readAll(engine, "t");
            assertEquals(12, rows.size());
            return rows;
        }
    }

    @Test
    void unsupportedVersionIsCorrupt() throws IOException {
        twoCommits(false);
        Path txn = tableDir.resolve("_txn");
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(txn), 0, 64).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(4, 7);
        byte[] h = new byte[64];
        header.get(0, h);
        overwrite(txn, 0, withHeaderCrc(h));
        StorageException e = assertThrows(StorageException.class, () -> TableEngine.open(EngineConfig.of(root)));
        assertEquals("unsupported txn file format version [file=" + txn + ", offset=4, expected=1, 2, 3 or 4, found=7]",
                e.getMessage());
    }

    private static int versionOf(Path txn) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(txn)).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    private static byte[] withHeaderCrc(byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(header, 0, 60);
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(60, (int) crc.getValue());
        return header;
    }

    /**
     * Rewrites a version 3 {@code _txn} (header copy 0 current) as the version 1 writer wrote it (per the format
     * description): one header, version 1, slots at 64; each valid record without the range count, reserved int
     * and appended ranges.
     */
    private static void downgradeToVersion1(Path txn, int columns) throws IOException {
        ByteBuffer v3 = ByteBuffer.wrap(Files.readAllBytes(txn)).order(ByteOrder.LITTLE_ENDIAN);
        int capacity = v3.getInt(8);
        int area = (int) v3.getLong(24);
        int recordHeader = v3.getInt(4) == TxnFile.FORMAT_VERSION ? 48 : 40;
        assertTrue(v3.getInt(4) == TxnFile.FORMAT_VERSION_3 || v3.getInt(32) == 2, "two slots");
        ByteBuffer file = ByteBuffer.allocate(64 + 2 * capacity).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0, TxnFile.MAGIC).putInt(4, 1).putInt(8, capacity).putLong(16, v3.getLong(16));
        file.put(64, v3, area, 2 * capacity);
        byte[] header = new byte[64];
        file.get(0, header);
        java.util.Arrays.fill(header, 24, 64, (byte) 0);
        java.util.Arrays.fill(header, 12, 16, (byte) 0);
        file.put(0, withHeaderCrc(header));
        for (int s = 0; s < 2; s++) {
            int at = 64 + s * capacity;
            int length = file.getInt(at);
            if (length < 40 || length > capacity) {
                continue;
            }
            int partitions = file.getInt(at + 28);
            int partitionBytes = partitions * (40 + 24 * columns);
            byte[] v1 = new byte[32 + partitionBytes];
            file.get(at, v1, 0, 32);
            file.get(at + recordHeader, v1, 32, partitionBytes);
            ByteBuffer record = ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(0, v1.length);
            CRC32C crc = new CRC32C();
            crc.update(v1, 8, v1.length - 8);
            record.putInt(4, (int) crc.getValue());
            file.put(at, new byte[capacity]);
            file.put(at, v1);
        }
        Files.write(txn, file.array());
    }
}
