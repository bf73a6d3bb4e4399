package io.stillpoint.bench.restore;

import io.stillpoint.storage.ColumnChunk;
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
import io.stillpoint.storage.table.TableEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Times the restore of a checkpoint copy (issue 4, speed criterion: "restore of a 100-table copy: time dominated by
 * metadata, under 1 second for 10 GB of data"). It loads N tables of (TIMESTAMP, LONG, DOUBLE) partitioned by DAY
 * through the engine's write transactions, takes {@code CHECKPOINT CREATE}, keeps writing after it (appends to every
 * table, so there are bytes past the committed lengths to cut, a few copy-on-write UPDATEs, a DROP TABLE and a
 * CREATE TABLE), copies the root with {@code cp -a} and {@code cp -al} while the engine is open, releases, closes,
 * and then, for each copy: drops the page cache (when root), touches {@code _restore} and times
 * {@code TableEngine.open} on the copy (validation, cut and open), then checks that every table's row count and
 * one table's updated partition equal the state at CREATE. Prints size, file count and each time, and the median.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.stillpoint.bench.restore.RestoreTiming --help}.
 */
public final class RestoreTiming {

    private static final long DAY_MICROS = 86_400_000_000L;
    /** 2026-11-01T00:00:00Z in microseconds. */
    private static final long FIRST_DAY = 1_793_491_200_000_000L;
    private static final int BYTES_PER_ROW = 24; // TIMESTAMP + LONG + DOUBLE, 8 bytes each, no nulls
    private static final int COMMIT_ROWS = 1_000_000;
    private static final int AFTER_ROWS = 20_000;

    private int tables = 100;
    private long totalBytes = 10L << 30;
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private int days = 10;
    private int runs = 3;
    private int threads = 2;
    private boolean keep;

    private RestoreTiming() {
    }

    public static void main(String[] args) throws Exception {
        RestoreTiming t = new RestoreTiming();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    System.out.println("""
                            RestoreTiming: time TableEngine.open on checkpoint copies (cp -a and cp -al) of N tables.
                            Options:
                              --tables N       tables to create (default 100)
                              --bytes SIZE     column data to write before CREATE, e.g. 10g, 2g, 500m (default 10g)
                              --days N         DAY partitions per table (default 10)
                              --runs N         timed restores per copy kind, median reported (default 3)
                              --threads N      loader threads (default 2)
                              --work-dir DIR   parent of the run directory; use a real disk, not tmpfs (default tmp)
                              --keep           keep the run directory
                            Needs about (1 + runs) x bytes free on the work dir's file system.""");
                    return;
                }
                case "--tables" -> t.tables = Integer.parseInt(args[++i]);
                case "--bytes" -> t.totalBytes = parseSize(args[++i]);
                case "--days" -> t.days = Integer.parseInt(args[++i]);
                case "--runs" -> t.runs = Integer.parseInt(args[++i]);
                case "--threads" -> t.threads = Integer.parseInt(args[++i]);
                case "--work-dir" -> t.workDir = Path.of(args[++i]);
                case "--keep" -> t.keep = true;
                default -> throw new IllegalArgumentException("unknown option [option=" + a + "], see --help");
            }
        }
        t.run();
    }

    static long parseSize(String s) {
        String v = s.trim().toLowerCase();
        long mult = 1;
        char last = v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        return (long) (Double.parseDouble(v) * mult);
    }

    private void run() throws Exception {
        Files.createDirectories(workDir);
        Path runDir = Files.createTempDirectory(workDir, "restore-timing");
        Path root = runDir.resolve("root");
        Files.createDirectories(root);
        long rowsPerTable = Math.max(days, totalBytes / BYTES_PER_ROW / tables);
        System.out.printf("run dir %s, %d tables x %,d rows (%d days), target %,d bytes%n", runDir, tables,
                rowsPerTable, days, totalBytes);
        Map<String, Long> countsAtCreate;
        double updatedSumAtCreate;
        List<Path> fullCopies = new ArrayList<>();
        List<Path> linkCopies = new ArrayList<>();
        try {
            TableEngine engine = TableEngine.open(EngineConfig.of(root));
            try {
                long t0 = System.nanoTime();
                load(engine, rowsPerTable);
                double loadSec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("loaded in %.1f s (%.0f MB/s of column data)%n", loadSec,
                        tables * rowsPerTable * (double) BYTES_PER_ROW / 1e6 / loadSec);

                long c0 = System.nanoTime();
                engine.checkpoints().create(null);
                System.out.printf("CHECKPOINT CREATE %.1f ms%n", (System.nanoTime() - c0) / 1e6);
                countsAtCreate = counts(engine);
                updatedSumAtCreate = lastPartitionQtySum(engine, name(0));

                afterCreate(engine, rowsPerTable);
                for (int r = 0; r < runs; r++) {
                    fullCopies.add(copy(root, runDir.resolve("copy-a-" + r), "-a"));
                    linkCopies.add(copy(root, runDir.resolve("copy-al-" + r), "-al"));
                }
                engine.checkpoints().release();
            } finally {
                engine.close();
            }
            long[] sizeAndFiles = sizeAndFiles(fullCopies.get(0));
            System.out.printf("copy: %,d bytes (%.2f GiB) in %,d files%n", sizeAndFiles[0],
                    sizeAndFiles[0] / (double) (1L << 30), sizeAndFiles[1]);
            double[] full = timeRestores("cp -a", fullCopies, countsAtCreate, updatedSumAtCreate);
            double[] link = timeRestores("cp -al", linkCopies, countsAtCreate, updatedSumAtCreate);
            System.out.printf("RESULT tables=%d bytes=%,d files=%,d restore_ms cp-a median=%.1f %s; cp-al median=%.1f"
                            + " %s; page cache dropped=%s%n", tables, sizeAndFiles[0], sizeAndFiles[1], median(full),
                    Arrays.toString(full), median(link), Arrays.toString(link), canDropCaches());
        } finally {
            if (!keep) {
                delete(runDir);
            }
        }
    }

    static String name(int i) {
        return String.format("t%03d", i);
    }

    private static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("qty", ColumnType.LONG), new ColumnSpec("price", ColumnType.DOUBLE)), 0,
                PartitionBy.DAY);
    }

    private void load(TableEngine engine, long rowsPerTable) throws Exception {
        for (int i = 0; i < tables; i++) {
            engine.createTable(schema(name(i)), false);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < tables; i = next.getAndIncrement()) {
                        append(engine, name(i), 0, rowsPerTable, 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Appends {@code rows} rows in timestamp order spread over {@link #days} days, the first at offset
     * {@code firstOffsetMicros} of each day's slot grid, in commits of {@link #COMMIT_ROWS} rows.
     */
    private void append(TableEngine engine, String table, long seqStart, long rows, long firstOffsetMicros) {
        long perDay = (rows + days - 1) / days;
        long step = Math.max(2, DAY_MICROS / 2 / Math.max(1, perDay)); // first half of each day; leaves room after
        Object[] row = new Object[3];
        WriteTransaction tx = engine.beginWrite();
        try {
            for (long n = 0; n < rows; n++) {
                long day = n / perDay;
                row[0] = FIRST_DAY + day * DAY_MICROS + firstOffsetMicros + (n % perDay) * step;
                row[1] = seqStart + n;
                row[2] = (seqStart + n) * 0.5;
                tx.insert(table, row);
                if (tx.pendingRows() >= COMMIT_ROWS) {
                    tx.commit();
                    tx.close();
                    tx = engine.beginWrite();
                }
            }
            tx.commit();
        } finally {
            tx.close();
        }
    }

    /** The writes after CREATE that a restore must cut away or ignore. */
    private void afterCreate(TableEngine engine, long rowsPerTable) {
        long t0 = System.nanoTime();
        long lastDayStart = FIRST_DAY + (long) (days - 1) * DAY_MICROS;
        Object[] row = new Object[3];
        for (int i = 0; i < tables; i++) {
            // Into the second half of the last day: appends to that partition's files, past their committed length.
            try (WriteTransaction tx = engine.beginWrite()) {
                for (int n = 0; n < AFTER_ROWS; n++) {
                    row[0] = lastDayStart + DAY_MICROS / 2 + n;
                    row[1] = rowsPerTable + n;
                    row[2] = 1.0;
                    tx.insert(name(i), row);
                }
                tx.commit();
            }
        }
        for (int i = 0; i < Math.min(3, tables); i++) {
            try (WriteTransaction tx = engine.beginWrite()) {
                tx.rewrite(name(i), new PartitionRewriter() {
                    @Override
                    public boolean mayTouch(PartitionSnapshot p) { // day 0 only
                        return p.minTimestamp() < FIRST_DAY + DAY_MICROS;
                    }

                    @Override
                    public List<Object[]> rewrite(PartitionSnapshot p) {
                        int n = (int) p.rowCount();
                        ColumnChunk ts = p.read(0, 0, n);
                        ColumnChunk qty = p.read(1, 0, n);
                        ColumnChunk price = p.read(2, 0, n);
                        List<Object[]> rows = new ArrayList<>(n);
                        for (int k = 0; k < n; k++) {
                            rows.add(new Object[]{ts.getLong(k), qty.getLong(k) + 1_000_000_000L, price.getDouble(k)});
                        }
                        return rows;
                    }
                });
            }
        }
        // Also rewrite the last day of t000, the partition whose qty sum is checked after restore.
        try (WriteTransaction tx = engine.beginWrite()) {
            tx.rewrite(name(0), new PartitionRewriter() {
                @Override
                public boolean mayTouch(PartitionSnapshot p) {
                    return p.maxTimestamp() >= lastDayStart;
                }

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    int n = (int) p.rowCount();
                    ColumnChunk ts = p.read(0, 0, n);
                    ColumnChunk qty = p.read(1, 0, n);
                    ColumnChunk price = p.read(2, 0, n);
                    List<Object[]> rows = new ArrayList<>(n);
                    for (int k = 0; k < n; k++) {
                        rows.add(new Object[]{ts.getLong(k), -qty.getLong(k), price.getDouble(k)});
                    }
                    return rows;
                }
            });
        }
        engine.dropTable(name(tables - 1), false);
        engine.createTable(schema("created_after"), false);
        append(engine, "created_after", 0, 10_000, 0);
        System.out.printf("after CREATE: %,d rows appended to each table, 4 partition rewrites, DROP %s, CREATE "
                + "created_after, in %.1f s%n", AFTER_ROWS, name(tables - 1), (System.nanoTime() - t0) / 1e9);
    }

    private static Map<String, Long> counts(TableEngine engine) {
        Map<String, Long> counts = new TreeMap<>();
        for (TableInfo info : engine.tables()) {
            counts.put(info.name(), info.rowCount());
        }
        return counts;
    }

    private static double lastPartitionQtySum(TableEngine engine, String table) {
        try (TableSnapshot s = engine.snapshot(table)) {
            List<PartitionSnapshot> parts = s.partitions();
            PartitionSnapshot p = parts.get(parts.size() - 1);
            int n = (int) p.rowCount();
            ColumnChunk qty = p.read(1, 0, n);
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += qty.getLong(k);
            }
            return sum;
        }
    }

    private static Path copy(Path root, Path target, String flags) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("cp", flags, root.toString(), target.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("copy failed [flags=" + flags + ", exit=" + p.exitValue() + "]");
        }
        System.out.printf("cp %s took %.1f s%n", flags, (System.nanoTime() - t0) / 1e9);
        return target;
    }

    private double[] timeRestores(String kind, List<Path> copies, Map<String, Long> expected, double expectedSum)
            throws IOException, InterruptedException {
        double[] ms = new double[copies.size()];
        for (int r = 0; r < copies.size(); r++) {
            Path copy = copies.get(r);
            boolean dropped = dropCaches();
            Files.createFile(copy.resolve("_restore"));
            long t0 = System.nanoTime();
            TableEngine restored = TableEngine.open(EngineConfig.of(copy));
            ms[r] = (System.nanoTime() - t0) / 1e6;
            try {
                Map<String, Long> got = counts(restored);
                if (!got.equals(expected)) {
                    throw new IllegalStateException("restored row counts differ from CREATE [copy=" + copy
                            + ", expected=" + expected + ", got=" + got + "]");
                }
                double sum = lastPartitionQtySum(restored, name(0));
                if (sum != expectedSum) {
                    throw new IllegalStateException("restored partition differs from CREATE [copy=" + copy
                            + ", expectedQtySum=" + expectedSum + ", got=" + sum + "]");
                }
                if (Files.exists(copy.resolve("_restore"))) {
                    throw new IllegalStateException("restore trigger still present after open [copy=" + copy + "]");
                }
            } finally {
                restored.close();
            }
            System.out.printf("%s restore %d: %.1f ms (page cache dropped: %s), %d tables verified%n", kind, r + 1,
                    ms[r], dropped, expected.size());
            delete(copy); // frees the space before the next one is timed
        }
        return ms;
    }

    private static boolean canDropCaches() {
        return Files.isWritable(Path.of("/proc/sys/vm/drop_caches"));
    }

    private static boolean dropCaches() throws IOException, InterruptedException {
        if (!canDropCaches()) {
            return false;
        }
        Process p = new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches").inheritIO().start();
        return p.waitFor() == 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long[] sizeAndFiles(Path dir) throws IOException {
        long[] r = new long[2];
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    r[0] += Files.size(f);
                    r[1]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return r;
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
