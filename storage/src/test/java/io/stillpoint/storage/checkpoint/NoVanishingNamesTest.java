package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a copy tool (cp -a, rsync -a) of a live root needs between CHECKPOINT CREATE and RELEASE: every name it
 * listed still exists when it opens it. One thread runs DDL and writes in a loop (CREATE/DROP/RENAME TABLE,
 * ADD/DROP COLUMN, DROP PARTITION, UPDATE, SET TTL and the TTL job's drops, inserts into many partitions); another repeatedly lists the whole root
 * and checks that every name ever seen since CREATE is still there.
 */
class NoVanishingNamesTest {

    private static final long DAY = 86_400_000_000L;
    private static final long T0 = 1_798_761_600_000_000L; // 2027-01-01

    @TempDir
    Path dir;

    private static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("sym", ColumnType.VARCHAR), new ColumnSpec("qty", ColumnType.LONG)), 0,
                PartitionBy.DAY);
    }

    private static void insertDays(TableEngine e, String table, int days, long qty) {
        try (WriteTransaction tx = e.beginWrite()) {
            int columns = e.schema(table).columnCount();
            for (int d = 0; d < days; d++) {
                Object[] row = new Object[columns];
                row[0] = T0 + d * DAY + qty;
                row[1] = "s" + qty;
                row[2] = qty;
                tx.insert(table, row);
            }
            tx.commit();
        }
    }

    /** Rewrites the first partition: null = drop it (empty content), else doubles its qty column (UPDATE). */
    private static void rewriteFirst(TableEngine e, String table, boolean drop) {
        try (WriteTransaction tx = e.beginWrite()) {
            tx.rewrite(table, new PartitionRewriter() {
                boolean first = true;

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    if (!first) {
                        return null;
                    }
                    first = false;
                    if (drop) {
                        return List.of();
                    }
                    int n = e.schema(table).columnCount();
                    ColumnChunk[] chunks = new ColumnChunk[n];
                    for (int c = 0; c < n; c++) {
                        chunks[c] = p.read(c, 0, (int) p.rowCount());
                    }
                    List<Object[]> rows = new ArrayList<>();
                    for (int r = 0; r < p.rowCount(); r++) {
                        Object[] row = new Object[n];
                        for (int c = 0; c < n; c++) {
                            row[c] = chunks[c].getValue(r);
                        }
                        row[2] = row[2] == null ? null : (Long) row[2] * 2;
                        rows.add(row);
                    }
                    return rows;
                }
            });
            tx.commit();
        }
    }

    private static Set<String> names(Path root) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> names.add(root.relativize(p).toString()));
        } catch (IOException | UncheckedIOException e) {
            // A directory vanished while walking: reported by the existence check of its names below.
        }
        return names;
    }

    @Test
    void noNameVanishesBetweenCreateAndRelease() throws Exception {
        Path root = dir.resolve("root");
        // The engine clock after every row, so that the TTL job's reference is the largest timestamp and it drops.
        EngineConfig.CheckpointPolicy policy = new EngineConfig.CheckpointPolicy(Duration.ofHours(24), 0,
                Duration.ofSeconds(1), java.time.Clock.fixed(java.time.Instant.parse("2028-01-01T00:00:00Z"),
                java.time.ZoneOffset.UTC));
        try (TableEngine e = TableEngine.open(new EngineConfig(root, FileSystemFacade.real(), policy))) {
            for (int t = 0; t < 4; t++) {
                e.createTable(schema("base" + t), false);
                insertDays(e, "base" + t, 5, t);
            }
            e.checkpoints().create(Duration.ofMinutes(10));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 40 && !stop.get(); i++) {
                        String t = "t" + i;
                        e.createTable(schema(t), false);
                        insertDays(e, t, 6, i);
                        insertDays(e, "base" + (i % 4), 8, i);
                        rewriteFirst(e, t, false); // UPDATE
                        rewriteFirst(e, t, true); // DROP PARTITION
                        e.addColumn(t, new ColumnSpec("extra", ColumnType.LONG));
                        insertDays(e, t, 3, i);
                        e.dropColumn(t, "extra");
                        e.renameTable(t, t + "r");
                        e.setTtl(t + "r", new Ttl(2, Ttl.Unit.DAYS)); // SET TTL, then the TTL job's drop
                        e.runHousekeepingJobsNow();
                        if (i % 2 == 0) {
                            e.dropTable(t + "r", false);
                        }
                    }
                } catch (Throwable x) {
                    writerFailure.set(x);
                } finally {
                    stop.set(true);
                }
            }, "ddl-writer");
            Set<String> seen = new TreeSet<>();
            List<String> vanished = new ArrayList<>();
            writer.start();
            int rounds = 0;
            while (!stop.get() || rounds < 2) {
                Set<String> now = names(root);
                for (String name : seen) {
                    if (!now.contains(name) && !Files.exists(root.resolve(name))) {
                        vanished.add(name + " (listing " + rounds + ")");
                    }
                }
                seen.addAll(now);
                rounds++;
                if (vanished.size() > 20) {
                    stop.set(true);
                }
            }
            writer.join();
            if (writerFailure.get() != null) {
                throw new AssertionError("writer failed", writerFailure.get());
            }
            assertTrue(e.ttlJob().droppedPartitions() > 0, "the TTL job dropped partitions during the checkpoint");
            e.checkpoints().release();
            assertTrue(rounds > 2, "listings: " + rounds);
            assertEquals(List.of(), vanished, "names that vanished between CREATE and RELEASE");
        }
    }
}
