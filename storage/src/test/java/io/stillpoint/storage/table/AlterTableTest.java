package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ALTER TABLE in the engine: rename (a registry change), add and drop column (a new incarnation switched in by
 * one registry write, the old one left to housekeeping), each atomic and durable: reopen, a failed fsync, and a
 * crash at every file-changing call leave the old or the new state.
 */
class AlterTableTest {

    @TempDir
    Path dir;
    private TableEngine engine;

    private static final TableSchema SCHEMA = new TableSchema("t", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
            new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.DAY);
    private static final long D1 = micros("2026-11-01T10:00:00Z");
    private static final long D2 = micros("2026-11-02T10:00:00Z");

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static List<Object[]> rows() {
        return List.of(new Object[]{D1, "a", 1L}, new Object[]{D1 + 1, null, 2L}, new Object[]{D2, "b", null});
    }

    private static Set<String> listing(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            Set<String> names = new TreeSet<>();
            s.forEach(x -> names.add(x.getFileName().toString()));
            return names;
        }
    }

    @Test
    void renameIsARegistryChangeThatSurvivesReopen() {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.createTable(SCHEMA, false);
        engine.createTable(new TableSchema("other", List.of(new ColumnSpec("x", ColumnType.INT)), -1,
                PartitionBy.NONE), false);
        TestRows.insert(engine, "t", rows());
        List<List<Object>> before = TestRows.readAll(engine, "t");
        Path tableDir = engine.tableDirectory("t");
        TableSnapshot open = engine.snapshot("t");

        assertEquals(StorageException.Kind.TABLE_EXISTS,
                assertThrows(StorageException.class, () -> engine.renameTable("t", "other")).kind());
        assertEquals(StorageException.Kind.TABLE_NOT_FOUND,
                assertThrows(StorageException.class, () -> engine.renameTable("missing", "x")).kind());
        engine.renameTable("t", "u");
        assertFalse(engine.tableExists("t"));
        assertEquals("u", engine.schema("u").name());
        assertEquals(tableDir, engine.tableDirectory("u"), "the files stay where they are");
        assertEquals(before, TestRows.readAll(open), "a snapshot opened before the rename reads on");
        open.close();
        TestRows.insert(engine, "u", List.<Object[]>of(new Object[]{D2 + 1, "c", 3L}));
        List<List<Object>> after = TestRows.readAll(engine, "u");
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertFalse(engine.tableExists("t"));
        assertEquals(after, TestRows.readAll(engine, "u"));
        engine.createTable(SCHEMA, false); // the old name is free again
        assertEquals(List.of(), TestRows.readAll(engine, "t"));
    }

    @Test
    void addColumnReadsNullForOlderRowsAndDropColumnLeavesItsFilesToHousekeeping() throws IOException {
        engine = TableEngine.open(EngineConfig.of(dir));
        engine.housekeeping().pause();
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", rows());
        Path firstDir = engine.tableDirectory("t");
        TableSnapshot open = engine.snapshot("t");
        List<List<Object>> before = TestRows.readAll(engine, "t");

        engine.addColumn("t", new ColumnSpec("extra", ColumnType.DOUBLE));
        assertEquals(4, engine.schema("t").columnCount());
        assertEquals(List.of(Arrays.asList(D1, "a", 1L, null), Arrays.asList(D1 + 1, null, 2L, null),
                Arrays.asList(D2, "b", null, null)), TestRows.readAll(engine, "t"));
        TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{D2 + 1, "c", 3L, 1.5}));
        assertEquals(StorageException.Kind.INVALID, assertThrows(StorageException.class,
                () -> engine.addColumn("t", new ColumnSpec("extra", ColumnType.INT))).kind());

        // The snapshot opened before reads the old incarnation, which waits for it before housekeeping deletes it.
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertEquals(before, TestRows.readAll(open));
        assertTrue(Files.exists(firstDir));
        open.close();
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(firstDir));

        StorageException ts = assertThrows(StorageException.class, () -> engine.dropColumn("t", "ts"));
        assertEquals(StorageException.Kind.UNSUPPORTED, ts.kind());
        assertEquals(StorageException.Kind.INVALID,
                assertThrows(StorageException.class, () -> engine.dropColumn("t", "nope")).kind());
        Path secondDir = engine.tableDirectory("t");
        engine.housekeeping().pause();
        engine.dropColumn("t", "name");
        assertTrue(Files.exists(secondDir.resolve("2026-11-01.1").resolve(ColumnFiles.dataName(1))),
                "a dropped column's files are not deleted inline");
        List<List<Object>> expected = List.of(Arrays.asList(D1, 1L, null), Arrays.asList(D1 + 1, 2L, null),
                Arrays.asList(D2, null, null), Arrays.asList(D2 + 1, 3L, 1.5));
        assertEquals(expected, TestRows.readAll(engine, "t"));
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertFalse(Files.exists(secondDir));
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(List.of("ts", "v", "extra"),
                engine.schema("t").columns().stream().map(ColumnSpec::name).toList());
        assertEquals(expected, TestRows.readAll(engine, "t"));
        Set<String> db = listing(dir.resolve("db"));
        assertEquals(1, db.stream().filter(n -> n.startsWith(TableRegistry.GENERATION_PREFIX)).count(), db.toString());
        assertEquals(Set.of(TableRegistry.NAME, engine.tableDirectory("t").getFileName().toString()),
                db.stream().filter(n -> !n.startsWith(TableRegistry.GENERATION_PREFIX)).collect(
                        java.util.stream.Collectors.toSet()));
    }

    @Test
    void failedFsyncLeavesTheOldSchema() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        engine = TableEngine.open(new EngineConfig(dir, fs));
        engine.createTable(SCHEMA, false);
        TestRows.insert(engine, "t", rows());
        List<List<Object>> before = TestRows.readAll(engine, "t");
        for (int n = 1; n <= 3; n++) {
            fs.failNthSync(n);
            assertThrows(StorageException.class, () -> engine.dropColumn("t", "name"));
            fs.disarm();
            assertEquals(SCHEMA, engine.schema("t"), "fsync " + n);
            assertEquals(before, TestRows.readAll(engine, "t"));
        }
        fs.failNthSync(1);
        assertThrows(StorageException.class, () -> engine.renameTable("t", "u"));
        fs.disarm();
        assertTrue(engine.tableExists("t"));
        assertFalse(engine.tableExists("u"));
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(SCHEMA, engine.schema("t"));
        assertEquals(before, TestRows.readAll(engine, "t"));
        engine.dropColumn("t", "name");
        assertEquals(2, engine.schema("t").columnCount());
    }

    @Test
    void crashAtEveryCallOfARenameLeavesTheOldOrTheNewName() throws IOException {
        crashAtEveryCall(e -> e.renameTable("t", "u"), "u");
    }

    @Test
    void crashAtEveryCallOfAnAddColumnLeavesTheOldOrTheNewSchema() throws IOException {
        crashAtEveryCall(e -> e.addColumn("t", new ColumnSpec("extra", ColumnType.INT)), "t");
    }

    @Test
    void crashAtEveryCallOfADropColumnLeavesTheOldOrTheNewSchema() throws IOException {
        crashAtEveryCall(e -> e.dropColumn("t", "name"), "t");
    }

    /** A table's schema and rows, or null if it does not exist. */
    private static List<Object> stateOf(TableEngine e, String table) {
        return e.tableExists(table) ? List.of(e.schema(table), TestRows.readAll(e, table)) : null;
    }

    private void crashAtEveryCall(Consumer<TableEngine> change, String newName) throws IOException {
        Path probeRoot = Files.createDirectory(dir.resolve("probe"));
        CrashSimulatingFileSystem probe = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(dir.resolve("probe-b")));
        long setupOps;
        long totalOps;
        List<Object> oldState;
        List<Object> newState;
        try (TableEngine e = TableEngine.open(new EngineConfig(probeRoot, probe))) {
            e.housekeeping().pause();
            e.createTable(SCHEMA, false);
            TestRows.insert(e, "t", rows());
            oldState = stateOf(e, "t");
            setupOps = probe.operations();
            change.accept(e);
            totalOps = probe.operations();
            newState = stateOf(e, newName);
        }
        assertTrue(totalOps > setupOps, "the change changes files");
        for (long n = setupOps + 1; n <= totalOps + 1; n++) {
            for (boolean lose : new boolean[]{true, false}) {
                Path root = Files.createDirectory(dir.resolve("r" + n + lose));
                Path backups = Files.createDirectory(dir.resolve("b" + n + lose));
                CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n, backups);
                boolean acknowledged = false;
                try (TableEngine e = TableEngine.open(new EngineConfig(root, fs))) {
                    e.housekeeping().pause();
                    e.createTable(SCHEMA, false);
                    TestRows.insert(e, "t", rows());
                    change.accept(e);
                    acknowledged = true;
                } catch (StorageException e) {
                    assertTrue(fs.crashed(), "only the simulated crash may fail: " + e.getMessage());
                }
                if (lose) {
                    fs.loseUnsyncedState();
                }
                EngineConfig reopen = new EngineConfig(root, new CrashSimulatingFileSystem(Long.MAX_VALUE, backups));
                try (TableEngine e = TableEngine.open(reopen)) {
                    String where = "[crashAt=" + n + ", lose=" + lose + ", acknowledged=" + acknowledged + "]";
                    List<Object> now = stateOf(e, newName);
                    boolean isNew = newState.equals(now) && (newName.equals("t") || !e.tableExists("t"));
                    boolean isOld = oldState.equals(stateOf(e, "t"))
                            && (newName.equals("t") || !e.tableExists(newName));
                    if (acknowledged) {
                        assertTrue(isNew, "acknowledged change lost " + where);
                    } else {
                        assertTrue(isOld || isNew, "between states " + where);
                    }
                    // Only the live incarnation's directory is left after open (housekeeping ran at open).
                    assertEquals(1, listing(root.resolve("db")).stream().filter(x -> x.contains("~")).count(), where);
                    // The table takes commits again.
                    String live = e.tableExists("t") ? "t" : newName;
                    Object[] row = new Object[e.schema(live).columnCount()];
                    row[0] = D2 + 9;
                    TestRows.insert(e, live, List.<Object[]>of(row));
                }
            }
        }
    }
}
