package io.stillpoint.storage.table;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rewrites that move rows into another partition ({@link WriteTransaction#rewrite} with new designated timestamps):
 * to an earlier, a later, a pruned and a not yet existing partition; a partition the move empties disappears; the
 * order at equal timestamps; snapshots opened before the commit; a move that opens a partition wakes the TTL job;
 * refused timestamps and injected faults (failed fsync, disk full) leave the table unchanged. Crashes during such
 * a rewrite: {@link RewriteTest}.
 */
class CrossPartitionRewriteTest {

    @TempDir
    Path dir;
    private TableEngine engine;

    private static final TableSchema SCHEMA = new TableSchema("t", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
            new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.DAY);
    private static final long D1 = micros("2026-11-01T10:00:00Z");
    private static final long D2 = micros("2026-11-02T10:00:00Z");
    private static final long D3 = micros("2026-11-03T10:00:00Z");
    private static final long DAY = 86_400_000_000L;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private void open(EngineConfig config) {
        engine = TableEngine.open(config);
        createAndFill(engine);
    }

    private static void createAndFill(TableEngine e) {
        e.createTable(SCHEMA, false);
        TestRows.insert(e, "t", List.of(new Object[]{D1, "a", 1L}, new Object[]{D1 + 1, null, 2L},
                new Object[]{D2, "b", null}, new Object[]{D2 + 5, "bb", 4L}, new Object[]{D3, "c", 5L}));
    }

    private long rewrite(PartitionRewriter r) {
        return rewrite(engine, r);
    }

    private static long rewrite(TableEngine e, PartitionRewriter r) {
        try (WriteTransaction tx = e.beginWrite()) {
            return tx.rewrite("t", r);
        }
    }

    /** Applies {@code change} to every row of the partitions named in {@code names} (the others are pruned). */
    private static PartitionRewriter update(Set<String> names, UnaryOperator<Object[]> change, List<String> read) {
        return new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot p) {
                return names.contains(p.name());
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot p) {
                read.add(p.name());
                List<Object[]> out = new ArrayList<>();
                for (Object[] r : RewriteTest.rowsOf(p, 3)) {
                    out.add(change.apply(r.clone()));
                }
                return out;
            }
        };
    }

    /** Sets the timestamp of the rows named {@code name} to {@code ts}. */
    private static UnaryOperator<Object[]> move(String name, long ts) {
        return r -> {
            if (name.equals(r[1])) {
                r[0] = ts;
            }
            return r;
        };
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static Set<String> listing(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            Set<String> names = new TreeSet<>();
            s.forEach(x -> names.add(x.getFileName().toString()));
            return names;
        }
    }

    private long txn() {
        return engine.tables().get(0).txn();
    }

    @Test
    void rowsMoveIntoPrunedEarlierAndLaterPartitionsAndTheEmptiedPartitionDisappears() throws IOException {
        open(EngineConfig.of(dir));
        engine.housekeeping().pause();
        List<List<Object>> before = TestRows.readAll(engine, "t");
        TableSnapshot old = engine.snapshot("t");
        List<String> read = new ArrayList<>();
        // Only 2026-11-02 is read; its rows go to the equal timestamps of rows in the pruned neighbours.
        UnaryOperator<Object[]> both = r -> move("bb", D3).apply(move("b", D1 + 1).apply(r));
        assertEquals(2, rewrite(update(Set.of("2026-11-02"), both, read)));
        assertEquals(List.of("2026-11-02"), read, "the targets are not handed to the rewriter");
        assertEquals(List.of("2026-11-01.2", "2026-11-03.2"), engine.partitionDirectories("t"));
        // At equal timestamps the rows already in the target come first, then the moved ones.
        List<List<Object>> after = List.of(row(D1, "a", 1L), row(D1 + 1, null, 2L), row(D1 + 1, "b", null),
                row(D3, "c", 5L), row(D3, "bb", 4L));
        assertEquals(after, TestRows.readAll(engine, "t"));
        assertEquals(5, engine.tables().get(0).rowCount());
        assertEquals(2, engine.tables().get(0).partitionCount());

        // A snapshot opened before the commit still reads the old state, also after a purge pass.
        Path tableDir = engine.tableDirectory("t");
        engine.housekeeping().resume();
        engine.housekeeping().runOnce();
        assertEquals(before, TestRows.readAll(old));
        assertEquals(3, engine.housekeeping().pendingCount(), "the three superseded versions wait for the snapshot");
        old.close();
        engine.housekeeping().runOnce();
        assertEquals(0, engine.housekeeping().pendingCount());
        assertEquals(Set.of("2026-11-01.2", "2026-11-03.2", "_txn"), listing(tableDir));

        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(after, TestRows.readAll(engine, "t"));
        assertEquals(5, engine.tables().get(0).rowCount());
    }

    @Test
    void rowsMoveBetweenPartitionsTheRewriterAlsoChangesAndAreChangedOnlyOnce() {
        open(EngineConfig.of(dir));
        List<String> read = new ArrayList<>();
        // v + 10 everywhere; "a" moves forward two days (a later partition, read after), "c" back two days (an
        // earlier one, read before). The rewriter sees committed rows only, so no row is changed twice.
        UnaryOperator<Object[]> change = r -> {
            r[2] = r[2] == null ? null : (Long) r[2] + 10;
            if ("a".equals(r[1])) {
                r[0] = (Long) r[0] + 2 * DAY;
            } else if ("c".equals(r[1])) {
                r[0] = D1;
            }
            return r;
        };
        assertEquals(2, rewrite(update(Set.of("2026-11-01", "2026-11-02", "2026-11-03"), change, read)));
        assertEquals(List.of("2026-11-01", "2026-11-02", "2026-11-03"), read);
        // "c" lands before the row left in day 1; "a" alone in day 3 ("c" left it).
        assertEquals(List.of(row(D1, "c", 15L), row(D1 + 1, null, 12L), row(D2, "b", null), row(D2 + 5, "bb", 14L),
                row(D3, "a", 11L)), TestRows.readAll(engine, "t"));
        assertEquals(List.of("2026-11-01.2", "2026-11-02.2", "2026-11-03.2"), engine.partitionDirectories("t"));
        assertEquals(5, engine.tables().get(0).rowCount());
    }

    @Test
    void rowsMoveIntoNewPartitionsNamedAsAnInsertNamesThem() throws IOException {
        open(EngineConfig.of(dir));
        long oct = micros("2026-10-15T00:00:00Z");
        long dec = micros("2026-12-24T18:30:00Z");
        List<String> read = new ArrayList<>();
        UnaryOperator<Object[]> change = r -> move("bb", dec).apply(move("b", oct).apply(r));
        assertEquals(2, rewrite(update(Set.of("2026-11-02"), change, read)));
        assertEquals(List.of("2026-10-15.2", "2026-11-01.1", "2026-11-03.1", "2026-12-24.2"),
                engine.partitionDirectories("t"));
        assertEquals(List.of("2026-10-15:1", "2026-11-01:2", "2026-11-03:1", "2026-12-24:1"),
                TestRows.partitionNames(engine, "t"));
        List<List<Object>> after = List.of(row(oct, "b", null), row(D1, "a", 1L), row(D1 + 1, null, 2L),
                row(D3, "c", 5L), row(dec, "bb", 4L));
        assertEquals(after, TestRows.readAll(engine, "t"));
        assertEquals(5, engine.tables().get(0).rowCount());

        // Into the emptied day: a new partition again, and a new partition takes appends like any other.
        assertEquals(3, rewrite(update(Set.of("2026-12-24"), move("bb", D2), new ArrayList<>())));
        TestRows.insert(engine, "t", List.<Object[]>of(new Object[]{D2 + 1, "late", 6L}));
        assertEquals(List.of("2026-10-15.2", "2026-11-01.1", "2026-11-02.3", "2026-11-03.1"),
                engine.partitionDirectories("t"));
        List<List<Object>> now = List.of(row(oct, "b", null), row(D1, "a", 1L), row(D1 + 1, null, 2L),
                row(D2, "bb", 4L), row(D2 + 1, "late", 6L), row(D3, "c", 5L));
        assertEquals(now, TestRows.readAll(engine, "t"));
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(now, TestRows.readAll(engine, "t"));
        assertEquals(6, engine.tables().get(0).rowCount());
        assertEquals(Set.of("2026-10-15.2", "2026-11-01.1", "2026-11-02.3", "2026-11-03.1", "_txn"),
                listing(engine.tableDirectory("t")));
    }

    @Test
    void rowsMovedFromSeveralPartitionsKeepTheOrderGivenAfterTheTargetsRows() {
        open(EngineConfig.of(dir));
        // Every row of days 1 and 3 goes to D2 (where "b" is), and "b" itself stays: committed first, then the
        // moved rows in partition order and, within a partition, in the order the rewriter returns them.
        PartitionRewriter r = new PartitionRewriter() {
            @Override
            public List<Object[]> rewrite(PartitionSnapshot p) {
                if (p.name().equals("2026-11-02")) {
                    return null;
                }
                List<Object[]> out = new ArrayList<>();
                for (Object[] row : RewriteTest.rowsOf(p, 3)) {
                    out.add(0, new Object[]{D2, row[1], row[2]}); // reversed
                }
                return out;
            }
        };
        assertEquals(2, rewrite(r));
        assertEquals(List.of(row(D2, "b", null), row(D2, null, 2L), row(D2, "a", 1L), row(D2, "c", 5L),
                row(D2 + 5, "bb", 4L)), TestRows.readAll(engine, "t"));
        assertEquals(List.of("2026-11-02.2"), engine.partitionDirectories("t"));
        assertEquals(5, engine.tables().get(0).rowCount());
    }

    @Test
    void aMoveThatOpensAPartitionWakesTheTtlJob() throws InterruptedException {
        // The job interval is a minute: only the wake-up can run it within this test.
        engine = TableEngine.open(new EngineConfig(dir, io.stillpoint.storage.fs.FileSystemFacade.real(),
                new EngineConfig.CheckpointPolicy(java.time.Duration.ofHours(24), 0, java.time.Duration.ofHours(1),
                        new SettableClock(java.time.Instant.parse("2030-01-01T00:00:00Z")))));
        engine.createTable(SCHEMA.withTtl(new io.stillpoint.storage.Ttl(1, io.stillpoint.storage.Ttl.Unit.DAYS)),
                false);
        TestRows.insert(engine, "t", List.of(new Object[]{D2, "b", 1L}, new Object[]{D2 + 1, "bb", 2L}));
        // "bb" two days later: 2026-11-02 is then entirely older than the TTL.
        assertEquals(2, rewrite(update(Set.of("2026-11-02"), move("bb", D2 + 2 * DAY), new ArrayList<>())));
        for (int i = 0; i < 1000 && engine.partitionDirectories("t").size() > 1; i++) {
            Thread.sleep(10);
        }
        assertEquals(List.of("2026-11-04.2"), engine.partitionDirectories("t"));
        assertEquals(List.of(row(D2 + 2 * DAY, "bb", 2L)), TestRows.readAll(engine, "t"));
    }

    @Test
    void nullAndOutOfRangeTimestampsAreRefusedBeforeAnythingIsWritten() throws IOException {
        open(EngineConfig.of(dir));
        List<List<Object>> before = TestRows.readAll(engine, "t");
        Set<String> files = listing(engine.tableDirectory("t"));
        // The first partition moves a row to a new day (valid); a later one gives a NULL timestamp.
        PartitionRewriter nullTs = p -> p.name().equals("2026-11-01")
                ? List.<Object[]>of(new Object[]{D3 + 5 * DAY, "x", 1L})
                : p.name().equals("2026-11-03") ? List.<Object[]>of(new Object[]{null, "y", 1L}) : null;
        assertEquals(StorageException.Kind.INVALID, assertThrows(StorageException.class, () -> rewrite(nullTs)).kind());
        PartitionRewriter outOfRange = p -> List.<Object[]>of(new Object[]{Long.MAX_VALUE, "z", 1L});
        StorageException e = assertThrows(StorageException.class, () -> rewrite(outOfRange));
        assertEquals(StorageException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().startsWith("designated timestamp out of range"), e.getMessage());
        assertEquals(before, TestRows.readAll(engine, "t"));
        assertEquals(1, txn());
        assertEquals(files, listing(engine.tableDirectory("t")), "no directory was created");
    }

    /** A rewrite that moves rows into a pruned partition and into a new one, and empties the source. */
    private static long moveAll(TableEngine e) {
        UnaryOperator<Object[]> change = r -> move("bb", D3 + 7 * DAY).apply(move("b", D1 + 2).apply(r));
        return rewrite(e, update(Set.of("2026-11-02"), change, new ArrayList<>()));
    }

    @Test
    void failedFsyncsAndDiskFullLeaveTheTableUnchangedAndTheNextOpenCleansUp() throws IOException {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        open(new EngineConfig(dir, fs));
        List<List<Object>> before = TestRows.readAll(engine, "t");
        Set<String> files = listing(engine.tableDirectory("t"));
        // Count what a successful move does, in a root of its own.
        int syncs;
        int writes;
        FaultInjectingFileSystem probe = new FaultInjectingFileSystem();
        try (TableEngine e = TableEngine.open(new EngineConfig(Files.createDirectory(dir.resolve("probe")), probe))) {
            createAndFill(e);
            int syncsBefore = probe.fileSyncCount() + probe.directorySyncCount();
            int writesBefore = probe.writeCount();
            assertEquals(2, moveAll(e));
            syncs = probe.fileSyncCount() + probe.directorySyncCount() - syncsBefore;
            writes = probe.writeCount() - writesBefore;
        }
        assertTrue(syncs > 3 && writes > 3, "syncs=" + syncs + ", writes=" + writes);
        for (int n = 1; n <= syncs; n++) {
            fs.failNthSync(n);
            StorageException e = assertThrows(StorageException.class, () -> moveAll(engine), "sync " + n);
            fs.disarm();
            assertEquals(before, TestRows.readAll(engine, "t"), "sync " + n + ": " + e.getMessage());
            assertEquals(1, txn(), "sync " + n);
        }
        for (int n = 1; n <= writes; n++) {
            fs.diskFullOnNthWrite(n);
            StorageException e = assertThrows(StorageException.class, () -> moveAll(engine), "write " + n);
            fs.disarm();
            assertEquals(StorageException.Kind.DISK_FULL, e.kind(), "write " + n + ": " + e.getMessage());
            assertEquals(before, TestRows.readAll(engine, "t"), "write " + n);
            assertEquals(1, txn(), "write " + n);
        }
        engine.close();
        engine = TableEngine.open(EngineConfig.of(dir));
        assertEquals(before, TestRows.readAll(engine, "t"));
        assertEquals(files, listing(engine.tableDirectory("t")), "the next open deleted the unfinished versions");
        // Now it succeeds, with the same result as in the probe.
        assertEquals(2, moveAll(engine));
        List<List<Object>> after = List.of(row(D1, "a", 1L), row(D1 + 1, null, 2L), row(D1 + 2, "b", null),
                row(D3, "c", 5L), row(D3 + 7 * DAY, "bb", 4L));
        assertEquals(after, TestRows.readAll(engine, "t"));
        assertFalse(engine.partitionDirectories("t").contains("2026-11-02.1"));
        assertEquals(List.of("2026-11-01.2", "2026-11-03.1", "2026-11-10.2"), engine.partitionDirectories("t"));
    }
}
