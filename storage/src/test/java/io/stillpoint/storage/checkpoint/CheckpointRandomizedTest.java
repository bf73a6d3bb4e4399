package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.stillpoint.storage.checkpoint.RestoreTestSupport.DAY;
import static io.stillpoint.storage.checkpoint.RestoreTestSupport.DAY0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random operations against a plain in-memory model; a checkpoint at a random moment (the model is snapshotted);
 * the root copied file by file ({@code cp -a} or {@code cp -al}) while random operations go on between files; the
 * checkpoint released; the copy restored and compared, table by table and row by row, with the snapshot. The copy
 * must never find a listed data file gone. {@code -Dstillpoint.checkpoint.rounds=N} runs more rounds.
 */
class CheckpointRandomizedTest {

    @TempDir
    Path dir;

    private static final int ROUNDS = Integer.getInteger("stillpoint.checkpoint.rounds", 200);
    private static final String[] NAMES = {"a", "b", "c", "d", "e"};

    /** A table of the model: columns and rows in the engine's order (designated timestamp, stably). */
    private static final class ModelTable {
        final List<ColumnSpec> columns;
        final List<Object[]> rows;

        ModelTable(List<ColumnSpec> columns, List<Object[]> rows) {
            this.columns = new ArrayList<>(columns);
            this.rows = new ArrayList<>();
            for (Object[] r : rows) {
                this.rows.add(r.clone());
            }
        }

        ModelTable copy() {
            return new ModelTable(columns, rows);
        }
    }

    /** One round's state: the engine, its model, and the random source. */
    private static final class Round {
        final Random random;
        final TableEngine engine;
        Map<String, ModelTable> model = new TreeMap<>();
        int columnSeq;
        final StringBuilder log = new StringBuilder();

        Round(Random random, TableEngine engine) {
            this.random = random;
            this.engine = engine;
        }
    }

    @Test
    void restoredCopiesEqualTheStateAtTheCheckpoint() throws IOException {
        long seed0 = Long.getLong("stillpoint.checkpoint.seed", System.nanoTime());
        // A tmpfs when there is one: the rounds are dominated by file system calls (open, mkdir, copy, rename).
        Path work = RestoreTestSupport.scratch(dir, "stillpoint-checkpoint-rounds");
        try {
            for (int round = 0; round < ROUNDS; round++) {
                long seed = seed0 + round;
                try {
                    runRound(seed, work.resolve("r" + round));
                } catch (AssertionError | RuntimeException | IOException e) {
                    throw new AssertionError("round failed, rerun with -Dstillpoint.checkpoint.seed=" + seed
                            + " -Dstillpoint.checkpoint.rounds=1: " + e.getMessage(), e);
                }
                RestoreTestSupport.deleteTree(work.resolve("r" + round));
            }
        } finally {
            RestoreTestSupport.deleteTree(work);
        }
    }

    private void runRound(long seed, Path base) throws IOException {
        Random random = new Random(seed);
        Path root = base.resolve("root");
        Path copy = base.resolve("copy");
        // Skips real fsyncs (never crashes): keeps hundreds of rounds fast; durability is tested elsewhere.
        FileSystemFacade fs = new CrashSimulatingFileSystem(Long.MAX_VALUE, Files.createDirectories(base.resolve("b")));
        EngineConfig config = new EngineConfig(root, fs, CheckpointRestoreTest.POLICY);
        boolean hardLinks = random.nextInt(3) == 0;
        Map<String, ModelTable> snapshot;
        try (TableEngine engine = TableEngine.open(config)) {
            Round r = new Round(random, engine);
            int before = 1 + random.nextInt(20);
            for (int i = 0; i < before; i++) {
                step(r);
            }
            engine.checkpoints().create(null);
            snapshot = copyOf(r.model);
            r.log.append("CHECKPOINT; ");
            for (int i = random.nextInt(4); i > 0; i--) {
                step(r);
            }
            copyWhileWriting(r, root, copy, hardLinks);
            engine.checkpoints().release();
            r.log.append("RELEASE; ");
            for (int i = random.nextInt(4); i > 0; i--) {
                step(r);
            }
            assertEquals(render(r.model), RestoreTestSupport.dump(engine), "the original engine against the model: "
                    + r.log);
            Files.createFile(copy.resolve(CheckpointRestore.TRIGGER));
            try (TableEngine restored = TableEngine.open(new EngineConfig(copy, fs, CheckpointRestoreTest.POLICY))) {
                assertEquals(render(snapshot), RestoreTestSupport.dump(restored), "restored copy (hardLinks="
                        + hardLinks + "): " + r.log);
                RestoreTestSupport.assertOnlyReferencedDirectories(restored, copy);
                assertFalse(Files.exists(copy.resolve(CheckpointRestore.TRIGGER)));
                if (hardLinks) {
                    // Both keep working on their own data after the restore.
                    Round c = new Round(new Random(seed ^ 0x5eed), restored);
                    c.model = copyOf(snapshot);
                    c.columnSeq = r.columnSeq + 1000; // column names stay unique in both
                    for (int i = 0; i < 3; i++) {
                        step(r);
                        step(c);
                    }
                    assertEquals(render(c.model), RestoreTestSupport.dump(restored), "copy after writes: " + c.log);
                    assertEquals(render(r.model), RestoreTestSupport.dump(engine), "original after writes: " + r.log);
                }
            }
        }
    }

    private static Map<String, ModelTable> copyOf(Map<String, ModelTable> model) {
        Map<String, ModelTable> copy = new TreeMap<>();
        model.forEach((k, v) -> copy.put(k, v.copy()));
        return copy;
    }

    /** The model in {@link RestoreTestSupport#dump}'s shape. */
    private static Map<String, List<List<Object>>> render(Map<String, ModelTable> model) {
        Map<String, List<List<Object>>> out = new TreeMap<>();
        for (Map.Entry<String, ModelTable> e : model.entrySet()) {
            List<List<Object>> rows = new ArrayList<>();
            List<Object> header = new ArrayList<>();
            for (ColumnSpec c : e.getValue().columns) {
                header.add(c.name() + ":" + c.type());
            }
            rows.add(header);
            for (Object[] r : e.getValue().rows) {
                rows.add(Arrays.asList(r));
            }
            out.put(e.getKey(), rows);
        }
        return out;
    }

    /**
     * Copies {@code from} to {@code to} as a copy tool does, directory by directory, with random operations on the
     * engine between files. A data file listed and then gone would mean the checkpoint failed to pin it.
     */
    private void copyWhileWriting(Round r, Path from, Path to, boolean hardLinks) throws IOException {
        Files.createDirectories(to);
        List<Path> entries;
        try (Stream<Path> list = Files.list(from)) {
            entries = list.sorted().toList();
        }
        for (Path p : entries) {
            Path target = to.resolve(p.getFileName().toString());
            if (Files.isDirectory(p)) {
                copyWhileWriting(r, p, target, hardLinks);
                continue;
            }
            try {
                if (hardLinks) {
                    Files.createLink(target, p);
                } else {
                    Files.copy(p, target);
                }
            } catch (NoSuchFileException e) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".tmp")) {
                    fail("a file vanished during the copy [file=" + p + "]: " + r.log);
                }
            }
            if (r.random.nextInt(4) == 0) {
                step(r);
            }
        }
    }

    // ---------------------------------------------------------------- random operations

    private static String partitionName(int day) {
        return LocalDate.of(2026, 11, 1).plusDays(day).toString();
    }

    private static int dayOf(Object[] row) {
        return (int) Math.floorDiv((Long) row[0] - DAY0, DAY);
    }

    private static String randomName(Round r) {
        return NAMES[r.random.nextInt(NAMES.length)];
    }

    private static String existing(Round r) {
        List<String> names = new ArrayList<>(r.model.keySet());
        return names.isEmpty() ? null : names.get(r.random.nextInt(names.size()));
    }

    /** One random operation, on the engine and on the model alike. */
    private static void step(Round r) {
        int op = r.random.nextInt(100);
        String t = existing(r);
        if (t == null || op < 8) {
            create(r);
        } else if (op < 50) {
            insert(r, t);
        } else if (op < 58) {
            rewriteOne(r, t, "update");
        } else if (op < 66) {
            rewriteOne(r, t, "delete");
        } else if (op < 72) {
            rewriteOne(r, t, "drop partition");
        } else if (op < 76) {
            truncate(r, t);
        } else if (op < 82) {
            r.engine.dropTable(t, false);
            r.model.remove(t);
            r.log.append("DROP ").append(t).append("; ");
        } else if (op < 88) {
            String to = randomName(r);
            if (!r.model.containsKey(to)) {
                r.engine.renameTable(t, to);
                r.model.put(to, r.model.remove(t));
                r.log.append("RENAME ").append(t).append(" ").append(to).append("; ");
            }
        } else if (op < 94) {
            ColumnType type = r.random.nextBoolean() ? ColumnType.LONG : ColumnType.VARCHAR;
            ColumnSpec c = new ColumnSpec("x" + r.columnSeq++, type);
            r.engine.addColumn(t, c);
            ModelTable m = r.model.get(t);
            m.columns.add(c);
            m.rows.replaceAll(row -> Arrays.copyOf(row, row.length + 1));
            r.log.append("ADD COLUMN ").append(t).append(" ").append(c.name()).append("; ");
        } else {
            ModelTable m = r.model.get(t);
            if (m.columns.size() > 2) {
                int drop = 1 + r.random.nextInt(m.columns.size() - 1);
                r.engine.dropColumn(t, m.columns.get(drop).name());
                r.log.append("DROP COLUMN ").append(t).append(" ").append(m.columns.get(drop).name()).append("; ");
                m.columns.remove(drop);
                m.rows.replaceAll(row -> {
                    List<Object> l = new ArrayList<>(Arrays.asList(row));
                    l.remove(drop);
                    return l.toArray();
                });
            }
        }
    }

    private static void create(Round r) {
        String name = randomName(r);
        if (r.model.containsKey(name)) {
            return;
        }
        List<ColumnSpec> columns = List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("q", ColumnType.LONG), new ColumnSpec("s", ColumnType.VARCHAR));
        r.engine.createTable(new TableSchema(name, columns, 0, PartitionBy.DAY), false);
        r.model.put(name, new ModelTable(columns, List.of()));
        r.log.append("CREATE ").append(name).append("; ");
    }

    private static void insert(Round r, String t) {
        ModelTable m = r.model.get(t);
        int n = 1 + r.random.nextInt(12);
        List<Object[]> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] row = new Object[m.columns.size()];
            row[0] = DAY0 + r.random.nextInt(4) * DAY + r.random.nextInt(3600) * 1_000_000L;
            for (int c = 1; c < row.length; c++) {
                if (r.random.nextInt(8) == 0) {
                    continue; // NULL
                }
                row[c] = m.columns.get(c).type() == ColumnType.LONG ? (Object) (long) r.random.nextInt(1000)
                        : "v" + r.random.nextInt(100);
            }
            batch.add(row);
        }
        RestoreTestSupport.insert(r.engine, t, batch);
        m.rows.addAll(batch);
        m.rows.sort(Comparator.comparingLong(row -> (Long) row[0])); // stable: the engine's order
        r.log.append("INSERT ").append(t).append(" ").append(n).append("; ");
    }

    /** The rows of one partition after an UPDATE (LONG columns + 1), a DELETE (q odd kept) or a DROP PARTITION. */
    private static List<Object[]> change(String what, List<ColumnSpec> columns, List<Object[]> rows) {
        List<Object[]> out = new ArrayList<>();
        for (Object[] row : rows) {
            Object[] next = row.clone();
            switch (what) {
                case "update":
                    for (int c = 1; c < next.length; c++) {
                        if (next[c] != null && columns.get(c).type() == ColumnType.LONG) {
                            next[c] = (Long) next[c] + 1;
                        }
                    }
                    out.add(next);
                    break;
                case "delete":
                    Object first = next.length > 1 ? next[1] : null;
                    if (first instanceof Long l && l % 2 == 1) {
                        out.add(next);
                    }
                    break;
                default:
                    break; // drop partition: nothing stays
            }
        }
        return out;
    }

    private static void rewriteOne(Round r, String t, String what) {
        ModelTable m = r.model.get(t);
        String partition = partitionName(r.random.nextInt(4));
        List<ColumnSpec> columns = List.copyOf(m.columns);
        RestoreTestSupport.rewrite(r.engine, t, (name, rows) -> name.equals(partition)
                ? change(what, columns, rows) : null);
        Map<Integer, List<Object[]>> byDay = new LinkedHashMap<>();
        for (Object[] row : m.rows) {
            byDay.computeIfAbsent(dayOf(row), k -> new ArrayList<>()).add(row);
        }
        List<Object[]> next = new ArrayList<>();
        for (Map.Entry<Integer, List<Object[]>> e : byDay.entrySet()) {
            next.addAll(partitionName(e.getKey()).equals(partition) ? change(what, columns, e.getValue())
                    : e.getValue());
        }
        m.rows.clear();
        m.rows.addAll(next);
        r.log.append(what.toUpperCase()).append(" ").append(t).append(" ").append(partition).append("; ");
    }

    private static void truncate(Round r, String t) {
        RestoreTestSupport.rewrite(r.engine, t, (name, rows) -> List.of());
        r.model.get(t).rows.clear();
        r.log.append("TRUNCATE ").append(t).append("; ");
    }
}
