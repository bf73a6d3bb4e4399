package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine behaviour through the public API: types, NULLs, partitioning, visibility, reopen, errors. */
class TableEngineTest {

    @TempDir
    Path root;
    private TableEngine engine;

    private TableEngine open() {
        engine = TableEngine.open(EngineConfig.of(root));
        return engine;
    }

    private TableEngine reopen() {
        engine.close();
        return open();
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    private static TableSchema allTypes(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("b", ColumnType.BOOLEAN),
                new ColumnSpec("i", ColumnType.INT), new ColumnSpec("l", ColumnType.LONG),
                new ColumnSpec("d", ColumnType.DOUBLE), new ColumnSpec("s", ColumnType.VARCHAR),
                new ColumnSpec("t", ColumnType.TIMESTAMP)), -1, PartitionBy.NONE);
    }

    @Test
    void everyTypeRoundTripsWithNullsDistinctFromEveryValue() {
        open().createTable(allTypes("t"), false);
        List<Object[]> rows = List.of(
                new Object[]{false, 0, 0L, 0.0, "", 0L},
                new Object[]{null, null, null, null, null, null},
                new Object[]{true, Integer.MIN_VALUE, Long.MIN_VALUE, Double.NaN, "héllo wörld ✓ 𝄞", Long.MIN_VALUE},
                new Object[]{true, Integer.MAX_VALUE, Long.MAX_VALUE, Double.NEGATIVE_INFINITY, "x", Long.MAX_VALUE},
                new Object[]{null, -1, -1L, -0.0, "", -1L},
                new Object[]{false, null, 42L, null, "last", null});
        assertEquals(1, TestRows.insert(engine, "t", rows));
        List<List<Object>> expected = new ArrayList<>();
        for (Object[] r : rows) {
            expected.add(Arrays.asList(r));
        }
        assertEquals(expected, TestRows.readAll(engine, "t"));
        // A second commit appends to the same files, including the null lists and varchar index.
        TestRows.insert(engine, "t", rows);
        expected.addAll(new ArrayList<>(expected));
        assertEquals(expected, TestRows.readAll(engine, "t"));
        assertEquals(expected, TestRows.readAll(reopen(), "t"));
        try (TableSnapshot s = engine.snapshot("t")) {
            ColumnChunk d = s.partitions().get(0).read(3, 0, 6);
            assertTrue(Double.isNaN(d.getDouble(2)));
            assertFalse(d.isNull(2));
            assertTrue(d.isNull(1));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(d.getDouble(4)));
            ColumnChunk l = s.partitions().get(0).read(2, 2, 1);
            assertEquals(Long.MIN_VALUE, l.getLong(0));
            assertEquals("default", s.partitions().get(0).name());
        }
    }

    @Test
    void partitionsByEachUnitSplitAtUtcBoundaries() {
        open();
        Object[][] cases = {
                {PartitionBy.HOUR, "2026-11-21T13:59:59.999999Z", "2026-11-21T14:00:00Z", "2026-11-21T13", "2026-11-21T14"},
                {PartitionBy.DAY, "2026-11-21T23:59:59.999999Z", "2026-11-22T00:00:00Z", "2026-11-21", "2026-11-22"},
                {PartitionBy.MONTH, "2028-02-29T23:59:59.999999Z", "2028-03-01T00:00:00Z", "2028-02", "2028-03"},
                {PartitionBy.YEAR, "2026-12-31T23:59:59.999999Z", "2027-01-01T00:00:00Z", "2026", "2027"},
                {PartitionBy.DAY, "1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "1969-12-31", "1970-01-01"},
                {PartitionBy.NONE, "2026-12-31T23:59:59.999999Z", "2027-01-01T00:00:00Z", "default", "default"},
        };
        int n = 0;
        for (Object[] c : cases) {
            String table = "p" + n++;
            engine.createTable(TestRows.trades(table, (PartitionBy) c[0]), false);
            long before = micros((String) c[1]);
            long after = micros((String) c[2]);
            // One commit spanning both partitions, rows out of order, plus a later commit into the older one.
            TestRows.insert(engine, table, List.of(new Object[]{after, 1L, 1.0}, new Object[]{before, 2L, 2.0}));
            TestRows.insert(engine, table, List.<Object[]>of(new Object[]{before - 1, 3L, 3.0}));
            List<String> expected = c[3].equals(c[4]) ? List.of(c[3] + ":3") : List.of(c[3] + ":2", c[4] + ":1");
            assertEquals(expected, TestRows.partitionNames(engine, table), "partitioning " + c[0]);
        }
        reopen();
        assertEquals(List.of("2028-02:2", "2028-03:1"), TestRows.partitionNames(engine, "p2"));
        List<List<Object>> rows = TestRows.readAll(engine, "p2");
        // The later commit fell before the older partition's last row: merged, in timestamp order, as a new version.
        assertEquals(List.of(3L, 2L, 1L), rows.stream().map(r -> r.get(1)).toList());
        List<String> dirs = engine.partitionDirectories("p2");
        assertEquals(List.of("2028-02.2", "2028-03.1"), dirs);
        assertTrue(Files.isDirectory(engine.tableDirectory("p2").resolve("2028-02.2")));
    }

    @Test
    void uncommittedAndRolledBackRowsAreNeverVisible() {
        open().createTable(TestRows.trades("t", PartitionBy.DAY), false);
        long ts = micros("2026-11-21T10:00:00Z");
        TestRows.insert(engine, "t", TestRows.tradeRows(ts, 5, 0));
        WriteTransaction pending = engine.beginWrite();
        pending.insert("t", new Object[]{ts + 100, 99L, 9.9});
        try (WriteTransaction rolledBack = engine.beginWrite()) {
            rolledBack.insert("t", new Object[]{ts + 200, 98L, 9.8});
            assertEquals(1, rolledBack.pendingRows());
            rolledBack.rollback();
            assertEquals(0, rolledBack.pendingRows());
            assertEquals(-1, rolledBack.commit());
        }
        assertEquals(5, TestRows.readAll(engine, "t").size());
        reopen();
        assertEquals(5, TestRows.readAll(engine, "t").size());
        assertEquals(1, engine.tables().get(0).txn());
    }

    @Test
    void snapshotOpenedBeforeCommitDoesNotSeeIt() {
        open().createTable(TestRows.trades("t", PartitionBy.HOUR), false);
        long ts = micros("2026-11-21T10:00:00Z");
        TestRows.insert(engine, "t", TestRows.tradeRows(ts, 4, 0));
        try (TableSnapshot before = engine.snapshot("t")) {
            TestRows.insert(engine, "t", TestRows.tradeRows(ts + 10, 4, 100));
            TestRows.insert(engine, "t", TestRows.tradeRows(ts + 3_600_000_000L, 4, 200));
            assertEquals(4, before.rowCount());
            assertEquals(1, before.txn());
            assertEquals(4, TestRows.readAll(before).size());
            assertEquals(1, before.partitions().size());
        }
        try (TableSnapshot after = engine.snapshot("t")) {
            assertEquals(12, after.rowCount());
            assertEquals(3, after.txn());
            PartitionSnapshot p = after.partitions().get(0);
            assertThrows(StorageException.class, () -> p.read(0, 6, 3));
        }
    }

    @Test
    void errorsHaveTheDocumentedKinds() {
        open().createTable(TestRows.trades("a", PartitionBy.DAY), false);
        engine.createTable(TestRows.trades("b", PartitionBy.NONE), false);
        assertFalse(engine.createTable(TestRows.trades("a", PartitionBy.DAY), true));
        assertKind(StorageException.Kind.TABLE_EXISTS, () -> engine.createTable(TestRows.trades("a", PartitionBy.DAY), false));
        assertKind(StorageException.Kind.TABLE_NOT_FOUND, () -> engine.snapshot("nope"));
        assertKind(StorageException.Kind.TABLE_NOT_FOUND, () -> engine.schema("nope"));
        assertFalse(engine.dropTable("nope", true));
        assertKind(StorageException.Kind.TABLE_NOT_FOUND, () -> engine.dropTable("nope", false));
        assertKind(StorageException.Kind.INVALID, () -> engine.createTable(new TableSchema("x",
                List.of(new ColumnSpec("a", ColumnType.LONG), new ColumnSpec("a", ColumnType.INT)), -1, PartitionBy.NONE), false));
        assertKind(StorageException.Kind.INVALID, () -> engine.createTable(new TableSchema("x",
                List.of(new ColumnSpec("a", ColumnType.LONG)), 0, PartitionBy.DAY), false));
        assertKind(StorageException.Kind.INVALID, () -> engine.createTable(new TableSchema("x",
                List.of(new ColumnSpec("a", ColumnType.LONG)), -1, PartitionBy.DAY), false));
        try (WriteTransaction tx = engine.beginWrite()) {
            assertKind(StorageException.Kind.TABLE_NOT_FOUND, () -> tx.insert("nope", new Object[]{1L, 1L, 1.0}));
            assertKind(StorageException.Kind.INVALID, () -> tx.insert("a", new Object[]{null, 1L, 1.0}));
            assertKind(StorageException.Kind.INVALID, () -> tx.insert("a", new Object[]{1L, 1L}));
            assertKind(StorageException.Kind.INVALID, () -> tx.insert("a", new Object[]{1L, "x", 1.0}));
            assertKind(StorageException.Kind.INVALID, () -> tx.insert("a", new Object[]{Long.MIN_VALUE, 1L, 1.0}));
            assertKind(StorageException.Kind.INVALID, () -> tx.insert("a", new Object[]{RowBuffer.MAX_PARTITIONED_TS + 1, 1L, 1.0}));
            assertEquals(0, tx.pendingRows());
            tx.insert("a", new Object[]{1L, 1L, 1.0});
            StorageException e = assertKind(StorageException.Kind.UNSUPPORTED, () -> tx.insert("b", new Object[]{1L, 1L, 1.0}));
            assertEquals("a transaction may write to one table only [tables=a,b]", e.getMessage());
            assertEquals(1, tx.pendingRows());
            assertEquals(1, tx.commit());
        }
        List<TableInfo> tables = engine.tables();
        assertEquals(List.of("a", "b"), tables.stream().map(TableInfo::name).toList());
        assertEquals(new TableInfo("a", PartitionBy.DAY, "ts", 1, 1, 1), tables.get(0));
        assertEquals(TestRows.trades("a", PartitionBy.DAY), reopen().schema("a"));
    }

    @Test
    void secondOpenOfTheSameRootIsLocked() {
        open();
        StorageException e = assertKind(StorageException.Kind.LOCKED, () -> TableEngine.open(EngineConfig.of(root)));
        assertTrue(e.getMessage().contains(root.toAbsolutePath().toString()), e.getMessage());
        engine.close();
        engine.close(); // idempotent
        open(); // the lock was released
    }

    @Test
    void dropThenRecreateTheSameNameAndHousekeepingWaitsForSnapshots() throws Exception {
        open().createTable(TestRows.trades("t", PartitionBy.DAY), false);
        long ts = micros("2026-11-21T10:00:00Z");
        TestRows.insert(engine, "t", TestRows.tradeRows(ts, 10, 0));
        Path firstDir = engine.tableDirectory("t");
        TableSnapshot pinned = engine.snapshot("t");
        WriteTransaction late = engine.beginWrite();
        late.insert("t", new Object[]{ts, 1L, 1.0});
        assertTrue(engine.dropTable("t", false));
        assertFalse(engine.tableExists("t"));
        assertKind(StorageException.Kind.TABLE_NOT_FOUND, late::commit);
        engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
        assertTrue(!engine.tableDirectory("t").equals(firstDir));
        TestRows.insert(engine, "t", TestRows.tradeRows(ts, 3, 100));
        // The old incarnation is still readable through the pinned snapshot and still on disk.
        engine.housekeeping().runOnce();
        assertEquals(10, TestRows.readAll(pinned).size());
        assertTrue(Files.exists(firstDir));
        pinned.close();
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(firstDir));
        assertEquals(3, TestRows.readAll(reopen(), "t").size());
    }

    @Test
    void droppedTableFilesLeftAtCloseAreDeletedAtNextOpen() {
        open().createTable(TestRows.trades("t", PartitionBy.DAY), false);
        TestRows.insert(engine, "t", TestRows.tradeRows(0, 3, 0));
        Path dir = engine.tableDirectory("t");
        TableSnapshot pinned = engine.snapshot("t");
        engine.dropTable("t", false);
        engine.close();
        pinned.close();
        assertTrue(Files.exists(dir));
        open();
        assertFalse(Files.exists(dir));
        assertFalse(engine.tableExists("t"));
    }

    @Test
    void concurrentReaderAndWriter() throws Exception {
        open().createTable(TestRows.trades("t", PartitionBy.HOUR), false);
        long ts = micros("2026-11-21T10:00:00Z");
        int commits = 60;
        int batch = 50;
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < commits; i++) {
                    // Every commit keeps qty == row number, spread over several hour partitions.
                    List<Object[]> rows = new ArrayList<>();
                    for (int r = 0; r < batch; r++) {
                        long n = (long) i * batch + r;
                        rows.add(new Object[]{ts + n * 60_000_000L, n, n * 2.0});
                    }
                    TestRows.insert(engine, "t", rows);
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                long lastTxn = 0;
                while (lastTxn < commits) {
                    try (TableSnapshot s = engine.snapshot("t")) {
                        assertTrue(s.txn() >= lastTxn);
                        lastTxn = s.txn();
                        assertEquals(s.txn() * batch, s.rowCount());
                        long sum = 0;
                        long seen = 0;
                        for (PartitionSnapshot p : s.partitions()) {
                            ColumnChunk q = p.read(1, 0, (int) p.rowCount());
                            ColumnChunk d = p.read(2, 0, (int) p.rowCount());
                            for (int i = 0; i < q.size(); i++) {
                                assertEquals(q.getLong(i) * 2.0, d.getDouble(i));
                                sum += q.getLong(i);
                            }
                            seen += q.size();
                        }
                        assertEquals(seen * (seen - 1) / 2, sum);
                    }
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        writer.start();
        reader.start();
        writer.join();
        reader.join();
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.get(0));
        }
        assertEquals(commits * batch, TestRows.readAll(engine, "t").size());
    }

    @Test
    void commitsOfConcurrentTransactionsOnOneTableSerialize() throws Exception {
        open().createTable(TestRows.trades("t", PartitionBy.DAY), false);
        int threads = 4;
        int commits = 15;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < threads; w++) {
            long base = w * 1_000_000L;
            workers.add(new Thread(() -> {
                try {
                    for (int c = 0; c < commits; c++) {
                        TestRows.insert(engine, "t", TestRows.tradeRows(base + c * 10, 10, base + c * 10));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        List<List<Object>> rows = TestRows.readAll(reopen(), "t");
        assertEquals(threads * commits * 10, rows.size());
        assertEquals(threads * commits, engine.tables().get(0).txn());
        assertEquals(threads * commits * 10, rows.stream().map(r -> r.get(1)).distinct().count());
    }

    @Test
    void largeColumnScansInChunks() {
        open().createTable(TestRows.trades("t", PartitionBy.NONE), false);
        int total = 300_000;
        try (WriteTransaction tx = engine.beginWrite()) {
            Object[] row = new Object[3];
            for (int i = 0; i < total; i++) {
                row[0] = (long) i;
                row[1] = (long) i;
                row[2] = (double) i;
                tx.insert("t", row);
            }
            tx.commit();
        }
        try (TableSnapshot s = engine.snapshot("t")) {
            PartitionSnapshot p = s.partitions().get(0);
            long sum = 0;
            for (long first = 0; first < p.rowCount(); first += 65536) {
                ColumnChunk c = p.read(1, first, (int) Math.min(65536, p.rowCount() - first));
                for (int i = 0; i < c.size(); i++) {
                    sum += c.getLong(i);
                }
            }
            assertEquals((long) total * (total - 1) / 2, sum);
        }
    }

    @Test
    void readsSpanningTheMappedPrefixAndLaterCommitsAreCorrect() {
        open().createTable(TestRows.trades("t", PartitionBy.NONE), false);
        long next = 0;
        for (int round = 0; round < 3; round++) {
            int rows = round == 0 ? 200_000 : 1000; // 1.6 MB first (mapped), then small growth (positional tail)
            try (WriteTransaction tx = engine.beginWrite()) {
                Object[] row = new Object[3];
                for (int i = 0; i < rows; i++, next++) {
                    row[0] = next;
                    row[1] = next * 3;
                    row[2] = next / 2.0;
                    tx.insert("t", row);
                }
                tx.commit();
            }
            try (TableSnapshot s = engine.snapshot("t")) {
                PartitionSnapshot p = s.partitions().get(0);
                assertEquals(next, p.rowCount());
                long first = next - 1500 - round;
                ColumnChunk q = p.read(1, first, (int) (next - first));
                ColumnChunk d = p.read(2, first, (int) (next - first));
                for (int i = 0; i < q.size(); i++) {
                    assertEquals((first + i) * 3, q.getLong(i));
                    assertEquals((first + i) / 2.0, d.getDouble(i));
                }
                assertEquals(0L, p.read(0, 0, 1).getLong(0));
            }
        }
    }

    static StorageException assertKind(StorageException.Kind kind, org.junit.jupiter.api.function.Executable call) {
        StorageException e = assertThrows(StorageException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
