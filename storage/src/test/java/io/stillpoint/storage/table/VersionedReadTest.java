package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long-running reader (a {@link TableSnapshot} opened before the changes) across UPDATE, DELETE, DROP PARTITION
 * and DROP TABLE commits: it returns exactly the old state, also when it reads partitions it had not touched yet;
 * the purge, running after every commit, deletes none of the files it reads; once it closes, the superseded files
 * go. The purge runs both on the housekeeping thread (never paused here) and through {@link
 * io.stillpoint.storage.housekeeping.Housekeeping#runOnce()} after every commit, so a purge that ignored the pin
 * would be caught at once.
 */
class VersionedReadTest {

    private static final TableSchema SCHEMA = new TableSchema("t", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
            new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.DAY);
    private static final long DAY = 86_400_000_000L;
    private static final long D1 = micros("2026-11-01T00:00:00Z");
    private static final int ROWS_PER_DAY = 500;

    @TempDir
    Path root;
    private TableEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Four days of rows; every 7th name is NULL and every 5th v, so null lists are read too. */
    private static List<Object[]> fourDays() {
        List<Object[]> rows = new ArrayList<>();
        for (int d = 0; d < 4; d++) {
            for (int i = 0; i < ROWS_PER_DAY; i++) {
                long n = d * ROWS_PER_DAY + i;
                rows.add(new Object[]{D1 + d * DAY + i * 1_000_000L, n % 7 == 0 ? null : "row-" + n,
                        n % 5 == 0 ? null : n});
            }
        }
        return rows;
    }

    private long rewrite(String partition, Function<List<Object[]>, List<Object[]>> change) {
        try (WriteTransaction tx = engine.beginWrite()) {
            return tx.rewrite("t", new PartitionRewriter() {
                @Override
                public boolean mayTouch(PartitionSnapshot p) {
                    return p.name().equals(partition);
                }

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    return change.apply(RewriteTest.rowsOf(p, 3));
                }
            });
        }
    }

    /** UPDATE t SET v = v + 1 (NULL stays NULL) on one partition. */
    private long update(String partition) {
        return rewrite(partition, rows -> rows.stream()
                .map(r -> new Object[]{r[0], r[1], r[2] == null ? null : (Long) r[2] + 1}).toList());
    }

    /** DELETE of the rows with an even v in one partition. */
    private long deleteEven(String partition) {
        return rewrite(partition, rows -> rows.stream().filter(r -> r[2] == null || (Long) r[2] % 2 != 0).toList());
    }

    /** ALTER TABLE t DROP PARTITION LIST: an empty new content drops the partition. */
    private long dropPartition(String partition) {
        return rewrite(partition, rows -> List.of());
    }

    /** Reads one partition of a snapshot completely, in chunks. */
    private static List<List<Object>> readPartition(TableSnapshot s, int index) {
        List<List<Object>> rows = new ArrayList<>();
        for (Object[] r : RewriteTest.rowsOf(s.partitions().get(index), s.schema().columnCount())) {
            rows.add(java.util.Arrays.asList(r));
        }
        return rows;
    }

    /** Files of the partition versions {@code dirs} of the table directory, with sizes. */
    private static Map<String, Long> filesOf(Path tableDir, List<String> dirs) {
        Map<String, Long> files = new java.util.TreeMap<>();
        for (String d : dirs) {
            DiskFiles.sizes(tableDir.resolve(d)).forEach((name, size) -> files.put(d + "/" + name, size));
        }
        return files;
    }

    private void purgePass() {
        engine.housekeeping().runOnce();
    }

    /** Runs purge passes until the queue is empty (bounded: a pinned target would stay forever). */
    private void purgeUntilIdle() {
        for (int i = 0; i < 200 && engine.housekeeping().pendingCount() > 0; i++) {
            purgePass();
        }
        assertEquals(0, engine.housekeeping().pendingCount(), "purge queue drained");
    }

    @Test
    void longReaderSeesTheOldStateAcrossUpdateDeleteDropPartitionAndDropTable() {
        engine = TableEngine.open(EngineConfig.of(root));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", fourDays());
        Path tableDir = engine.tableDirectory("t");
        List<String> oldDirs = engine.partitionDirectories("t");
        assertEquals(4, oldDirs.size());
        Map<String, Long> oldFiles = filesOf(tableDir, oldDirs);
        List<List<Object>> before = TestRows.readAll(engine, "t");
        assertEquals(4 * ROWS_PER_DAY, before.size());

        TableSnapshot old = engine.snapshot("t");
        // The reader is mid-scan: it has read the first partition when the changes start.
        List<List<Object>> scanned = new ArrayList<>(readPartition(old, 0));

        long updateTxn = update("2026-11-01");
        purgePass();
        // A second reader opened between the commits pins the state after the UPDATE only.
        TableSnapshot afterUpdate = engine.snapshot("t");
        assertEquals(updateTxn, afterUpdate.txn());
        List<List<Object>> afterUpdateRows = TestRows.readAll(afterUpdate);
        assertNotEquals(before, afterUpdateRows);

        deleteEven("2026-11-02");
        purgePass();
        dropPartition("2026-11-03");
        purgePass();
        assertEquals(List.of("2026-11-01:500", "2026-11-02:300", "2026-11-04:500"),
                TestRows.partitionNames(engine, "t"));
        assertEquals(3, engine.housekeeping().pendingCount(), "three superseded versions wait for the readers");

        engine.dropTable("t", false);
        purgePass();
        assertFalse(engine.tableExists("t"));

        // The old reader finishes its scan after all four commits: exactly the state it was opened on.
        for (int p = 1; p < old.partitions().size(); p++) {
            scanned.addAll(readPartition(old, p));
        }
        assertEquals(before, scanned);
        assertEquals(before, TestRows.readAll(old), "a second scan of the same snapshot");
        assertEquals(afterUpdateRows, TestRows.readAll(afterUpdate));
        for (Map.Entry<String, Long> f : oldFiles.entrySet()) {
            Path file = tableDir.resolve(f.getKey());
            assertTrue(Files.exists(file), "purge deleted a file a reader uses [file=" + f.getKey() + "]");
        }

        old.close();
        purgePass();
        // The UPDATE's superseded version was only older than afterUpdate's state: it goes now. The versions the
        // DELETE and DROP PARTITION superseded are still read by afterUpdate, and so is the dropped table.
        assertFalse(Files.exists(tableDir.resolve(oldDirs.get(0))), "version superseded before afterUpdate opened");
        for (String d : oldDirs.subList(1, 4)) {
            assertTrue(Files.exists(tableDir.resolve(d)), "still read by afterUpdate [dir=" + d + "]");
        }
        assertEquals(afterUpdateRows, TestRows.readAll(afterUpdate));

        afterUpdate.close();
        purgeUntilIdle();
        assertFalse(Files.exists(tableDir), "the dropped table's directory goes with its last reader");
        // The registry pointer and its one current generation (registry format 2).
        Set<String> db = DiskFiles.sizes(root.resolve(TableEngine.DB_DIR)).keySet();
        assertEquals(Set.of(TableRegistry.NAME), db.stream().filter(n -> !n.startsWith(TableRegistry.GENERATION_PREFIX))
                .collect(java.util.stream.Collectors.toSet()));
        assertEquals(1, db.stream().filter(n -> n.startsWith(TableRegistry.GENERATION_PREFIX)).count(), db.toString());
    }

    @Test
    void supersededFilesGoOnTheirOwnOnceTheReaderCloses() throws InterruptedException {
        engine = TableEngine.open(EngineConfig.of(root));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", fourDays());
        Path tableDir = engine.tableDirectory("t");
        List<String> oldDirs = engine.partitionDirectories("t");
        List<List<Object>> before = TestRows.readAll(engine, "t");

        try (TableSnapshot old = engine.snapshot("t")) {
            update("2026-11-01");
            deleteEven("2026-11-02");
            dropPartition("2026-11-03");
            // Give the housekeeping thread its chance to do the wrong thing.
            for (int i = 0; i < 3; i++) {
                purgePass();
            }
            assertEquals(before, TestRows.readAll(old));
            for (String d : oldDirs) {
                assertTrue(Files.exists(tableDir.resolve(d)), "pinned version [dir=" + d + "]");
            }
        }
        // No explicit pass: closing the last reader wakes the housekeeping thread, which purges what waited.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (engine.housekeeping().pendingCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.housekeeping().pendingCount(), "purged by the housekeeping thread");
        for (String d : oldDirs.subList(0, 3)) {
            assertFalse(Files.exists(tableDir.resolve(d)), "superseded version purged [dir=" + d + "]");
        }
        assertTrue(Files.exists(tableDir.resolve(oldDirs.get(3))), "the untouched partition stays");
        assertEquals(3, engine.partitionDirectories("t").size());
    }
}
