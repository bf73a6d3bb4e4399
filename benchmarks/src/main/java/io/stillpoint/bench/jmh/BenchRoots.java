package io.stillpoint.bench.jmh;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.table.TableEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the storage benchmarks share: the (TIMESTAMP, LONG, DOUBLE) table partitioned by DAY, loading rows into
 * it in large commits, and a temporary root that is deleted afterwards. Roots go under {@code STILLPOINT_BENCH_DIR}
 * (a system property or environment variable) or the JVM's temporary directory; use a real disk, not tmpfs, or
 * the fsyncs cost nothing.
 */
final class BenchRoots {

    static final long DAY_MICROS = 86_400_000_000L;
    /** 2026-11-01T00:00:00Z in microseconds. */
    static final long FIRST_DAY = 1_793_491_200_000_000L;
    private static final int LOAD_COMMIT_ROWS = 200_000;

    private BenchRoots() {
    }

    static Path create(String prefix) throws IOException {
        String parent = System.getProperty("STILLPOINT_BENCH_DIR", System.getenv("STILLPOINT_BENCH_DIR"));
        return parent == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(parent), prefix);
    }

    static void delete(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TableSchema trades(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("qty", ColumnType.LONG), new ColumnSpec("price", ColumnType.DOUBLE)), 0,
                PartitionBy.DAY);
    }

    /**
     * Appends {@code rows} rows spread evenly over {@code days} consecutive days starting {@code firstDay} days
     * after {@link #FIRST_DAY}, in commits of at most 200,000 rows, in timestamp order (so every commit appends).
     */
    static void load(TableEngine engine, String table, int firstDay, int days, long rows) {
        long perDay = Math.max(1, rows / days);
        long step = Math.max(1, DAY_MICROS / (perDay + 1));
        Object[] row = new Object[3];
        long done = 0;
        WriteTransaction tx = engine.beginWrite();
        try {
            for (int d = 0; d < days && done < rows; d++) {
                long dayStart = FIRST_DAY + (long) (firstDay + d) * DAY_MICROS;
                long inDay = d == days - 1 ? rows - done : Math.min(perDay, rows - done);
                for (long i = 0; i < inDay; i++) {
                    row[0] = dayStart + i * step;
                    row[1] = done;
                    row[2] = done * 0.5;
                    tx.insert(table, row);
                    done++;
                    if (tx.pendingRows() >= LOAD_COMMIT_ROWS) {
                        tx.commit();
                        tx.close();
                        tx = engine.beginWrite();
                    }
                }
            }
            tx.commit();
        } finally {
            tx.close();
        }
    }
}
