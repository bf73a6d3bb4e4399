package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static io.stillpoint.storage.checkpoint.RestoreTestSupport.copyTree;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.dump;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.hashTree;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.insert;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.linkTree;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.readAll;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.rewrite;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.rows;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restore from a copy ({@code _restore}): every refusal changes nothing; the rollback brings back exactly the state
 * of the checkpoint after every kind of change; a crash at every step is finished by the next start; hard-linked
 * copies stay independent.
 */
class CheckpointRestoreTest {

    @TempDir
    Path dir;

    private static final FileSystemFacade FS = FileSystemFacade.real();

    /** The engine's checkpoint coordinator with no disk floor (test machines may have little free space). */
    static final EngineConfig.CheckpointPolicy POLICY = new EngineConfig.CheckpointPolicy(Duration.ofHours(1), 0,
            Duration.ofSeconds(1), Clock.systemUTC());

    static EngineConfig config(Path root) {
        return EngineConfig.of(root).withCheckpointPolicy(POLICY);
    }

    static EngineConfig config(Path root, FileSystemFacade fs) {
        return new EngineConfig(root, fs, POLICY);
    }

    /** CHECKPOINT CREATE through the engine's coordinator. */
    static void checkpoint(TableEngine engine) {
        engine.checkpoints().create(null);
    }

    private static void touchRestore(Path root) throws IOException {
        Files.createFile(root.resolve(CheckpointRestore.TRIGGER));
    }

    /**
     * The full scenario: tables with data, a checkpoint, then every kind of change, then a plain copy of the root
     * (taken while the engine runs, idle). Returns the state at the checkpoint.
     */
    private Map<String, List<List<Object>>> everyChangeAfterACheckpoint(Path root, Path copy) throws IOException {
        Map<String, List<List<Object>>> atCheckpoint;
        try (TableEngine e = TableEngine.open(config(root))) {
            e.createTable(schema("t"), false);
            e.createTable(schema("u"), false);
            e.createTable(schema("w"), false);
            e.createTable(schema("v"), false); // stays empty
            insert(e, "t", rows(0, 20, 100));
            insert(e, "t", rows(1, 20, 200));
            insert(e, "t", rows(2, 10, 300));
            insert(e, "u", rows(0, 15, 400));
            insert(e, "w", rows(0, 5, 500));
            checkpoint(e);
            atCheckpoint = dump(e);

            insert(e, "t", rows(1, 7, 1000)); // append past the committed sizes
            insert(e, "t", rows(3, 4, 1100)); // a new partition
            rewrite(e, "t", (name, rs) -> { // UPDATE day 0
                if (!name.equals("2026-11-01")) {
                    return null;
                }
                List<Object[]> out = new ArrayList<>();
                for (Object[] r : rs) {
                    out.add(new Object[]{r[0], -(Long) r[1], "updated"});
                }
                return out;
            });
            rewrite(e, "t", (name, rs) -> { // DELETE from day 2
                if (!name.equals("2026-11-03")) {
                    return null;
                }
                List<Object[]> out = new ArrayList<>();
                for (Object[] r : rs) {
                    if ((Long) r[1] % 2 == 0) {
                        out.add(r);
                    }
                }
                return out;
            });
            rewrite(e, "t", (name, rs) -> name.equals("2026-11-02") ? List.of() : null); // DROP PARTITION
            rewrite(e, "u", (name, rs) -> List.of()); // TRUNCATE
            e.dropTable("w", false);
            e.renameTable("v", "v_old");
            e.createTable(schema("v"), false);
            insert(e, "v", rows(0, 3, 600));
            e.createTable(schema("n"), false);
            insert(e, "n", rows(4, 8, 700));
            e.addColumn("t", new ColumnSpec("extra", ColumnType.LONG));
            insert(e, "t", List.<Object[]>of(new Object[]{RestoreTestSupport.DAY0 + 5 * RestoreTestSupport.DAY, 1L,
                    "x", 2L}));
            e.dropColumn("u", "note");
            assertFalse(atCheckpoint.equals(dump(e)));
            copyTree(root, copy); // a live copy: the engine is open, idle between commits
        }
        return atCheckpoint;
    }

    /** Every file of the manifest is cut to exactly its committed length. */
    private static void assertCut(Path root, List<CheckpointFile> manifest) throws IOException {
        for (CheckpointFile f : manifest) {
            assertEquals(f.committedLength(), Files.size(root.resolve(f.path())), "length of " + f.path());
        }
    }

    private static void assertRestoreFinished(Path root) {
        assertFalse(Files.exists(root.resolve(CheckpointRestore.TRIGGER)), "_restore deleted");
        assertFalse(Files.exists(root.resolve(CheckpointDirectory.DIR)), ".checkpoint removed");
    }

    @Test
    void rollsBackEveryKindOfChangeAndHousekeepingRemovesWhatIsUnreferenced() throws IOException {
        Path root = dir.resolve("root");
        Path copy = dir.resolve("copy");
        Map<String, List<List<Object>>> expected = everyChangeAfterACheckpoint(root, copy);
        // The empty table's directory did not make it into the copy: restore recreates it.
        String emptyTable = CheckpointDirectory.read(FS, copy).tables().stream()
                .filter(t -> t.schema().name().equals("v")).findFirst().orElseThrow().directory();
        RestoreTestSupport.deleteTree(copy.resolve("db").resolve(emptyTable));
        touchRestore(copy);
        List<CheckpointFile> manifest = CheckpointDirectory.read(FS, copy).manifest();
        assertTrue(manifest.stream().anyMatch(f -> f.committedLength() < RestoreTestSupport.size(copy, f)),
                "some files grew after the checkpoint");
        try (TableEngine e = TableEngine.open(config(copy))) {
            assertEquals(expected, dump(e));
            RestoreTestSupport.assertOnlyReferencedDirectories(e, copy);
            assertRestoreFinished(copy);
            assertCut(copy, manifest);
            // Writes and a new checkpoint work after a restore.
            insert(e, "t", rows(2, 3, 5000));
            e.createTable(schema("later"), false);
            checkpoint(e);
            assertTrue(CheckpointDirectory.exists(FS, copy));
            e.checkpoints().release();
        }
        // A second start does not restore again (it keeps what was written after the restore).
        try (TableEngine e = TableEngine.open(config(copy))) {
            assertTrue(e.tableExists("later"));
            List<List<Object>> t = readAll(e, "t");
            assertEquals(expected.get("t").size() - 1 + 3, t.size());
        }
    }

    @Test
    void restoringTheOriginalRootInPlaceWorksToo() throws IOException {
        Path root = dir.resolve("root");
        Map<String, List<List<Object>>> expected = everyChangeAfterACheckpoint(root, dir.resolve("unused"));
        touchRestore(root);
        List<CheckpointFile> manifest = CheckpointDirectory.read(FS, root).manifest();
        try (TableEngine e = TableEngine.open(config(root))) {
            assertEquals(expected, dump(e));
            assertCut(root, manifest);
            RestoreTestSupport.assertOnlyReferencedDirectories(e, root);
        }
        assertRestoreFinished(root);
    }

    /**
     * A copy whose checkpoint was taken by the build before TTLs (registry image format 1 in
     * {@code .checkpoint/db/_tables} and in its header) restores to the same state as one taken now, and the
     * restored root takes TTLs and commits.
     */
    @Test
    void restoresACheckpointWhoseRegistryImageIsOfTheFormatBeforeTtls() throws IOException {
        Path current = checkpointedCopy("registry-v2");
        Path older = checkpointedCopy("registry-v1");
        asBeforeTtls(older);

        Map<String, List<List<Object>>> expected;
        try (TableEngine e = TableEngine.open(config(current))) {
            expected = dump(e);
        }
        int restoredRows;
        try (TableEngine e = TableEngine.open(config(older))) {
            assertEquals(expected, dump(e));
            restoredRows = readAll(e, "t").size();
            assertEquals(List.of("t", "u"), e.tables().stream().map(io.stillpoint.storage.TableInfo::name).toList());
            e.setTtl("t", new io.stillpoint.storage.Ttl(3650, io.stillpoint.storage.Ttl.Unit.DAYS));
            insert(e, "t", rows(2, 3, 700));
        }
        try (TableEngine e = TableEngine.open(config(older))) {
            assertEquals(new io.stillpoint.storage.Ttl(3650, io.stillpoint.storage.Ttl.Unit.DAYS),
                    e.schema("t").ttl());
            assertEquals(restoredRows + 3, readAll(e, "t").size());
        }
        assertRestoreFinished(older);
    }

    /** Rewrites a root's active checkpoint as the build before TTLs wrote it: registry image and header version 1. */
    private static void asBeforeTtls(Path root) throws IOException {
        Path saved = root.resolve(CheckpointDirectory.DIR);
        CheckpointDirectory.Header h = CheckpointDirectory.read(FS, root).header();
        TableEngine.MetadataFormats.Registry registry =
                TableEngine.MetadataFormats.readRegistry(FS, saved.resolve(CheckpointDirectory.DB));
        Files.write(saved.resolve(CheckpointDirectory.DB).resolve(TableEngine.MetadataFormats.REGISTRY_NAME),
                io.stillpoint.storage.table.RegistryImages.versionOne(registry.nextTableId(), registry.entries()));
        java.nio.ByteBuffer header = CheckpointDirectory.encodeHeader(new CheckpointDirectory.Header(
                h.formatVersion(), h.txnFormatVersion(), 1, h.columnFormatVersion(), h.createdAtMicros(),
                h.expiresAtMicros(), h.rootFileKey(), h.rootPath(), h.tableCount(), h.fileCount()));
        byte[] bytes = new byte[header.remaining()];
        header.get(bytes);
        Files.write(saved.resolve(CheckpointDirectory.HEADER), bytes);
    }

    /** A server upgraded while a checkpoint of the build before TTLs was active starts, reports it, and releases it. */
    @Test
    void opensARootWhoseActiveCheckpointIsOfTheFormatBeforeTtlsAndReleasesIt() throws IOException {
        Path root = dir.resolve("upgraded");
        Map<String, List<List<Object>>> expected;
        try (TableEngine e = TableEngine.open(config(root))) {
            e.createTable(schema("t"), false);
            insert(e, "t", rows(0, 10, 100));
            checkpoint(e);
            expected = dump(e);
        }
        asBeforeTtls(root);
        try (TableEngine e = TableEngine.open(config(root))) {
            assertTrue(e.checkpoints().status().inProgress(), "the old checkpoint is still active");
            assertEquals(expected, dump(e));
            insert(e, "t", rows(1, 5, 200));
            e.checkpoints().release();
            assertFalse(e.checkpoints().status().inProgress());
            assertFalse(Files.exists(root.resolve(CheckpointDirectory.DIR)));
        }
    }

    // ---------------------------------------------------------------- refusals

    /** A small checkpointed copy with data appended after the checkpoint; returns the copy's root. */
    private Path checkpointedCopy(String name) throws IOException {
        Path root = dir.resolve(name + "-root");
        Path copy = dir.resolve(name);
        try (TableEngine e = TableEngine.open(config(root))) {
            e.createTable(schema("t"), false);
            insert(e, "t", rows(0, 20, 100));
            insert(e, "t", rows(1, 20, 200));
            e.createTable(schema("u"), false);
            insert(e, "u", rows(0, 5, 300));
            checkpoint(e);
            insert(e, "t", rows(1, 5, 900));
            e.createTable(schema("later"), false);
            e.dropTable("u", false);
            copyTree(root, copy);
        }
        touchRestore(copy);
        return copy;
    }

    private void assertRefused(String name, Consumer<Path> damage, String messageStart) throws IOException {
        Path copy = checkpointedCopy(name);
        damage.accept(copy);
        Map<String, String> before = hashTree(copy);
        StorageException e = assertThrows(StorageException.class, () -> TableEngine.open(config(copy)));
        assertEquals(StorageException.Kind.RESTORE_REFUSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        assertEquals(before, hashTree(copy), "a refused restore changed the tree");
        assertTrue(Files.exists(copy.resolve(CheckpointRestore.TRIGGER)));
    }

    private static void io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void flipByte(Path file, long offset) {
        io(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, offset);
                b.put(0, (byte) (b.get(0) ^ 0x5a));
                b.rewind();
                ch.write(b, offset);
            }
        });
    }

    private static CheckpointFile manifestEntry(Path copy, int index) {
        return CheckpointDirectory.read(FS, copy).manifest().get(index);
    }

    @Test
    void refusesWithoutACheckpointDirectory() throws IOException {
        assertRefused("no-dir", c -> RestoreTestSupport.deleteTree(c.resolve(CheckpointDirectory.DIR)),
                "checkpoint trigger file found, but the checkpoint directory does not exist [dir=");
    }

    @Test
    void refusesWhenAManifestFileIsMissing() throws IOException {
        String[] path = new String[1];
        assertRefused("missing", c -> {
            CheckpointFile f = manifestEntry(c, 3);
            path[0] = f.path();
            io(() -> Files.delete(c.resolve(f.path())));
        }, "file the checkpoint needs is missing [file=");
        assertTrue(path[0].startsWith("db/"), path[0]);
    }

    @Test
    void refusesWhenAFileIsShorterThanItsCommittedLength() throws IOException {
        Path copy = checkpointedCopy("short");
        CheckpointFile f = manifestEntry(copy, 0);
        io(() -> {
            try (FileChannel ch = FileChannel.open(copy.resolve(f.path()), StandardOpenOption.WRITE)) {
                ch.truncate(f.committedLength() - 1);
            }
        });
        Map<String, String> before = hashTree(copy);
        StorageException e = assertThrows(StorageException.class, () -> TableEngine.open(config(copy)));
        assertEquals(StorageException.Kind.RESTORE_REFUSED, e.kind());
        assertEquals("file shorter than the checkpoint needs [file=" + f.path() + ", committed=" + f.committedLength()
                + ", actual=" + (f.committedLength() - 1) + "]", e.getMessage());
        assertEquals(before, hashTree(copy));
        assertTrue(Files.exists(copy.resolve(CheckpointRestore.TRIGGER)));
    }

    @Test
    void refusesAFlippedByteInEveryCheckpointFile() throws IOException {
        assertRefused("flip-header", c -> flipByte(c.resolve(".checkpoint/CHECKPOINT"), 30),
                "checkpoint directory unusable, checkpoint header checksum mismatch [file=");
        assertRefused("flip-manifest", c -> flipByte(c.resolve(".checkpoint/MANIFEST"), 20),
                "checkpoint directory unusable, ");
        assertRefused("flip-registry", c -> flipByte(c.resolve(".checkpoint/db/_tables"), 30),
                "checkpoint directory unusable, ");
        assertRefused("flip-states", c -> flipByte(c.resolve(".checkpoint/STATES"), 28 + 128 + 20),
                "checkpoint directory unusable, checkpoint state bundle checksum mismatch [file=");
    }

    @Test
    void refusesAFutureFormatVersionNamingBothVersions() throws IOException {
        assertRefused("future-checkpoint", c -> io(() -> {
            try (FileChannel ch = FileChannel.open(c.resolve(".checkpoint/CHECKPOINT"), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 99), 4);
            }
        }), "checkpoint written by another checkpoint format version [file=");
        // A storage format version, with a valid checksum: the fence, not the CRC, refuses it.
        assertRefused("future-txn", c -> io(() -> {
            Path header = c.resolve(".checkpoint/CHECKPOINT");
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(header)).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(12, 99);
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, b.capacity() - 4);
            b.putInt(b.capacity() - 4, (int) crc.getValue());
            Files.write(header, b.array());
        }), "checkpoint written with another txn format version [file=");
    }

    @Test
    void theRefusalMessagesNameTheFileAndBothVersions() throws IOException {
        Path copy = checkpointedCopy("versions");
        Path header = copy.resolve(".checkpoint/CHECKPOINT");
        try (FileChannel ch = FileChannel.open(header, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 7), 4);
        }
        StorageException e = assertThrows(StorageException.class, () -> TableEngine.open(config(copy)));
        assertTrue(e.getMessage().contains("checkpoint_version=7") && e.getMessage().contains("supported_version=" + CheckpointDirectory.CHECKPOINT_FORMAT_VERSION)
                && e.getMessage().contains(header.toString()), e.getMessage());
    }

    // ---------------------------------------------------------------- crashes

    @Test
    void aCrashAtEveryStepOfTheRestoreIsFinishedByTheNextStart() throws IOException {
        Path work = RestoreTestSupport.scratch(dir, "stillpoint-restore-crash");
        try {
            crashAtEveryStep(work);
        } finally {
            if (!work.equals(dir)) {
                RestoreTestSupport.deleteTree(work);
            }
        }
    }

    private void crashAtEveryStep(Path dir) throws IOException {
        Path template = checkpointedCopy("template");
        Map<String, List<List<Object>>> expected;
        Path probe = dir.resolve("probe");
        copyTree(template, probe);
        CrashSimulatingFileSystem counting = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectories(dir.resolve("probe-backups")));
        try (TableEngine e = TableEngine.open(config(probe, counting))) {
            expected = dump(e);
        }
        long total = counting.operations();
        List<CheckpointFile> manifest = CheckpointDirectory.read(FS, template).manifest();
        assertTrue(total > 20, "restore too small to test: " + total + " operations");
        Set<String> crashedIn = new HashSet<>();
        for (long n = 1; n <= total; n++) {
            for (boolean lose : new boolean[]{true, false}) {
                Path copy = dir.resolve("crash-" + n + "-" + lose);
                copyTree(template, copy);
                CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n,
                        Files.createDirectories(dir.resolve("backups-" + n + "-" + lose)));
                try (TableEngine e = TableEngine.open(config(copy, fs))) {
                    crashedIn.add("opened (the crash hit an advisory write or a retried housekeeping delete)");
                } catch (StorageException e) {
                    crashedIn.add(e.getMessage().replaceAll(" \\[.*", ""));
                }
                assertTrue(fs.crashed(), "no crash at operation " + n + " of " + total);
                if (lose) {
                    fs.loseUnsyncedState();
                }
                try (TableEngine e = TableEngine.open(config(copy))) {
                    assertEquals(expected, dump(e), "state after a crash at operation " + n + " (lose=" + lose + ")");
                    assertCut(copy, manifest);
                    RestoreTestSupport.assertOnlyReferencedDirectories(e, copy);
                    insert(e, "t", rows(3, 2, 7000));
                }
                assertRestoreFinished(copy);
                RestoreTestSupport.deleteTree(copy);
            }
        }
        assertTrue(crashedIn.size() > 1, "crashes hit several phases: " + crashedIn);
    }

    // ---------------------------------------------------------------- hard links

    @Test
    void aHardLinkedCopyRestoredAndWrittenToAndTheOriginalWrittenAfterwardsEachHoldOnlyTheirOwnData()
            throws IOException {
        Path root = dir.resolve("original");
        Path copy = dir.resolve("linked");
        try (TableEngine o = TableEngine.open(config(root))) {
            o.createTable(schema("t"), false);
            insert(o, "t", rows(0, 20, 100));
            insert(o, "t", rows(1, 20, 200));
            checkpoint(o);
            Map<String, List<List<Object>>> atCheckpoint = dump(o);
            insert(o, "t", rows(1, 6, 900)); // past the checkpoint's committed sizes, in shared inodes after cp -al
            Map<String, List<List<Object>>> originalBefore = dump(o);
            linkTree(root, copy); // cp -al while the original runs (idle)
            touchRestore(copy);
            Map<String, byte[]> originalFiles = RestoreTestSupport.contents(root.resolve("db"));

            List<CheckpointFile> manifest = CheckpointDirectory.read(FS, copy).manifest();
            try (TableEngine c = TableEngine.open(config(copy))) {
                assertEquals(atCheckpoint, dump(c));
                assertCut(copy, manifest);
                assertRestoreFinished(copy);
                // The restore cut shared files by private copies: the original's files are byte for byte as they were.
                for (Map.Entry<String, byte[]> f : originalFiles.entrySet()) {
                    assertTrue(java.util.Arrays.equals(f.getValue(), Files.readAllBytes(root.resolve("db")
                            .resolve(f.getKey()))), "original file changed by the restore [file=" + f.getKey() + "]");
                }
                assertTrue(CheckpointDirectory.exists(FS, root), "the original's checkpoint is untouched");
                assertNotNull(CheckpointDirectory.read(FS, root));
                assertEquals(originalBefore, dump(o));

                insert(c, "t", rows(1, 3, 3000));
                insert(o, "t", rows(1, 4, 4000));
                insert(c, "t", rows(2, 2, 3100));
                insert(o, "t", rows(2, 5, 4100));

                List<List<Object>> expectedC = new ArrayList<>(atCheckpoint.get("t").subList(1,
                        atCheckpoint.get("t").size()));
                expectedC.addAll(RestoreTestSupport.asLists(rows(1, 3, 3000)));
                expectedC.addAll(RestoreTestSupport.asLists(rows(2, 2, 3100)));
                List<List<Object>> expectedO = new ArrayList<>(originalBefore.get("t").subList(1,
                        originalBefore.get("t").size()));
                expectedO.addAll(RestoreTestSupport.asLists(rows(1, 4, 4000)));
                expectedO.addAll(RestoreTestSupport.asLists(rows(2, 5, 4100)));
                assertEquals(expectedC, readAll(c, "t"));
                assertEquals(expectedO, readAll(o, "t"));
                c.close();
                o.close();
                try (TableEngine c2 = TableEngine.open(config(copy));
                     TableEngine o2 = TableEngine.open(config(root))) {
                    assertEquals(expectedC, readAll(c2, "t"));
                    assertEquals(expectedO, readAll(o2, "t"));
                }
            }
        }
    }

    @Test
    void nothingHappensWithoutTheTrigger() throws IOException {
        Path copy = checkpointedCopy("no-trigger");
        Files.delete(copy.resolve(CheckpointRestore.TRIGGER));
        assertNull(CheckpointRestore.restoreIfRequested(FS, copy));
        assertTrue(CheckpointDirectory.exists(FS, copy));
        assertFalse(CheckpointRestore.finishIfRolledBack(FS, copy));
    }
}
