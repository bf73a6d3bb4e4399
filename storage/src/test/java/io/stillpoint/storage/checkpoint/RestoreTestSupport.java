package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.table.TestRows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers of the restore and hard-link tests: a schema, rows, reading tables back, copying and hashing trees. */
final class RestoreTestSupport {

    /** 2026-11-01T00:00:00Z in microseconds. */
    static final long DAY0 = 1_793_491_200_000_000L;
    static final long DAY = 86_400_000_000L;

    private RestoreTestSupport() {
    }

    /** (ts TIMESTAMP designated, qty LONG, note VARCHAR) partitioned by DAY. */
    static TableSchema schema(String name) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("qty", ColumnType.LONG), new ColumnSpec("note", ColumnType.VARCHAR)), 0,
                PartitionBy.DAY);
    }

    /** {@code count} rows of day {@code day}, qty {@code seed + i}, every third note NULL. */
    static List<Object[]> rows(int day, int count, long seed) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long ts = DAY0 + day * DAY + seed * 1_000_000L + i; // seeds below 86400 stay in the day
            rows.add(new Object[]{ts, seed + i, i % 3 == 0 ? null : "n" + (seed + i)});
        }
        return rows;
    }

    /** Every row of one partition. */
    static List<Object[]> rowsOf(PartitionSnapshot p, int columns) {
        List<Object[]> rows = new ArrayList<>();
        p.readAllRows(columns, rows);
        return rows;
    }

    /**
     * One copy-on-write commit: {@code change} gets each partition's name and rows and returns its new rows (an
     * empty list drops it) or null to leave it as it is.
     */
    static long rewrite(Engine engine, String table,
                        java.util.function.BiFunction<String, List<Object[]>, List<Object[]>> change) {
        int columns = engine.schema(table).columnCount();
        try (WriteTransaction tx = engine.beginWrite()) {
            return tx.rewrite(table, p -> change.apply(p.name(), rowsOf(p, columns)));
        }
    }

    static long insert(Engine engine, String table, List<Object[]> rows) {
        return TestRows.insert(engine, table, rows);
    }

    static List<List<Object>> readAll(Engine engine, String table) {
        try (TableSnapshot s = engine.snapshot(table)) {
            return readAll(s);
        }
    }

    static List<List<Object>> readAll(TableSnapshot s) {
        return TestRows.readAll(s, 1000);
    }

    /** Every table of an engine, by name, with its schema's column names and its rows. */
    static Map<String, List<List<Object>>> dump(Engine engine) {
        Map<String, List<List<Object>>> all = new TreeMap<>();
        for (var info : engine.tables()) {
            List<List<Object>> rows = new ArrayList<>();
            List<Object> header = new ArrayList<>();
            for (ColumnSpec c : engine.schema(info.name()).columns()) {
                header.add(c.name() + ":" + c.type());
            }
            rows.add(header);
            rows.addAll(readAll(engine, info.name()));
            all.put(info.name(), rows);
        }
        return all;
    }

    static List<List<Object>> asLists(List<Object[]> rows) {
        List<List<Object>> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(Arrays.asList(r));
        }
        return out;
    }

    /** {@code cp -al}: directories created, every regular file hard-linked. */
    static void linkTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createLink(target, p);
                }
            }
        }
    }

    /** {@code cp -a}: a plain copy of the tree. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Every file and directory under {@code root} (relative path) with the SHA-256 of a file's bytes. */
    static Map<String, String> hashTree(Path root) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                hashes.put(rel, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
            }
        }
        return hashes;
    }

    /** The bytes of every regular file under {@code root}, by relative path. */
    static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p)) {
                    all.put(root.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return all;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long size(Path root, io.stillpoint.storage.CheckpointFile f) {
        try {
            return Files.size(root.resolve(f.path()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After a restore: db/ holds only what the registry lists, each table directory only its referenced versions. */
    static void assertOnlyReferencedDirectories(io.stillpoint.storage.table.TableEngine e, Path root)
            throws IOException {
        java.util.Set<String> tableDirs = new java.util.TreeSet<>();
        for (var info : e.tables()) {
            Path tableDir = e.tableDirectory(info.name());
            tableDirs.add(tableDir.getFileName().toString());
            java.util.Set<String> expected = new java.util.TreeSet<>(e.partitionDirectories(info.name()));
            expected.add("_txn");
            org.junit.jupiter.api.Assertions.assertEquals(expected, new java.util.TreeSet<>(
                    io.stillpoint.storage.fs.FileSystemFacade.real().list(tableDir)), "entries of " + tableDir);
        }
        tableDirs.add("_tables");
        java.util.List<String> listed = io.stillpoint.storage.fs.FileSystemFacade.real().list(root.resolve("db"));
        // Exactly one registry generation, the one the pointer names (the others are purged).
        java.util.List<String> generations = listed.stream().filter(n -> n.matches("_tables\\.[0-9]+")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(1, generations.size(), "registry generations " + listed);
        tableDirs.addAll(generations);
        org.junit.jupiter.api.Assertions.assertEquals(tableDirs, new java.util.TreeSet<>(listed), "entries of db/");
    }

    /**
     * A scratch directory on a tmpfs ({@code /dev/shm}) when there is one, else {@code fallback}: tests that make
     * hundreds of small trees are dominated by file system calls. The caller deletes it.
     */
    static Path scratch(Path fallback, String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix) : fallback;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
