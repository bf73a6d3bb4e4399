package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.CheckpointStatus;
import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.fs.CrashSimulatingFileSystem;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power loss at every mutating call of CHECKPOINT CREATE and RELEASE (with and without losing what was not
 * fsynced): the next open finds either no checkpoint or a complete one in checkpoint mode, never a half one; an
 * acknowledged CREATE is always still active, an acknowledged RELEASE never; the tables are intact either way.
 */
class CheckpointCrashTest {

    private static final long DAY = 86_400_000_000L;
    private static final long T0 = Instant.parse("2026-11-20T00:00:00Z").getEpochSecond() * 1_000_000L;

    @TempDir
    Path dir;

    private final EngineConfig.CheckpointPolicy policy = new EngineConfig.CheckpointPolicy(Duration.ofHours(24), 0,
            Duration.ofHours(1), Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));

    private static List<String> tables() {
        return List.of("a", "b");
    }

    private void populate(Path root) {
        try (TableEngine e = TableEngine.open(new EngineConfig(root, FileSystemFacade.real(), policy))) {
            for (String t : tables()) {
                e.createTable(new TableSchema(t, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                        new ColumnSpec("v", ColumnType.VARCHAR)), 0, PartitionBy.DAY), false);
                try (WriteTransaction tx = e.beginWrite()) {
                    for (int i = 0; i < 4; i++) {
                        tx.insert(t, new Object[]{T0 + i * DAY / 2, i == 1 ? null : t + i});
                    }
                    tx.commit();
                }
            }
        }
    }

    private static Map<String, List<List<Object>>> contents(TableEngine e) {
        Map<String, List<List<Object>>> all = new TreeMap<>();
        for (String t : tables()) {
            List<List<Object>> rows = new ArrayList<>();
            try (TableSnapshot s = e.snapshot(t)) {
                for (PartitionSnapshot p : s.partitions()) {
                    ColumnChunk ts = p.read(0, 0, (int) p.rowCount());
                    ColumnChunk v = p.read(1, 0, (int) p.rowCount());
                    for (int r = 0; r < p.rowCount(); r++) {
                        List<Object> row = new ArrayList<>();
                        row.add(ts.getValue(r));
                        row.add(v.getValue(r));
                        rows.add(row);
                    }
                }
            }
            all.put(t, rows);
        }
        return all;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Runs CREATE (or RELEASE) until the simulated crash; returns whether it was acknowledged. */
    private boolean run(Path root, CrashSimulatingFileSystem fs, boolean release, long[] opsAtOpen) {
        TableEngine e = TableEngine.open(new EngineConfig(root, fs, policy));
        if (opsAtOpen != null) {
            opsAtOpen[0] = fs.operations();
        }
        try {
            if (release) {
                e.checkpoints().release();
            } else {
                e.checkpoints().create(null);
            }
            return true;
        } catch (StorageException ex) {
            assertTrue(fs.crashed(), "only the simulated crash may fail: " + ex.getMessage());
            return false;
        } finally {
            e.close(); // waits for the release's background deletion, whose calls count too
        }
    }

    /** For the release runs: a checkpoint taken in this root (a copied one would be refused as a copy). */
    private void prepare(Path root, boolean release) {
        if (release) {
            try (TableEngine e = TableEngine.open(new EngineConfig(root, FileSystemFacade.real(), policy))) {
                e.checkpoints().create(null);
            }
        }
    }

    @Test
    void crashAtEveryStepOfCreate() throws IOException {
        crashAtEveryStep(false);
    }

    @Test
    void crashAtEveryStepOfRelease() throws IOException {
        crashAtEveryStep(true);
    }

    private void crashAtEveryStep(boolean release) throws IOException {
        Path pristine = dir.resolve("pristine");
        populate(pristine);
        Map<String, List<List<Object>>> expected;
        List<CheckpointFile> expectedManifest;
        try (TableEngine e = TableEngine.open(new EngineConfig(pristine, FileSystemFacade.real(), policy))) {
            expected = contents(e);
            expectedManifest = CheckpointDirectory.manifestOf(e.cut().tables());
        }
        // Count the mutating calls of open and of the operation.
        Path counting = dir.resolve("count");
        copyTree(pristine, counting);
        prepare(counting, release);
        CrashSimulatingFileSystem counter = new CrashSimulatingFileSystem(Long.MAX_VALUE,
                Files.createDirectory(dir.resolve("count-backups")));
        long[] atOpen = new long[1];
        assertTrue(run(counting, counter, release, atOpen));
        long total = counter.operations();
        assertTrue(total - atOpen[0] > (release ? 1 : 10), "too few calls: " + (total - atOpen[0]));

        int inCheckpointMode = 0;
        int without = 0;
        // n = total + 1: no crash at all, but the power still goes before anything else is fsynced.
        for (long n = atOpen[0] + 1; n <= total + 1; n++) {
            for (boolean loseUnsynced : new boolean[]{true, false}) {
                String name = "r" + n + (loseUnsynced ? "-lost" : "-kept");
                Path root = dir.resolve(name);
                copyTree(pristine, root);
                prepare(root, release);
                CrashSimulatingFileSystem fs = new CrashSimulatingFileSystem(n,
                        Files.createDirectory(dir.resolve(name + "-backups")));
                boolean acknowledged = run(root, fs, release, null);
                if (loseUnsynced) {
                    fs.loseUnsyncedState();
                }
                String where = "[crashAt=" + n + ", lost=" + loseUnsynced + ", acknowledged=" + acknowledged + "]";
                try (TableEngine e = TableEngine.open(new EngineConfig(root,
                        new CrashSimulatingFileSystem(Long.MAX_VALUE, Files.createDirectory(dir.resolve(name
                                + "-reopen"))), policy))) {
                    CheckpointStatus s = e.checkpoints().status();
                    if (acknowledged) {
                        assertEquals(!release, s.inProgress(), "acknowledged " + (release ? "release" : "create")
                                + " undone " + where);
                    }
                    assertFalse(Files.exists(root.resolve(CheckpointDirectory.TEMP_DIR)), where);
                    assertFalse(Files.exists(root.resolve(CheckpointDirectory.RELEASED_DIR)), where);
                    if (s.inProgress()) {
                        inCheckpointMode++;
                        assertTrue(e.housekeeping().isPaused(), where);
                        assertEquals(expectedManifest, e.checkpoints().files(), where);
                        assertEquals(expectedManifest, CheckpointDirectory.read(FileSystemFacade.real(), root)
                                .manifest(), where);
                        assertEquals(tables().size(), s.tables(), where);
                        e.checkpoints().release();
                    } else {
                        without++;
                        assertFalse(Files.exists(root.resolve(CheckpointDirectory.DIR)), where);
                        assertFalse(e.housekeeping().isPaused(), where);
                    }
                    assertEquals(expected, contents(e), where);
                    e.checkpoints().create(null); // and checkpoints work again
                    e.checkpoints().release();
                }
            }
        }
        assertTrue(inCheckpointMode > 0 && without > 0, inCheckpointMode + " / " + without);
    }
}
