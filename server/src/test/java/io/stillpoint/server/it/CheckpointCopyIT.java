package io.stillpoint.server.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The user's story with the real jar, separate psql invocations and real copy tools: CHECKPOINT CREATE, a copy of
 * the root while writers keep inserting, updating, deleting, dropping partitions and tables and creating new ones,
 * CHECKPOINT RELEASE, then {@code touch copy/_restore} and a server on the copy, which must hold exactly the state
 * committed at the instant of CREATE. And a {@code cp -al} copy (hard links shared with the original) restored and
 * written to, the original written to afterwards: each holds exactly its own data.
 */
class CheckpointCopyIT {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cp -a", "cp -al", "rsync -a"})
    void aCopyTakenWhileWritersRunRestoresToTheInstantOfCreate(String tool) throws Exception {
        PsqlIT.requirePsql();
        if (tool.startsWith("rsync")) {
            requireTool("rsync", "--version");
        }
        Path root = tmp.resolve("root");
        Path copy = tmp.resolve("copy");
        List<CheckpointWorkload> writers = new ArrayList<>();
        Map<String, long[]> window = new LinkedHashMap<>();
        List<Thread> threads = new ArrayList<>();
        long[] createMillis = new long[1];

        try (ServerProcess server = ServerProcess.start(root)) {
            writers.add(new CheckpointWorkload.Inserts("ins_1", server));
            writers.add(new CheckpointWorkload.Inserts("ins_2", server));
            writers.add(new CheckpointWorkload.Pair(server));
            writers.add(new CheckpointWorkload.Updates(server));
            writers.add(new CheckpointWorkload.Deletes(server));
            writers.add(new CheckpointWorkload.DropPartitions(server));
            writers.add(new CheckpointWorkload.TableChurn(server));
            try (Connection c = server.connect()) {
                for (CheckpointWorkload w : writers) {
                    w.setup(c);
                }
            }
            try {
                for (CheckpointWorkload w : writers) {
                    Thread t = new Thread(w, "writer-" + w.name);
                    threads.add(t);
                    t.start();
                }
                awaitProgress(writers, w -> 5);

                // The cut must lie between what was acknowledged before CREATE was sent and what was sent after it
                // returned.
                Map<String, Long> before = new TreeMap<>();
                writers.forEach(w -> before.put(w.name, w.acked.get()));
                long sent = System.nanoTime();
                CheckpointTools.Exited create = CheckpointTools.psql(server, "CHECKPOINT CREATE");
                writers.forEach(w -> window.put(w.name, new long[] {before.get(w.name), w.sending.get()}));
                createMillis[0] = (System.nanoTime() - sent) / 1_000_000;
                assertEquals(0, create.code(), "psql CHECKPOINT CREATE failed:\n" + create.output());
                assertFalse(create.output().contains("ERROR"), create.output());

                List<CheckpointTools.ManifestFile> manifest;
                try (Connection c = server.connect()) {
                    manifest = CheckpointTools.manifest(c);
                }
                assertFalse(manifest.isEmpty(), "checkpoint_files() is empty");

                // Writers keep going during the copy, so the copy holds commits after the cut that restore removes.
                awaitProgress(writers, w -> window.get(w.name)[1] + 3);
                CheckpointTools.Exited copied = CheckpointTools.copy(tool, root, copy);
                assertEquals(0, copied.code(), tool + " failed (did a file vanish?):\n" + copied.output());
                assertEquals("", copied.output(), tool + " complained");
                for (CheckpointTools.ManifestFile f : manifest) {
                    Path file = copy.resolve(f.path());
                    assertTrue(Files.isRegularFile(file) && Files.size(file) >= f.committedLength(),
                            "the copy lacks a checkpointed file or bytes of it: " + f);
                }
                awaitProgress(writers, w -> w.acked.get() + 3);

                CheckpointTools.Exited release = CheckpointTools.psql(server, "CHECKPOINT RELEASE");
                assertEquals(0, release.code(), "psql CHECKPOINT RELEASE failed:\n" + release.output());
                assertFalse(release.output().contains("ERROR"), release.output());
                awaitProgress(writers, w -> w.acked.get() + 2);
            } finally {
                writers.forEach(CheckpointWorkload::stop);
                for (Thread t : threads) {
                    t.join(60_000);
                }
            }
            for (CheckpointWorkload w : writers) {
                if (w.failure != null) {
                    throw new AssertionError("writer " + w.name + " failed", w.failure);
                }
            }
            CheckpointTools.Status status = CheckpointTools.status(server);
            assertFalse(status.inProgress(), "released: " + status);
            assertEquals("released", status.lastReleaseReason(), status.toString());
            assertEquals(List.of(), CheckpointTools.problems(server.log()), "the server logged a problem:\n" + server.log());
            assertEquals(0, server.stop(), server.log());
        }

        assertTrue(Files.isDirectory(copy.resolve(".checkpoint")), "the copy holds no .checkpoint");
        Files.createFile(copy.resolve("_restore"));
        try (ServerProcess restored = ServerProcess.start(copy); Connection c = restored.connect()) {
            assertFalse(Files.exists(copy.resolve("_restore")), "_restore is still there after the restore");
            assertFalse(Files.exists(copy.resolve(".checkpoint")), ".checkpoint is still there after the restore");
            StringBuilder report = new StringBuilder();
            TreeSet<String> expectedTables = new TreeSet<>();
            for (CheckpointWorkload w : writers) {
                Map<String, List<String>> state = w.state(c);
                long[] win = window.get(w.name);
                long k = matchingK(w, state, win[0], win[1]);
                report.append(w.name).append(": k=").append(k).append(" in [").append(win[0]).append(", ")
                        .append(win[1]).append("]\n");
                if (k < 0) {
                    fail("writer " + w.name + ": the restored copy is not the state after any operation k with "
                            + win[0] + " <= k <= " + win[1] + " (acknowledged before CREATE / sent before it "
                            + "returned)\nrestored: " + summary(state) + "\n" + report
                            + "\nnearest: " + nearest(w, state, win));
                }
                expectedTables.addAll(state.keySet());
                if (w instanceof CheckpointWorkload.Pair) {
                    long a = state.get("pair_a").size();
                    long b = state.get("pair_b").size();
                    assertTrue(b <= a && a <= b + 1, "pair tables cut at different instants [a=" + a + ", b=" + b + "]");
                }
            }
            // For the build log: which operation each writer's restored state is, inside which window.
            System.out.print("CheckpointCopyIT " + tool + ": psql CHECKPOINT CREATE took " + createMillis[0]
                    + " ms while the writers ran; restored\n" + report);
            assertEquals(new ArrayList<>(expectedTables), CheckpointTools.tables(c),
                    "the restored copy has tables that belong to no writer's state at the cut");
            CheckpointTools.Status status = CheckpointTools.status(c);
            assertFalse(status.inProgress(), "the restored copy is in checkpoint mode: " + status);
            assertEquals(List.of(), CheckpointTools.problems(restored.log()), "the restored server logged a problem:\n"
                    + restored.log());
            c.close();
            assertEquals(0, restored.stop(), restored.log());
        }
    }

    @Test
    void aHardLinkedCopyAndTheOriginalEachKeepTheirOwnWrites() throws Exception {
        Path root = tmp.resolve("root");
        Path copy = tmp.resolve("copy");
        Map<String, List<String>> original = new TreeMap<>();
        Map<String, List<String>> copied = new TreeMap<>();
        ServerProcess orig = ServerProcess.start(root);
        try {
            try (Connection c = orig.connect()) {
                CheckpointTools.exec(c, "CREATE TABLE t (ts TIMESTAMP, src VARCHAR, n INT) TIMESTAMP(ts) PARTITION BY DAY");
                CheckpointTools.exec(c, "CREATE TABLE u (ts TIMESTAMP, id INT, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
                insertT(c, original, "base", 0, 100);
                StringBuilder sql = new StringBuilder("INSERT INTO u VALUES ");
                List<String> u = new ArrayList<>();
                for (int id = 0; id < 50; id++) {
                    sql.append(id == 0 ? "" : ", ").append("('2026-03-0").append(1 + id % 2).append(" 00:00:")
                            .append(String.format("%02d", id)).append("', ").append(id).append(", ").append(id).append(")");
                    u.add(id + "|" + id);
                }
                CheckpointTools.exec(c, sql.toString());
                original.put("u", sorted(u));

                CheckpointTools.exec(c, "CHECKPOINT CREATE");
                copied.putAll(deepCopy(original));
                // After CREATE and before the copy: appends into the files cp -al will share, and a rewrite.
                insertT(c, original, "after-create", 100, 20);
                CheckpointTools.exec(c, "UPDATE u SET v = v + 1000 WHERE id < 25");
                original.put("u", sorted(original.get("u").stream().map(r -> {
                    int id = Integer.parseInt(r.substring(0, r.indexOf('|')));
                    return id < 25 ? id + "|" + (id + 1000) : r;
                }).toList()));

                CheckpointTools.Exited cp = CheckpointTools.copy("cp -al", root, copy);
                assertEquals(0, cp.code(), cp.output());
                insertT(c, original, "during-checkpoint", 120, 10);
                CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            }
            assertEquals(original, state(orig), "the original before the copy was restored");

            Files.createFile(copy.resolve("_restore"));
            try (ServerProcess cop = ServerProcess.start(copy)) {
                assertEquals(copied, state(cop), "the restored copy is not the state of CREATE");
                try (Connection c = cop.connect()) {
                    insertT(c, copied, "copy", 200, 30);
                    CheckpointTools.exec(c, "DELETE FROM u WHERE id < 10");
                    copied.put("u", sorted(copied.get("u").stream()
                            .filter(r -> Integer.parseInt(r.substring(0, r.indexOf('|'))) >= 10).toList()));
                    CheckpointTools.exec(c, "CREATE TABLE only_copy (ts TIMESTAMP, x INT) TIMESTAMP(ts) PARTITION BY DAY");
                    CheckpointTools.exec(c, "INSERT INTO only_copy VALUES ('2026-03-01 00:00:00', 7)");
                    copied.put("only_copy", List.of("7"));
                }
                assertEquals(copied, state(cop), "the copy after its own writes");

                // Now the original writes: appends and rewrites of the files it once shared with the copy.
                try (Connection c = orig.connect()) {
                    insertT(c, original, "orig", 300, 30);
                    CheckpointTools.exec(c, "DELETE FROM t WHERE n < 5");
                    original.put("t", sorted(original.get("t").stream()
                            .filter(r -> Integer.parseInt(r.substring(r.lastIndexOf('|') + 1)) >= 5).toList()));
                    CheckpointTools.exec(c, "UPDATE u SET v = -1 WHERE id >= 40");
                    original.put("u", sorted(original.get("u").stream().map(r -> {
                        int id = Integer.parseInt(r.substring(0, r.indexOf('|')));
                        return id >= 40 ? id + "|-1" : r;
                    }).toList()));
                    CheckpointTools.exec(c, "CREATE TABLE only_orig (ts TIMESTAMP, x INT) TIMESTAMP(ts) PARTITION BY DAY");
                    CheckpointTools.exec(c, "INSERT INTO only_orig VALUES ('2026-03-01 00:00:00', 9)");
                    original.put("only_orig", List.of("9"));
                }
                assertEquals(original, state(orig), "the original after its own writes");
                assertEquals(copied, state(cop), "the copy changed when the original was written to");
                assertEquals(List.of(), CheckpointTools.problems(cop.log()), cop.log());
                assertEquals(0, cop.stop(), cop.log());
            }
            assertEquals(List.of(), CheckpointTools.problems(orig.log()), orig.log());
            assertEquals(0, orig.stop(), orig.log());

            // Both again from disk, each after a restart (and the copy does not restore a second time).
            try (ServerProcess o = ServerProcess.start(root); ServerProcess cop = ServerProcess.start(copy)) {
                assertEquals(original, state(o), "the original after a restart");
                assertEquals(copied, state(cop), "the copy after a restart");
                assertEquals(0, o.stop(), o.log());
                assertEquals(0, cop.stop(), cop.log());
            }
        } finally {
            orig.close();
        }
    }

    /** Inserts rows n = from .. from+count-1 into t over two day partitions and adds them to the model. */
    private static void insertT(Connection c, Map<String, List<String>> model, String src, int from, int count)
            throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
        List<String> rows = new ArrayList<>(model.getOrDefault("t", List.of()));
        for (int n = from; n < from + count; n++) {
            // Both partitions get rows at the end (plain appends) in every call.
            sql.append(n == from ? "" : ", ").append("('2026-03-0").append(1 + n % 2).append(" ")
                    .append(String.format("%02d:%02d:00", n / 60, n % 60)).append("', '").append(src).append("', ")
                    .append(n).append(")");
            rows.add(src + "|" + n);
        }
        CheckpointTools.exec(c, sql.toString());
        model.put("t", sorted(rows));
    }

    private static Map<String, List<String>> state(ServerProcess server) throws Exception {
        Map<String, List<String>> state = new TreeMap<>();
        try (Connection c = server.connect()) {
            for (String table : CheckpointTools.tables(c)) {
                String columns = switch (table) {
                    case "t" -> "src, n";
                    case "u" -> "id, v";
                    default -> "x";
                };
                state.put(table, CheckpointTools.rows(c, "SELECT " + columns + " FROM " + table));
            }
        }
        return state;
    }

    private static Map<String, List<String>> deepCopy(Map<String, List<String>> model) {
        Map<String, List<String>> copy = new TreeMap<>();
        model.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    private static List<String> sorted(List<String> rows) {
        return CheckpointWorkload.sorted(rows);
    }

    /** The k in [lo, hi] whose model equals the state, or -1. */
    private static long matchingK(CheckpointWorkload w, Map<String, List<String>> state, long lo, long hi) {
        for (long k = lo; k <= hi; k++) {
            if (w.model(k).equals(state)) {
                return k;
            }
        }
        return -1;
    }

    /** For a failure message: which k near the window, if any, the restored state matches. */
    private static String nearest(CheckpointWorkload w, Map<String, List<String>> state, long[] win) {
        long from = Math.max(0, win[0] - 200);
        for (long k = from; k <= win[1] + 200; k++) {
            if (w.model(k).equals(state)) {
                return "the state after operation " + k;
            }
        }
        return "no k in [" + from + ", " + (win[1] + 200) + "]";
    }

    private static String summary(Map<String, List<String>> state) {
        StringBuilder sb = new StringBuilder();
        state.forEach((table, rows) -> sb.append(table).append(": ").append(rows.size()).append(" rows ")
                .append(rows.size() <= 6 ? rows.toString() : rows.subList(0, 3) + "..." + rows.subList(rows.size() - 3,
                        rows.size())).append("; "));
        return sb.toString();
    }

    /** Waits (at most 60 s) until every running writer has acknowledged its target operation. */
    private static void awaitProgress(List<CheckpointWorkload> writers, ToLongFunction<CheckpointWorkload> target)
            throws InterruptedException {
        Map<String, Long> targets = new TreeMap<>();
        writers.forEach(w -> targets.put(w.name, target.applyAsLong(w)));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            boolean done = true;
            for (CheckpointWorkload w : writers) {
                if (w.failure != null) {
                    throw new AssertionError("writer " + w.name + " failed", w.failure);
                }
                done &= w.finished() || w.acked.get() >= targets.get(w.name);
            }
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder();
                writers.forEach(w -> sb.append(w.name).append('=').append(w.acked.get()).append('/')
                        .append(targets.get(w.name)).append(' '));
                fail("writers made no progress within 60 s: " + sb);
            }
            Thread.sleep(5);
        }
    }

    static void requireTool(String... versionCommand) {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        String message = versionCommand[0] + " is not installed";
        if (ci) {
            assertTrue(CheckpointTools.installed(versionCommand), message + " (.ci/run installs it)");
        } else {
            Assumptions.assumeTrue(CheckpointTools.installed(versionCommand), message + ": skipping");
        }
    }
}
