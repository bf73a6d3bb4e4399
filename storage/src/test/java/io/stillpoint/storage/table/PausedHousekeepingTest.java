package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.WriteTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With housekeeping paused (what a checkpoint does), INSERT (appending and out of order), the TTL job's drops, UPDATE,
 * DELETE, DROP PARTITION, TRUNCATE, DROP TABLE, ADD/DROP COLUMN and RENAME keep working and answer right, while no data file
 * present at the pause, nor any committed during it, is deleted, shrinks, or changes below the size it had: the
 * size and CRC32C of every such file is recorded and compared after every statement (and after explicit purge
 * passes, which must do nothing). Metadata ({@code _txn}, rewritten in place by its double-buffered slots, and
 * the registry, replaced by rename) is not data and is copied by the checkpoint itself. Resuming purges what
 * waited, down to the live files. Run twice: with {@code housekeeping().pause()/resume()} and with an active
 * checkpoint ({@code checkpoints().create/release}), which must give a copy the same guarantee.
 */
class PausedHousekeepingTest {

    private static final long DAY = 86_400_000_000L;
    private static final long D1 = micros("2026-11-01T00:00:00Z");

    @TempDir
    Path root;

    private TableEngine engine;
    /** The live model: table name to its rows in timestamp order. */
    private final Map<String, List<List<Object>>> model = new TreeMap<>();
    /** Data file (relative path) to {size, CRC32C of its first size bytes}, for every file seen during the pause. */
    private final Map<String, long[]> recorded = new TreeMap<>();

    private static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("tag", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG)), 0, PartitionBy.DAY);
    }

    private static List<Object> row(long ts, long v) {
        return Arrays.asList(ts, v % 4 == 0 ? null : "tag" + v, v % 6 == 0 ? null : v);
    }

    private void insert(String table, List<List<Object>> rows) {
        List<Object[]> arrays = rows.stream().map(List::toArray).toList();
        TestRows.insert(engine, table, arrays);
        List<List<Object>> m = model.get(table);
        m.addAll(rows);
        m.sort(Comparator.comparingLong(r -> (Long) r.get(0))); // stable: equal timestamps keep commit order
    }

    private void rewrite(String table, Predicate<String> partitions, UnaryOperator<List<List<Object>>> change) {
        int columns = engine.schema(table).columnCount();
        try (WriteTransaction tx = engine.beginWrite()) {
            tx.rewrite(table, new PartitionRewriter() {
                @Override
                public boolean mayTouch(PartitionSnapshot p) {
                    return partitions.test(p.name());
                }

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    List<List<Object>> rows = new ArrayList<>();
                    RewriteTest.rowsOf(p, columns).forEach(r -> rows.add(Arrays.asList(r)));
                    return change.apply(rows).stream().map(List::toArray).toList();
                }
            });
        }
        // The same change on the model, partition by partition (DAY partitions named by their UTC date).
        Map<String, List<List<Object>>> byDay = new TreeMap<>();
        for (List<Object> r : model.get(table)) {
            byDay.computeIfAbsent(dayName((Long) r.get(0)), k -> new ArrayList<>()).add(r);
        }
        List<List<Object>> next = new ArrayList<>();
        byDay.forEach((day, rows) -> next.addAll(partitions.test(day) ? change.apply(rows) : rows));
        model.put(table, next);
    }

    private static String dayName(long micros) {
        return java.time.LocalDate.ofEpochDay(Math.floorDiv(micros, DAY)).toString();
    }

    private static List<List<Object>> updated(List<List<Object>> rows) {
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> r : rows) {
            List<Object> copy = new ArrayList<>(r);
            copy.set(2, r.get(2) == null ? null : (Long) r.get(2) * 10);
            out.add(copy);
        }
        return out;
    }

    private static List<List<Object>> withoutOdd(List<List<Object>> rows) {
        return rows.stream().filter(r -> r.get(2) == null || (Long) r.get(2) % 2 == 0).toList();
    }

    private void checkModel() {
        assertEquals(model.keySet(), new java.util.TreeSet<>(engine.tables().stream().map(TableInfo::name).toList()));
        model.forEach((table, rows) -> assertEquals(rows, TestRows.readAll(engine, table), "table " + table));
    }

    /** Records every data file not yet recorded (size and checksum of its content now). */
    private void recordNewFiles() {
        DiskFiles.sizes(root).forEach((path, size) -> {
            if (!DiskFiles.isMetadata(Path.of(path)) && !recorded.containsKey(path)) {
                recorded.put(path, new long[]{size, DiskFiles.crc32c(root.resolve(path), size)});
            }
        });
    }

    /** No recorded file is gone, shorter, or different in its recorded prefix. */
    private void checkRecordedFiles(String after) {
        for (Map.Entry<String, long[]> e : recorded.entrySet()) {
            Path file = root.resolve(e.getKey());
            if (!Files.exists(file)) {
                fail("file deleted while housekeeping is paused [after=" + after + ", file=" + e.getKey() + "]");
            }
            long size = DiskFiles.sizes(file.getParent()).getOrDefault(file.getFileName().toString(), -1L);
            assertTrue(size >= e.getValue()[0], "file shrank while housekeeping is paused [after=" + after
                    + ", file=" + e.getKey() + ", recorded=" + e.getValue()[0] + ", now=" + size + "]");
            assertEquals(e.getValue()[1], DiskFiles.crc32c(file, e.getValue()[0]), "bytes below the recorded size "
                    + "changed while housekeeping is paused [after=" + after + ", file=" + e.getKey() + "]");
        }
    }

    /** One statement under the pause: run it, check the answer, purge (which must not), check every file. */
    private void step(String name, Runnable statement) {
        statement.run();
        checkModel();
        checkRecordedFiles(name);
        engine.housekeeping().runOnce();
        checkRecordedFiles(name + " + purge pass");
        recordNewFiles();
    }

    @Test
    void pausedHousekeepingChangesNoCommittedByteAndResumePurgesWhatWaited() {
        engine = TableEngine.open(EngineConfig.of(root));
        run(() -> engine.housekeeping().pause(), () -> engine.housekeeping().resume());
    }

    /** The same through the checkpoint coordinator: between CREATE and RELEASE a copy sees nothing vanish or shrink. */
    @Test
    void activeCheckpointChangesNoCommittedByteAndReleasePurgesWhatWaited() {
        engine = TableEngine.open(EngineConfig.of(root));
        run(() -> engine.checkpoints().create(null), () -> engine.checkpoints().release());
    }

    private void run(Runnable pause, Runnable resume) {
        for (String t : List.of("a", "b", "c", "d")) {
            engine.createTable(schema(t), false);
            model.put(t, new ArrayList<>());
            for (int commit = 0; commit < 3; commit++) { // several commits, so files have several appended ranges
                List<List<Object>> rows = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long n = commit * 200L + i;
                    rows.add(row(D1 + commit * DAY + i * 60_000_000L, n));
                }
                insert(t, rows);
            }
        }
        checkModel();
        Map<String, Long> before = DiskFiles.sizes(root);
        Path aBefore = engine.tableDirectory("a");
        Path bBefore = engine.tableDirectory("b");
        Path bSupersededDay = bBefore.resolve(engine.partitionDirectories("b").get(1));
        Path cBefore = engine.tableDirectory("c");

        pause.run();
        recordNewFiles();
        int recordedAtPause = recorded.size();
        assertTrue(recordedAtPause >= 4 * 3 * 3, "data files recorded [count=" + recordedAtPause + "]");

        step("insert appending", () -> {
            List<List<Object>> rows = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                rows.add(row(D1 + 2 * DAY + 200 * 60_000_000L + i, 1000 + i)); // after the last row of day 3
                rows.add(row(D1 + 3 * DAY + i, 2000 + i));                       // a new day
            }
            insert("a", rows);
        });
        step("insert out of order", () -> insert("a", List.of(row(D1 + 30, 3000), row(D1 + DAY + 31, 3001))));
        step("ttl drop", () -> {
            // The largest timestamp of a is on 11-04, so 1 DAY expires 11-01 and 11-02: dropped by the TTL job, as a
            // commit, while paused; their versions wait for the purge.
            int dropsBefore = (int) engine.ttlJob().droppedPartitions();
            engine.setTtl("a", new Ttl(1, Ttl.Unit.DAYS));
            engine.runHousekeepingJobsNow();
            assertEquals(2, engine.ttlJob().droppedPartitions() - dropsBefore, "dropped while paused");
            model.get("a").removeIf(r -> (Long) r.get(0) < D1 + 2 * DAY);
        });
        step("update", () -> rewrite("b", "2026-11-02"::equals, PausedHousekeepingTest::updated));
        step("delete", () -> rewrite("c", p -> true, PausedHousekeepingTest::withoutOdd));
        step("drop partition", () -> rewrite("c", "2026-11-01"::equals, rows -> List.of()));
        step("truncate", () -> rewrite("d", p -> true, rows -> List.of()));
        step("insert after truncate", () -> insert("d", List.of(row(D1 + 5 * DAY, 7))));
        step("drop table", () -> {
            engine.dropTable("b", false);
            model.remove("b");
        });
        step("add column", () -> {
            engine.addColumn("a", new ColumnSpec("extra", ColumnType.DOUBLE));
            model.get("a").replaceAll(r -> {
                List<Object> copy = new ArrayList<>(r);
                copy.add(null);
                return copy;
            });
        });
        step("drop column", () -> {
            engine.dropColumn("c", "tag");
            model.get("c").replaceAll(r -> Arrays.asList(r.get(0), r.get(2)));
        });
        step("rename", () -> {
            engine.renameTable("d", "e");
            model.put("e", model.remove("d"));
        });
        step("create after drop", () -> {
            engine.createTable(schema("b"), false);
            model.put("b", new ArrayList<>());
            insert("b", List.of(row(D1, 1), row(D1 + DAY, 2)));
        });

        int waiting = engine.housekeeping().pendingCount();
        assertTrue(waiting >= 7, "deletions wait while paused [pending=" + waiting + "]");
        for (String file : before.keySet()) {
            assertTrue(Files.exists(root.resolve(file)), "present at the pause, present now [file=" + file + "]");
        }

        resume.run();
        for (int i = 0; i < 200 && engine.housekeeping().pendingCount() > 0; i++) {
            engine.housekeeping().runOnce();
        }
        assertEquals(0, engine.housekeeping().pendingCount(), "resume purges what waited");
        checkModel();
        // What waited is gone: b's first incarnation (dropped) with its superseded version, the incarnations of a
        // and c that ADD/DROP COLUMN replaced ...
        Map<String, Long> after = DiskFiles.sizes(root);
        for (Path gone : List.of(aBefore, bBefore, bSupersededDay, cBefore)) {
            assertFalse(Files.exists(gone), "purged after resume [dir=" + root.relativize(gone) + "]");
        }
        // ... and only the live states' data files remain.
        Map<String, Long> live = new HashMap<>();
        for (TableInfo t : engine.tables()) {
            Path dir = engine.tableDirectory(t.name());
            for (String version : engine.partitionDirectories(t.name())) {
                DiskFiles.sizes(dir.resolve(version)).forEach((name, size) ->
                        live.put(root.relativize(dir.resolve(version).resolve(name)).toString(), size));
            }
        }
        Map<String, Long> leftover = new TreeMap<>(after);
        leftover.keySet().removeAll(live.keySet());
        leftover.keySet().removeIf(p -> DiskFiles.isMetadata(Path.of(p)));
        assertEquals(Map.of(), leftover, "only live data files remain after resume");
        engine.close();
    }
}
