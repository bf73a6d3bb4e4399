package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disk usage returns to the size of the live data once the purge has run: a seeded mix of INSERT (in order and
 * out of order), UPDATE, DELETE, DROP PARTITION, TRUNCATE, DROP TABLE (and re-create) and ADD/DROP COLUMN, with
 * readers held open across some of them, leaves after the purge a root whose every data file has exactly the
 * size of the same file in a freshly written copy of the same live rows (one commit per table in a new root),
 * and nothing else but metadata ({@code _txn}, the registry, the lock file). Measured on the real directory tree,
 * by summing file sizes.
 */
class PurgeDiskUsageTest {

    private static final long DAY = 86_400_000_000L;
    private static final long START = micros("2026-11-01T00:00:00Z");
    private static final List<String> NAMES = List.of("a", "b", "c");

    @TempDir
    Path root;
    @TempDir
    Path freshRoot;

    private static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("name", ColumnType.VARCHAR), new ColumnSpec("v", ColumnType.LONG),
                new ColumnSpec("x", ColumnType.DOUBLE)), 0, PartitionBy.DAY);
    }

    /** A row of the table's current schema: ts, then a value (or NULL) per further column by type. */
    private static Object[] row(TableSchema schema, long ts, SplittableRandom random) {
        Object[] r = new Object[schema.columnCount()];
        r[0] = ts;
        for (int c = 1; c < r.length; c++) {
            if (random.nextInt(8) == 0) {
                continue; // NULL
            }
            r[c] = switch (schema.columns().get(c).type()) {
                case VARCHAR -> "s" + random.nextInt(100_000);
                case LONG -> random.nextLong(1_000_000);
                case DOUBLE -> random.nextInt(1_000_000) * 0.25;
                default -> throw new IllegalStateException("type not generated [type="
                        + schema.columns().get(c).type() + "]");
            };
        }
        return r;
    }

    private static long rewrite(TableEngine engine, String table, SplittableRandom random, int kind) {
        String victim;
        try (TableSnapshot s = engine.snapshot(table)) {
            if (s.partitions().isEmpty()) {
                return -1;
            }
            victim = s.partitions().get(random.nextInt(s.partitions().size())).name();
        }
        int columns = engine.schema(table).columnCount();
        try (WriteTransaction tx = engine.beginWrite()) {
            return tx.rewrite(table, new PartitionRewriter() {
                @Override
                public boolean mayTouch(PartitionSnapshot p) {
                    return kind == 3 || p.name().equals(victim); // kind 3: TRUNCATE touches every partition
                }

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    List<Object[]> out = new ArrayList<>();
                    for (Object[] r : RewriteTest.rowsOf(p, columns)) {
                        switch (kind) {
                            case 0 -> { // UPDATE v = v + 1
                                for (int c = 1; c < columns; c++) {
                                    if (r[c] instanceof Long l) {
                                        r[c] = l + 1;
                                    }
                                }
                                out.add(r);
                            }
                            case 1 -> { // DELETE about a third
                                if (Math.floorMod(((Long) r[0]) / 1_000_000L, 3) != 0) {
                                    out.add(r);
                                }
                            }
                            default -> { // 2: DROP PARTITION, 3: TRUNCATE
                            }
                        }
                    }
                    return out;
                }
            });
        }
    }

    private static void insert(TableEngine engine, String table, SplittableRandom random) {
        TableSchema schema = engine.schema(table);
        int n = 1 + random.nextInt(300);
        // Mostly the newest days; sometimes an older day, which makes an out-of-order merge.
        int day = random.nextInt(4) == 0 ? random.nextInt(6) : 4 + random.nextInt(3);
        long first = START + day * DAY + random.nextLong(DAY / 2);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(row(schema, first + i * 1_000_000L, random));
        }
        TestRows.insert(engine, table, rows);
    }

    @Test
    void diskUsageAfterPurgeEqualsAFreshCopyOfTheLiveRows() {
        SplittableRandom random = new SplittableRandom(20261122);
        long peakBytes = 0;
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            for (String name : NAMES) {
                engine.createTable(schema(name), false);
            }
            Deque<TableSnapshot> readers = new ArrayDeque<>();
            for (int op = 0; op < 600; op++) {
                String table = NAMES.get(random.nextInt(NAMES.size()));
                int dice = random.nextInt(100);
                if (dice < 40) {
                    insert(engine, table, random);
                } else if (dice < 55) {
                    rewrite(engine, table, random, 0);
                } else if (dice < 68) {
                    rewrite(engine, table, random, 1);
                } else if (dice < 76) {
                    rewrite(engine, table, random, 2);
                } else if (dice < 79) {
                    rewrite(engine, table, random, 3);
                } else if (dice < 83) {
                    engine.dropTable(table, false);
                    engine.createTable(schema(table), false);
                } else if (dice < 86) {
                    TableSchema s = engine.schema(table);
                    if (s.columnCount() < 6) {
                        engine.addColumn(table, new ColumnSpec("extra" + op, ColumnType.LONG));
                    } else {
                        engine.dropColumn(table, s.columns().get(s.columnCount() - 1).name());
                    }
                } else if (dice < 94) {
                    readers.add(engine.snapshot(table)); // a reader held across the next operations
                } else if (!readers.isEmpty()) {
                    readers.poll().close();
                }
                peakBytes = Math.max(peakBytes, DiskFiles.totalBytes(root));
            }
            readers.forEach(TableSnapshot::close);
            for (int i = 0; i < 500 && engine.housekeeping().pendingCount() > 0; i++) {
                engine.housekeeping().runOnce();
            }
            assertEquals(0, engine.housekeeping().pendingCount(), "purge queue drained");

            Map<String, Long> live = liveDataFiles(engine, root);
            Map<String, Long> onDisk = DiskFiles.sizes(root);
            // Nothing on disk but the live states' data files and metadata: no leftover version or table.
            Map<String, Long> unexplained = new TreeMap<>(onDisk);
            unexplained.keySet().removeAll(live.keySet());
            unexplained.keySet().removeIf(p -> DiskFiles.isMetadata(Path.of(p)));
            assertEquals(Map.of(), unexplained, "files left after the purge that no live state references");

            // The same live rows, written once into a fresh root.
            try (TableEngine fresh = TableEngine.open(EngineConfig.of(freshRoot))) {
                for (TableInfo t : engine.tables()) {
                    fresh.createTable(engine.schema(t.name()), false);
                    List<Object[]> rows = new ArrayList<>();
                    for (List<Object> r : TestRows.readAll(engine, t.name())) {
                        rows.add(r.toArray());
                    }
                    if (!rows.isEmpty()) {
                        TestRows.insert(fresh, t.name(), rows);
                    }
                    assertEquals(TestRows.readAll(engine, t.name()), TestRows.readAll(fresh, t.name()));
                }
                Map<String, Long> freshLive = liveDataFiles(fresh, freshRoot);
                assertEquals(byLogicalName(engine, live), byLogicalName(fresh, freshLive),
                        "every live data file has the size of the same file written fresh");
                long dataBytes = sum(live);
                long freshDataBytes = sum(freshLive);
                assertEquals(freshDataBytes, dataBytes);
                long metadataBytes = DiskFiles.totalBytes(root) - dataBytes;
                long freshMetadataBytes = DiskFiles.totalBytes(freshRoot) - freshDataBytes;
                // Metadata: one _txn per table (a ring of slots of about RING_BYTES once small appends were
                // deferred, plus the smaller slot areas it outgrew: the file never shrinks) and the registry.
                assertTrue(metadataBytes <= (2L * TxnFile.RING_BYTES + 16_384L) * (NAMES.size() + 1),
                        "metadata bytes [metadata="
                        + metadataBytes + ", fresh=" + freshMetadataBytes + "]");
                assertTrue(peakBytes > DiskFiles.totalBytes(root), "the workload did supersede data [peak="
                        + peakBytes + ", after=" + DiskFiles.totalBytes(root) + "]");
                System.out.printf("disk usage after purge [peak=%d, total=%d, data=%d, freshTotal=%d, metadata=%d,"
                                + " freshMetadata=%d]%n", peakBytes, DiskFiles.totalBytes(root), dataBytes,
                        DiskFiles.totalBytes(freshRoot), metadataBytes, freshMetadataBytes);
            }
        }
        // Reopening finds nothing more to purge and changes no size.
        Map<String, Long> closed = DiskFiles.sizes(root);
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(0, engine.housekeeping().pendingCount());
            Map<String, Long> reopened = DiskFiles.sizes(root);
            reopened.keySet().removeIf(p -> DiskFiles.isMetadata(Path.of(p)));
            closed.keySet().removeIf(p -> DiskFiles.isMetadata(Path.of(p)));
            assertEquals(closed, reopened);
        }
    }

    /** Every data file of every live table's latest state, path relative to {@code root}, to its size. */
    private static Map<String, Long> liveDataFiles(TableEngine engine, Path root) {
        Map<String, Long> files = new TreeMap<>();
        for (TableInfo t : engine.tables()) {
            Path dir = engine.tableDirectory(t.name());
            for (String version : engine.partitionDirectories(t.name())) {
                DiskFiles.sizes(dir.resolve(version)).forEach((name, size) ->
                        files.put(root.relativize(dir.resolve(version).resolve(name)).toString(), size));
            }
        }
        return files;
    }

    /** Re-keys {@code table~id/partition.txn/file} as {@code table/partition/file}, comparable across roots. */
    private static Map<String, Long> byLogicalName(TableEngine engine, Map<String, Long> files) {
        Map<String, String> tableByDir = new TreeMap<>();
        for (TableInfo t : engine.tables()) {
            tableByDir.put(engine.tableDirectory(t.name()).getFileName().toString(), t.name());
        }
        Map<String, Long> logical = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        files.forEach((path, size) -> {
            Path p = Path.of(path);
            int n = p.getNameCount();
            String table = tableByDir.get(p.getName(n - 3).toString());
            String version = p.getName(n - 2).toString();
            String partition = version.substring(0, version.lastIndexOf('.'));
            String key = table + "/" + partition + "/" + p.getName(n - 1);
            assertTrue(seen.add(key), "two versions of one partition are live [key=" + key + "]");
            logical.put(key, size);
        });
        return logical;
    }

    private static long sum(Map<String, Long> files) {
        return files.values().stream().mapToLong(Long::longValue).sum();
    }
}
