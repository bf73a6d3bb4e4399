package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.stillpoint.storage.checkpoint.RestoreTestSupport.asLists;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.contents;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.insert;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.linkTree;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.readAll;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.rows;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.schema;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hard-link safety: a root copied with hard links ({@code cp -al}) shares every file's inode with the original;
 * writes of either engine (appends, {@code _txn} slot writes, rewrites) must never change a byte the other sees.
 */
class HardLinkCopyTest {

    @TempDir
    Path dir;

    private final FileSystemFacade fs = FileSystemFacade.real();

    /** Deletes the rows of {@code day} whose qty is even (a copy-on-write rewrite of that partition). */
    private static long deleteEven(TableEngine engine, String table) {
        try (WriteTransaction tx = engine.beginWrite()) {
            return tx.rewrite(table, new PartitionRewriter() {
                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    List<Object[]> kept = new ArrayList<>();
                    for (List<Object> r : RestoreTestSupport.readAll(new SinglePartition(p))) {
                        if (((Long) r.get(1)) % 2 != 0) {
                            kept.add(r.toArray());
                        }
                    }
                    return kept;
                }
            });
        }
    }

    private static List<List<Object>> withoutEven(List<List<Object>> rows) {
        List<List<Object>> kept = new ArrayList<>();
        for (List<Object> r : rows) {
            if (((Long) r.get(1)) % 2 != 0) {
                kept.add(r);
            }
        }
        return kept;
    }

    @Test
    void bothEnginesWriteAfterAHardLinkedCopyAndEachHoldsOnlyItsOwnData() throws IOException {
        Path original = dir.resolve("original");
        Path copy = dir.resolve("copy");
        List<List<Object>> base = new ArrayList<>();
        List<List<Object>> baseU = new ArrayList<>();
        try (TableEngine o = TableEngine.open(EngineConfig.of(original))) {
            o.createTable(schema("t"), false);
            o.createTable(schema("u"), false);
            insert(o, "t", rows(0, 50, 100));
            insert(o, "t", rows(1, 40, 200));
            insert(o, "u", rows(0, 30, 300));
            base.addAll(readAll(o, "t"));
            baseU.addAll(readAll(o, "u"));

            // The copy is made while the original engine runs (idle between commits), as cp -al would.
            linkTree(original, copy);
            Map<String, byte[]> before = contents(original);
            assertTrue(fs.linkCount(original.resolve(".lock")) > 1, "the test copies the lock file too");

            try (TableEngine c = TableEngine.open(EngineConfig.of(copy))) { // not refused by the original's lock
                TableSnapshot old = c.snapshot("t"); // holds handles on the shared files across the privatisation
                insert(c, "t", rows(1, 10, 5000)); // append to a shared partition
                insert(c, "t", rows(2, 10, 6000)); // a new partition
                insert(c, "u", rows(0, 5, 7000));
                assertEquals(base, readAll(old), "a snapshot opened before the copy's first write");
                old.close();

                insert(o, "t", rows(1, 7, 8000)); // the original appends at the same offsets the copy did
                insert(o, "u", rows(0, 6, 9000));
                deleteEven(o, "t");

                List<List<Object>> expectedC = new ArrayList<>(base);
                expectedC.addAll(asLists(rows(1, 10, 5000)));
                expectedC.addAll(asLists(rows(2, 10, 6000)));
                List<List<Object>> expectedO = new ArrayList<>(base);
                expectedO.addAll(asLists(rows(1, 7, 8000)));
                expectedO = withoutEven(expectedO);
                List<List<Object>> expectedCu = new ArrayList<>(baseU);
                expectedCu.addAll(asLists(rows(0, 5, 7000)));
                List<List<Object>> expectedOu = new ArrayList<>(baseU);
                expectedOu.addAll(asLists(rows(0, 6, 9000)));

                assertEquals(expectedC, readAll(c, "t"));
                assertEquals(expectedO, readAll(o, "t"));
                assertEquals(expectedCu, readAll(c, "u"));
                assertEquals(expectedOu, readAll(o, "u"));
                o.close();
                c.close();
                assertUnchangedPrefixes(before, original);
                assertUnchangedPrefixes(before, copy);

                // Both reopen (each verifies its own _txn and appended ranges) with their own data.
                try (TableEngine o2 = TableEngine.open(EngineConfig.of(original));
                     TableEngine c2 = TableEngine.open(EngineConfig.of(copy))) {
                    assertEquals(expectedO, readAll(o2, "t"));
                    assertEquals(expectedC, readAll(c2, "t"));
                    assertEquals(expectedOu, readAll(o2, "u"));
                    assertEquals(expectedCu, readAll(c2, "u"));
                    insert(c2, "t", rows(1, 3, 10000));
                    insert(o2, "t", rows(1, 3, 11000));
                }
            }
        }
        // Every file either tree wrote is its own now.
        for (String rel : List.of("db/t~1/_txn", "db/u~2/_txn", "db/t~1/2026-11-02.2/c0.d",
                "db/t~1/2026-11-02.2/c2.i")) {
            assertEquals(1, fs.linkCount(copy.resolve(rel)), rel);
        }
    }

    /** Each file existing at copy time still starts with the bytes it had then (they were all committed). */
    private static void assertUnchangedPrefixes(Map<String, byte[]> before, Path root) throws IOException {
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            Path p = root.resolve(e.getKey());
            if (!Files.exists(p) || e.getKey().startsWith(".lock")) {
                continue; // purged by housekeeping (a superseded version); the lock files hold no data
            }
            byte[] now = Files.readAllBytes(p);
            byte[] expected = e.getValue();
            if (e.getKey().endsWith("_txn")) {
                // _txn is not append-only: a private copy took over, the shared inode must be as it was. Only the
                // tree that did not write may still see the old bytes, so compare by inode instead.
                continue;
            }
            assertTrue(now.length >= expected.length, "file shrank [file=" + p + "]");
            assertArrayEquals(expected, Arrays.copyOf(now, expected.length),
                    "committed bytes changed [file=" + p + "]");
        }
    }

    @Test
    void theSharedTxnFileIsNeverWrittenInPlace() throws IOException {
        Path original = dir.resolve("original");
        Path copy = dir.resolve("copy");
        try (TableEngine o = TableEngine.open(EngineConfig.of(original))) {
            o.createTable(schema("t"), false);
            insert(o, "t", rows(0, 5, 1));
        }
        linkTree(original, copy);
        byte[] txn = Files.readAllBytes(original.resolve("db/t~1/_txn"));
        try (TableEngine c = TableEngine.open(EngineConfig.of(copy))) {
            insert(c, "t", rows(0, 5, 100));
        }
        assertArrayEquals(txn, Files.readAllBytes(original.resolve("db/t~1/_txn")), "original _txn changed");
        assertNotEquals(fs.fileKey(original.resolve("db/t~1/_txn")), fs.fileKey(copy.resolve("db/t~1/_txn")));
        try (TableEngine o = TableEngine.open(EngineConfig.of(original))) {
            assertEquals(asLists(rows(0, 5, 1)), readAll(o, "t"));
        }
    }

    @Test
    void aSecondEngineOnTheSameRootIsStillRefusedWhenTheLockFileIsShared() throws IOException {
        Path original = dir.resolve("original");
        Path copy = dir.resolve("copy");
        try (TableEngine o = TableEngine.open(EngineConfig.of(original))) {
            o.createTable(schema("t"), false);
            linkTree(original, copy);
            StorageException e = assertThrows(StorageException.class,
                    () -> TableEngine.open(EngineConfig.of(original)));
            assertEquals(StorageException.Kind.LOCKED, e.kind());
            try (TableEngine c = TableEngine.open(EngineConfig.of(copy))) {
                assertTrue(c.tableExists("t"));
                assertEquals(StorageException.Kind.LOCKED, assertThrows(StorageException.class,
                        () -> TableEngine.open(EngineConfig.of(copy))).kind());
            }
            assertTrue(Files.exists(original.resolve(".lock")), "the original's lock file is untouched");
        }
    }

    @Test
    void privatizeCopiesTheCommittedPrefixAndLeavesTheOtherLinkAlone() throws IOException {
        Path a = dir.resolve("a.bin");
        Path b = dir.resolve("b.bin");
        Files.write(a, new byte[]{1, 2, 3, 4, 5, 6});
        Files.createLink(b, a);
        assertTrue(PrivateCopies.isShared(fs, b));
        assertTrue(PrivateCopies.privatizeIfShared(fs, b, 4));
        assertArrayEquals(new byte[]{1, 2, 3, 4}, Files.readAllBytes(b));
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6}, Files.readAllBytes(a));
        assertEquals(1, fs.linkCount(a));
        assertEquals(1, fs.linkCount(b));
        assertFalse(PrivateCopies.privatizeIfShared(fs, b, 4), "a private file is left as it is");
        assertFalse(Files.exists(dir.resolve("b.bin" + PrivateCopies.TEMP_SUFFIX)));
        Files.createLink(dir.resolve("c.bin"), a);
        IOException e = assertThrows(IOException.class, () -> PrivateCopies.privatize(fs, a, 7));
        assertTrue(e.getMessage().startsWith("file shorter than the prefix to copy"), e.getMessage());
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6}, Files.readAllBytes(a));
    }

    /** A table snapshot of one partition, to reuse {@link RestoreTestSupport#readAll(TableSnapshot)}. */
    private record SinglePartition(PartitionSnapshot p) implements TableSnapshot {
        @Override
        public io.stillpoint.storage.TableSchema schema() {
            return RestoreTestSupport.schema("t");
        }

        @Override
        public long txn() {
            return 0;
        }

        @Override
        public long rowCount() {
            return p.rowCount();
        }

        @Override
        public List<PartitionSnapshot> partitions() {
            return List.of(p);
        }

        @Override
        public void close() {
        }
    }
}
