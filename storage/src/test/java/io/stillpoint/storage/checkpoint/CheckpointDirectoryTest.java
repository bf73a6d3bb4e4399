package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk format of {@code .checkpoint/}: round trip, atomic write and removal, and every corruption's error. */
class CheckpointDirectoryTest {

    private static final long DAY = 86_400_000_000L;

    @TempDir
    Path root;

    private final FileSystemFacade fs = FileSystemFacade.real();
    private CheckpointDirectory.Cut cut;

    @BeforeEach
    void populate() {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(new TableSchema("trades", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                    new ColumnSpec("sym", ColumnType.VARCHAR), new ColumnSpec("qty", ColumnType.LONG)), 0,
                    PartitionBy.DAY), false);
            engine.createTable(new TableSchema("empty", List.of(new ColumnSpec("x", ColumnType.INT)), -1,
                    PartitionBy.NONE), false);
            engine.createTable(new TableSchema("plain", List.of(new ColumnSpec("x", ColumnType.DOUBLE)), -1,
                    PartitionBy.NONE), false);
            try (WriteTransaction tx = engine.beginWrite()) {
                for (int i = 0; i < 10; i++) {
                    tx.insert("trades", new Object[]{i * DAY / 3, i % 3 == 0 ? null : "s" + i, (long) i});
                }
                tx.commit();
                tx.insert("plain", new Object[]{1.5});
                tx.commit();
            }
            cut = engine.cut();
        }
    }

    private CheckpointDirectory.Header write() {
        return CheckpointDirectory.write(fs, root, cut, 1_000L, 2_000L);
    }

    @Test
    void roundTrip() {
        CheckpointDirectory.Header written = write();
        assertFalse(Files.exists(root.resolve(CheckpointDirectory.TEMP_DIR)));
        CheckpointDirectory.Contents read = CheckpointDirectory.read(fs, root);
        assertEquals(written, read.header());
        assertEquals(1_000L, read.header().createdAtMicros());
        assertEquals(2_000L, read.header().expiresAtMicros());
        assertEquals(root.toAbsolutePath().toString(), read.header().rootPath());
        assertEquals(3, read.header().tableCount());
        assertEquals(cut.nextTableId(), read.nextTableId());
        assertEquals(cut.tables().size(), read.tables().size());
        for (int i = 0; i < cut.tables().size(); i++) {
            assertSameTable(cut.tables().get(i), read.tables().get(i));
        }
        List<CheckpointFile> manifest = read.manifest();
        assertEquals(CheckpointDirectory.manifestOf(cut.tables()), manifest);
        assertEquals(read.header().fileCount(), manifest.size());
        // Every manifest entry is a real file of at least its committed length, and there is a null list.
        for (CheckpointFile f : manifest) {
            assertTrue(root.resolve(f.path()).toFile().length() >= f.committedLength(), f.path());
        }
        assertTrue(manifest.stream().anyMatch(f -> f.path().endsWith("/c1.n")), manifest.toString());
        assertTrue(manifest.stream().anyMatch(f -> f.path().endsWith("/c1.i")), manifest.toString());
        // The registry, and every table's state in one bundle: no file per table.
        assertTrue(Files.exists(root.resolve(".checkpoint/db/_tables")));
        assertTrue(Files.exists(root.resolve(".checkpoint/STATES")));
        for (CheckpointDirectory.TableCut t : cut.tables()) {
            assertFalse(Files.exists(root.resolve(".checkpoint/db/" + t.directory())));
        }
    }

    @Test
    void checkpointedTxnAndRegistryAreOpenedByTheEngineAfterAPlainCopy() throws IOException {
        write();
        // What restore does: copy the metadata over db/ (here into a fresh root holding copies of the data files).
        Path copy = root.resolveSibling(root.getFileName() + "-copy");
        for (CheckpointFile f : CheckpointDirectory.read(fs, root).manifest()) {
            Files.createDirectories(copy.resolve(f.path()).getParent());
            Files.copy(root.resolve(f.path()), copy.resolve(f.path()));
        }
        Files.copy(root.resolve(".checkpoint/db/_tables"), copy.resolve("db/_tables"));
        for (CheckpointDirectory.TableCut t : CheckpointDirectory.read(fs, root).tables()) {
            Files.createDirectories(copy.resolve("db/" + t.directory()));
            Files.write(copy.resolve("db/" + t.directory() + "/_txn"),
                    TableEngine.MetadataFormats.txnImage(t).array());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(copy))) {
            CheckpointDirectory.Cut reopened = engine.cut();
            for (int i = 0; i < cut.tables().size(); i++) {
                assertSameTable(cut.tables().get(i), reopened.tables().get(i));
            }
            try (WriteTransaction tx = engine.beginWrite()) { // and it takes commits after the installed state
                tx.insert("plain", new Object[]{2.5});
                assertEquals(cut.tables().get(2).txn() + 1, tx.commit());
            }
        }
    }

    private static void assertSameTable(CheckpointDirectory.TableCut a, CheckpointDirectory.TableCut b) {
        assertEquals(a.id(), b.id());
        assertEquals(a.directory(), b.directory());
        assertEquals(a.schema(), b.schema());
        assertEquals(a.txn(), b.txn());
        assertEquals(a.rowCount(), b.rowCount());
        assertEquals(a.partitions().size(), b.partitions().size());
        for (int p = 0; p < a.partitions().size(); p++) {
            CheckpointDirectory.PartitionCut x = a.partitions().get(p);
            CheckpointDirectory.PartitionCut y = b.partitions().get(p);
            assertEquals(Arrays.asList(x.key(), x.name(), x.version(), x.rowCount(), x.minTimestamp(),
                    x.maxTimestamp()), Arrays.asList(y.key(), y.name(), y.version(), y.rowCount(), y.minTimestamp(),
                    y.maxTimestamp()));
            assertArrayEquals(x.dataSizes(), y.dataSizes());
            assertArrayEquals(x.indexSizes(), y.indexSizes());
            assertArrayEquals(x.nullSizes(), y.nullSizes());
        }
    }

    @Test
    void writeRefusesAnExistingCheckpointAndDiscardsAStaleTemp() throws IOException {
        Files.createDirectories(root.resolve(".checkpoint.tmp/db/junk~9"));
        Files.writeString(root.resolve(".checkpoint.tmp/db/junk~9/_txn"), "half written");
        write();
        assertFalse(Files.exists(root.resolve(".checkpoint.tmp")));
        assertFalse(Files.exists(root.resolve(".checkpoint/db/junk~9")));
        StorageException e = assertThrows(StorageException.class, this::write);
        assertEquals(StorageException.Kind.CHECKPOINT_STATE, e.kind());
    }

    @Test
    void failedWriteLeavesNoCheckpoint() {
        for (int n = 1; n < 40; n++) {
            FaultInjectingFileSystem faulty = new FaultInjectingFileSystem();
            faulty.failNthSync(n);
            StorageException e = null;
            try {
                CheckpointDirectory.write(faulty, root, cut, 1_000L, 2_000L);
            } catch (StorageException ex) {
                e = ex;
            }
            if (e == null) { // n is past the last fsync of a write: every earlier one failed cleanly
                assertTrue(n > 5, "a checkpoint write has more than 5 fsyncs");
                return;
            }
            assertEquals(StorageException.Kind.IO, e.kind());
            assertTrue(e.getMessage().startsWith("cannot write checkpoint"), e.getMessage());
            // Whatever fsync failed, nothing is left (after a failed fsync of the root, the renamed one is removed).
            assertFalse(Files.exists(root.resolve(".checkpoint.tmp")));
            assertFalse(Files.exists(root.resolve(".checkpoint")), "fsync " + n);
        }
    }

    @Test
    void removeRenamesThenDeletes() throws IOException {
        write();
        CheckpointDirectory.remove(fs, root);
        assertFalse(Files.exists(root.resolve(".checkpoint")));
        assertFalse(Files.exists(root.resolve(".checkpoint.released")));
        CheckpointDirectory.remove(fs, root); // idempotent
        // An interrupted removal and an interrupted create are discarded at open.
        write();
        Files.move(root.resolve(".checkpoint"), root.resolve(".checkpoint.released"));
        Files.createDirectories(root.resolve(".checkpoint.tmp/db"));
        CheckpointDirectory.discardLeftovers(fs, root);
        assertFalse(Files.exists(root.resolve(".checkpoint.released")));
        assertFalse(Files.exists(root.resolve(".checkpoint.tmp")));
    }

    // ---------------------------------------------------------------- corruption

    private StorageException readFails(StorageException.Kind kind) {
        StorageException e = assertThrows(StorageException.class, () -> CheckpointDirectory.read(fs, root));
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private Path header() {
        return root.resolve(".checkpoint/CHECKPOINT");
    }

    private Path manifest() {
        return root.resolve(".checkpoint/MANIFEST");
    }

    private static void truncate(Path file, int bytes) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length - bytes));
    }

    private static void flip(Path file, int offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[offset] ^= 0x40;
        Files.write(file, b);
    }

    private static void putInt(Path file, int offset, int value) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        Files.write(file, b);
    }

    @Test
    void truncatedHeader() throws IOException {
        write();
        truncate(header(), 3);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint header truncated [file=" + header()), m);
    }

    @Test
    void truncatedManifest() throws IOException {
        write();
        truncate(manifest(), 9);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint manifest truncated [file=" + manifest()), m);
    }

    @Test
    void emptyHeader() throws IOException {
        write();
        Files.write(header(), new byte[0]);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint header truncated"), m);
    }

    @Test
    void flippedByteInHeader() throws IOException {
        write();
        flip(header(), 26); // inside created-at
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint header checksum mismatch [file=" + header()), m);
    }

    @Test
    void flippedByteInManifest() throws IOException {
        write();
        flip(manifest(), 20); // inside the first path
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint manifest checksum mismatch [file=" + manifest()), m);
    }

    @Test
    void wrongMagic() throws IOException {
        write();
        putInt(header(), 0, 0x12345678);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("not a stillpoint checkpoint header, bad magic [file=" + header()), m);
        assertTrue(m.contains("expected=0x5350434b, found=0x12345678"), m);
    }

    @Test
    void futureCheckpointVersionIsRefusedNamingBothVersions() throws IOException {
        write();
        putInt(header(), 4, 7);
        String m = readFails(StorageException.Kind.RESTORE_REFUSED).getMessage();
        assertEquals("checkpoint written by another checkpoint format version [file=" + header()
                + ", checkpoint_version=7, supported_version=" + CheckpointDirectory.CHECKPOINT_FORMAT_VERSION + "]", m);
        write2Manifest(7);
    }

    private void write2Manifest(int version) throws IOException {
        CheckpointDirectory.remove(fs, root);
        write();
        putInt(manifest(), 4, version);
        String m = readFails(StorageException.Kind.RESTORE_REFUSED).getMessage();
        assertTrue(m.contains("checkpoint_version=" + version + ", supported_version="
                + CheckpointDirectory.CHECKPOINT_FORMAT_VERSION), m);
    }

    @Test
    void foreignStorageFormatVersionIsRefused() throws IOException {
        CheckpointDirectory.Header h = write();
        CheckpointDirectory.Header foreign = new CheckpointDirectory.Header(h.formatVersion(),
                h.txnFormatVersion() + 1, h.registryFormatVersion(), h.columnFormatVersion(), h.createdAtMicros(),
                h.expiresAtMicros(), h.rootFileKey(), h.rootPath(), h.tableCount(), h.fileCount());
        writeBytes(header(), CheckpointDirectory.encodeHeader(foreign));
        String m = readFails(StorageException.Kind.RESTORE_REFUSED).getMessage();
        assertTrue(m.startsWith("checkpoint written with another txn format version"), m);
        assertTrue(m.contains("checkpoint_version=" + (h.txnFormatVersion() + 1) + ", supported_version="
                + h.txnFormatVersion()), m);
    }

    /**
     * A checkpoint taken before TTLs existed (registry image format 1) is read: that image version is still read.
     * A registry image version from the future is refused like the other storage formats.
     */
    @Test
    void anOlderRegistryImageThatIsStillReadIsAcceptedAndAFutureOneRefused() throws IOException {
        CheckpointDirectory.Header h = write();
        Path image = root.resolve(".checkpoint/db/_tables");
        TableEngine.MetadataFormats.Registry registry =
                TableEngine.MetadataFormats.readRegistry(fs, root.resolve(".checkpoint/db"));
        Files.write(image, io.stillpoint.storage.table.RegistryImages.versionOne(registry.nextTableId(),
                registry.entries()));
        writeBytes(header(), CheckpointDirectory.encodeHeader(withRegistryVersion(h, 1)));
        CheckpointDirectory.Contents read = CheckpointDirectory.read(fs, root);
        assertEquals(1, read.header().registryFormatVersion());
        assertEquals(cut.tables().size(), read.tables().size());

        writeBytes(header(), CheckpointDirectory.encodeHeader(withRegistryVersion(h, h.registryFormatVersion() + 1)));
        String m = readFails(StorageException.Kind.RESTORE_REFUSED).getMessage();
        assertTrue(m.startsWith("checkpoint written with another table registry format version"), m);
        assertTrue(m.contains("checkpoint_version=" + (h.registryFormatVersion() + 1) + ", supported_version="
                + h.registryFormatVersion()), m);
        writeBytes(header(), CheckpointDirectory.encodeHeader(withRegistryVersion(h, 0)));
        assertTrue(readFails(StorageException.Kind.RESTORE_REFUSED).getMessage().contains("checkpoint_version=0"));
    }

    private static CheckpointDirectory.Header withRegistryVersion(CheckpointDirectory.Header h, int version) {
        return new CheckpointDirectory.Header(h.formatVersion(), h.txnFormatVersion(), version,
                h.columnFormatVersion(), h.createdAtMicros(), h.expiresAtMicros(), h.rootFileKey(), h.rootPath(),
                h.tableCount(), h.fileCount());
    }

    @Test
    void manifestThatDoesNotMatchTheStates() throws IOException {
        write();
        List<CheckpointFile> files = new ArrayList<>(CheckpointDirectory.manifestOf(cut.tables()));
        CheckpointFile first = files.get(0);
        files.set(0, new CheckpointFile(first.path(), first.committedLength() - 8));
        writeBytes(manifest(), CheckpointDirectory.encodeManifest(files));
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint manifest does not match the checkpointed table states [file="
                + manifest()), m);
        assertTrue(m.contains(first.path()), m);
    }

    @Test
    void unsortedOrEscapingManifest() throws IOException {
        write();
        List<CheckpointFile> files = new ArrayList<>(CheckpointDirectory.manifestOf(cut.tables()));
        java.util.Collections.reverse(files);
        writeBytes(manifest(), CheckpointDirectory.encodeManifest(files));
        assertTrue(readFails(StorageException.Kind.CORRUPT).getMessage().startsWith("checkpoint manifest not sorted"));
        writeBytes(manifest(), CheckpointDirectory.encodeManifest(List.of(new CheckpointFile("db/../../etc/x", 5))));
        assertTrue(readFails(StorageException.Kind.CORRUPT).getMessage()
                .startsWith("checkpoint manifest path not relative to the root"));
    }

    @Test
    void missingFiles() throws IOException {
        write();
        Path states = root.resolve(".checkpoint/STATES");
        Files.delete(states);
        assertEquals("checkpoint file missing [file=" + states + ", offset=0, expected=a file, found=no such file]",
                readFails(StorageException.Kind.CORRUPT).getMessage());
        Files.delete(manifest());
        assertTrue(readFails(StorageException.Kind.CORRUPT).getMessage().startsWith("checkpoint file missing [file="
                + manifest()));
        Files.delete(root.resolve(".checkpoint/db/_tables"));
        Files.delete(header());
        assertTrue(readFails(StorageException.Kind.CORRUPT).getMessage().startsWith("checkpoint file missing [file="
                + header()));
    }

    @Test
    void damagedTxnCopy() throws IOException {
        write();
        CheckpointDirectory.TableCut t = cut.tables().get(0);
        Path states = root.resolve(".checkpoint/STATES");
        byte[] original = Files.readAllBytes(states);
        flip(states, 40);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("checkpoint state bundle checksum mismatch [file=" + states), m);
        // A damaged record inside the bundle whose own checksum was recomputed: the _txn image check catches it.
        ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int capacity = b.getInt(28 + 8);
        b.put(28 + 128 + (int) (t.txn() % 2) * capacity + 20, (byte) (b.get(28 + 128 + (int) (t.txn() % 2)
                * capacity + 20) ^ 0x5a));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(original, 0, original.length - 4);
        b.putInt(original.length - 4, (int) crc.getValue());
        Files.write(states, original);
        m = readFails(StorageException.Kind.CORRUPT).getMessage();
        Path txn = states.resolve(t.directory()).resolve("_txn");
        assertTrue(m.startsWith("no valid commit record in txn file [file=" + txn), m);
    }

    @Test
    void damagedRegistryCopy() throws IOException {
        write();
        Path registry = root.resolve(".checkpoint/db/_tables");
        flip(registry, 30);
        String m = readFails(StorageException.Kind.CORRUPT).getMessage();
        assertTrue(m.startsWith("table registry checksum mismatch [file=" + registry), m);
    }

    @Test
    void headerCountsMustMatch() throws IOException {
        CheckpointDirectory.Header h = write();
        CheckpointDirectory.Header wrong = new CheckpointDirectory.Header(h.formatVersion(), h.txnFormatVersion(),
                h.registryFormatVersion(), h.columnFormatVersion(), h.createdAtMicros(), h.expiresAtMicros(),
                h.rootFileKey(), h.rootPath(), h.tableCount() + 1, h.fileCount());
        writeBytes(header(), CheckpointDirectory.encodeHeader(wrong));
        assertTrue(readFails(StorageException.Kind.CORRUPT).getMessage()
                .startsWith("checkpoint table registry entry count differs from the header"));
    }

    private static void writeBytes(Path file, ByteBuffer b) throws IOException {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        Files.write(file, bytes);
    }
}
