package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoint refusals and modes with the real jar: one checkpoint at a time (also under a race), not bound to a
 * session, RELEASE without one a no-op, the lease, the read-only user, checkpoint mode across SIGTERM and kill -9,
 * and every start refusal of a copy (no {@code _restore}; {@code _restore} without a checkpoint; a damaged copy),
 * which exits 3 with one stderr line and changes nothing; then a good restore, which accepts writes and a new
 * checkpoint and does not restore again.
 */
class CheckpointModesIT {

    private static final String READER = "reader";
    private static final String READER_PASSWORD = "reader-pw";

    @TempDir
    Path tmp;

    @Test
    void createTwiceIsRefusedWith55000AndLeavesTheFirstIntactAndReleaseWithoutOneIsANoOp() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root")); Connection c = server.connect()) {
            createTable(c, "t", 0, 30);
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            CheckpointTools.Status first = CheckpointTools.status(c);
            assertTrue(first.inProgress(), first.toString());
            assertNotNull(first.startedAt(), first.toString());
            assertEquals(1, first.tables(), first.toString());
            List<CheckpointTools.ManifestFile> manifest = CheckpointTools.manifest(c);
            assertFalse(manifest.isEmpty(), "checkpoint_files() is empty");
            Map<String, String> checkpointDir = CheckpointTools.treeHash(server.root().resolve(".checkpoint"));

            SQLException again = CheckpointTools.failing(c, "checkpoint   create ;");
            assertEquals("55000", again.getSQLState(), again.getMessage());
            assertTrue(again.getMessage().toLowerCase().contains("already active"), again.getMessage());
            try (Connection other = server.connect()) {
                SQLException fromOther = CheckpointTools.failing(other, "CHECKPOINT CREATE");
                assertEquals("55000", fromOther.getSQLState(), fromOther.getMessage());
            }
            assertEquals(first, CheckpointTools.status(c), "the second CREATE changed the first checkpoint");
            assertEquals(manifest, CheckpointTools.manifest(c));
            assertEquals(checkpointDir, CheckpointTools.treeHash(server.root().resolve(".checkpoint")));

            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            CheckpointTools.Status released = CheckpointTools.status(c);
            assertFalse(released.inProgress(), released.toString());
            assertEquals("released", released.lastReleaseReason(), released.toString());
            assertTrue(CheckpointTools.manifest(c).isEmpty(), "checkpoint_files() lists files after RELEASE");
            assertFalse(Files.exists(server.root().resolve(".checkpoint")), ".checkpoint is still there");

            // RELEASE with none active: a no-op, as often as it is called.
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            assertEquals(released, CheckpointTools.status(c));
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            assertTrue(CheckpointTools.status(c).inProgress(), "a new CREATE after RELEASE");
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            assertEquals(List.of(), CheckpointTools.problems(server.log()), server.log());
        }
    }

    @Test
    void eightConnectionsRacingCreateExactlyOneWins() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            try (Connection c = server.connect()) {
                createTable(c, "t", 0, 10);
            }
            int racers = 8;
            List<Connection> connections = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            try {
                for (int i = 0; i < racers; i++) {
                    connections.add(server.connect());
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                for (Connection c : connections) {
                    outcomes.add(pool.submit(() -> {
                        go.await();
                        try {
                            CheckpointTools.exec(c, "CHECKPOINT CREATE");
                            return "won";
                        } catch (SQLException e) {
                            return e.getSQLState();
                        }
                    }));
                }
                go.countDown();
                List<String> results = new ArrayList<>();
                for (Future<String> f : outcomes) {
                    results.add(f.get());
                }
                assertEquals(1, results.stream().filter("won"::equals).count(), results.toString());
                assertEquals(racers - 1, results.stream().filter("55000"::equals).count(), results.toString());
                assertTrue(CheckpointTools.status(connections.get(0)).inProgress());
                CheckpointTools.exec(connections.get(3), "CHECKPOINT RELEASE");
                assertFalse(CheckpointTools.status(connections.get(0)).inProgress());
            } finally {
                pool.shutdownNow();
                for (Connection c : connections) {
                    c.close();
                }
            }
        }
    }

    @Test
    void theCheckpointOutlivesItsConnectionAndAnotherConnectionReleasesIt() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            String startedAt;
            try (Connection creator = server.connect()) {
                createTable(creator, "t", 0, 10);
                CheckpointTools.exec(creator, "CHECKPOINT CREATE");
                startedAt = CheckpointTools.status(creator).startedAt();
            }
            try (Connection other = server.connect()) {
                // The server notices the closed connection at once; give it a moment to act on it.
                Thread.sleep(300);
                CheckpointTools.Status status = CheckpointTools.status(other);
                assertTrue(status.inProgress(), "closing the creating connection released the checkpoint");
                assertEquals(startedAt, status.startedAt());
                assertTrue(Files.isDirectory(server.root().resolve(".checkpoint")));
                CheckpointTools.exec(other, "CHECKPOINT RELEASE");
                status = CheckpointTools.status(other);
                assertFalse(status.inProgress(), status.toString());
                assertEquals("released", status.lastReleaseReason());
            }
        }
    }

    @Test
    void theLeaseExpiresAndTheNextReleaseSaysSoOnce() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"), "--checkpoint-lease", "90min");
             Connection c = server.connect()) {
            createTable(c, "t", 0, 10);
            // The server's default lease (--checkpoint-lease) for a CREATE without LEASE.
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            CheckpointTools.Status status = CheckpointTools.status(c);
            assertEquals(Duration.ofMinutes(90), between(status.startedAt(), status.expiresAt()), status.toString());
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");

            CheckpointTools.exec(c, "CHECKPOINT CREATE LEASE '2 seconds'");
            status = CheckpointTools.status(c);
            assertTrue(status.inProgress(), status.toString());
            assertEquals(Duration.ofSeconds(2), between(status.startedAt(), status.expiresAt()), status.toString());
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (status.inProgress() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                status = CheckpointTools.status(c);
            }
            assertFalse(status.inProgress(), "the lease did not expire within 15 s: " + status);
            assertEquals("lease expired", status.lastReleaseReason(), status.toString());
            assertFalse(Files.exists(server.root().resolve(".checkpoint")), ".checkpoint outlived its lease");
            assertTrue(server.awaitLog("lease expired"), "the expiry was not logged:\n" + server.log());

            SQLException late = CheckpointTools.failing(c, "CHECKPOINT RELEASE");
            assertEquals("55000", late.getSQLState(), late.getMessage());
            assertTrue(late.getMessage().contains("lease expired"), late.getMessage());
            CheckpointTools.exec(c, "CHECKPOINT RELEASE"); // the one after is a no-op
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
        }
    }

    @Test
    void theReadOnlyUserMayNotCreateOrRelease() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"), "--readonly-user", READER,
                "--readonly-password", READER_PASSWORD);
             Connection admin = server.connect();
             Connection reader = server.connect(READER, READER_PASSWORD, new Properties())) {
            createTable(admin, "t", 0, 10);
            SQLException create = CheckpointTools.failing(reader, "CHECKPOINT CREATE");
            assertEquals("42501", create.getSQLState(), create.getMessage());
            assertFalse(CheckpointTools.status(admin).inProgress(), "the read-only user created a checkpoint");

            CheckpointTools.exec(admin, "CHECKPOINT CREATE");
            SQLException release = CheckpointTools.failing(reader, "CHECKPOINT RELEASE");
            assertEquals("42501", release.getSQLState(), release.getMessage());
            assertTrue(CheckpointTools.status(admin).inProgress(), "the read-only user released the checkpoint");
            CheckpointTools.exec(admin, "CHECKPOINT RELEASE");
        }
    }

    @Test
    void checkpointModeSurvivesSigtermAndKillNine() throws Exception {
        Path root = tmp.resolve("root");
        CheckpointTools.Status created;
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect()) {
            createTable(c, "t", 0, 20);
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            created = CheckpointTools.status(c);
            createTable(c, "later", 0, 5); // writes go on in checkpoint mode
            c.close();
            assertEquals(0, server.stop(), server.log());
        }
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect()) {
            CheckpointTools.Status status = CheckpointTools.status(c);
            assertTrue(status.inProgress(), "checkpoint mode lost after SIGTERM: " + status);
            assertEquals(created.startedAt(), status.startedAt());
            assertEquals(created.expiresAt(), status.expiresAt());
            assertEquals(2, CheckpointTools.tables(c).size(), "the table created in checkpoint mode is gone");
            CheckpointTools.exec(c, "INSERT INTO later VALUES ('2026-05-01 00:00:00', 99)");
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect()) {
            CheckpointTools.Status status = CheckpointTools.status(c);
            assertTrue(status.inProgress(), "checkpoint mode lost after kill -9: " + status);
            assertEquals(created.startedAt(), status.startedAt());
            assertEquals(6, CheckpointTools.count(c, "later"));
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
            assertFalse(CheckpointTools.status(c).inProgress());
            assertFalse(Files.exists(root.resolve(".checkpoint")));
        }
    }

    @Test
    void restoreWithoutACheckpointIsRefusedAndKeepsTheTrigger() throws Exception {
        Path root = tmp.resolve("root");
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect()) {
            createTable(c, "t", 0, 10);
            c.close();
            assertEquals(0, server.stop());
        }
        Files.createFile(root.resolve("_restore"));
        Map<String, String> before = CheckpointTools.treeHash(root);
        CheckpointTools.Exited refused = CheckpointTools.startExpectingExit(root);
        assertRefused(refused);
        assertTrue(refused.output().contains("_restore"), refused.output());
        assertEquals(before, CheckpointTools.treeHash(root), "a refused start changed the root");
        assertTrue(Files.exists(root.resolve("_restore")), "the trigger was removed");
    }

    @Test
    void copiesAreRefusedUntilTheyAreWholeAndTriggeredThenRestoredOnce() throws Exception {
        Path root = tmp.resolve("root");
        Path copy = tmp.resolve("copy");
        List<CheckpointTools.ManifestFile> manifest;
        List<String> atCreate;
        try (ServerProcess server = ServerProcess.start(root); Connection c = server.connect()) {
            createTable(c, "t", 0, 60);
            createTable(c, "dropped", 0, 5);
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            atCreate = CheckpointTools.rows(c, "SELECT n FROM t");
            manifest = CheckpointTools.manifest(c);
            // After the cut: more rows, a rewrite, a dropped and a new table; the restore undoes them all.
            insert(c, "t", 60, 30);
            CheckpointTools.exec(c, "DELETE FROM t WHERE n < 10");
            CheckpointTools.exec(c, "DROP TABLE dropped");
            createTable(c, "created", 0, 5);
            CheckpointTools.Exited cp = CheckpointTools.copy("cp -a", root, copy);
            assertEquals(0, cp.code(), cp.output());
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
        }
        assertTrue(manifest.size() >= 2, "manifest: " + manifest);
        for (CheckpointTools.ManifestFile f : manifest) {
            assertTrue(Files.size(copy.resolve(f.path())) >= f.committedLength(), f.toString());
        }

        // A copy started without _restore: refused, says to touch _restore, unchanged.
        Map<String, String> pristine = CheckpointTools.treeHash(copy);
        CheckpointTools.Exited noTrigger = CheckpointTools.startExpectingExit(copy);
        assertRefused(noTrigger);
        assertTrue(noTrigger.output().contains("touch") && noTrigger.output().contains("_restore"),
                noTrigger.output());
        assertEquals(pristine, CheckpointTools.treeHash(copy), "a refused copy was changed");

        // Damaged copies: a manifest file missing, then one shorter than its committed length.
        List<CheckpointTools.ManifestFile> nonEmpty = manifest.stream().filter(f -> f.committedLength() > 0).toList();
        assertTrue(nonEmpty.size() >= 2, "manifest: " + manifest);
        CheckpointTools.ManifestFile deleted = nonEmpty.get(0);
        CheckpointTools.ManifestFile truncated = nonEmpty.get(nonEmpty.size() - 1);
        Path damaged = tmp.resolve("damaged");
        for (int round = 0; round < 2; round++) {
            CheckpointTools.Exited cp = CheckpointTools.copy("cp -a", copy, damaged);
            assertEquals(0, cp.code(), cp.output());
            CheckpointTools.ManifestFile victim = round == 0 ? deleted : truncated;
            if (round == 0) {
                Files.delete(damaged.resolve(victim.path()));
            } else {
                try (FileChannel ch = FileChannel.open(damaged.resolve(victim.path()), StandardOpenOption.WRITE)) {
                    ch.truncate(victim.committedLength() - 1);
                }
            }
            Files.createFile(damaged.resolve("_restore"));
            Map<String, String> before = CheckpointTools.treeHash(damaged);
            CheckpointTools.Exited refused = CheckpointTools.startExpectingExit(damaged);
            assertRefused(refused);
            assertTrue(refused.output().contains(victim.path()), "the refusal does not name " + victim.path()
                    + ":\n" + refused.output());
            assertEquals(before, CheckpointTools.treeHash(damaged), "a refused restore changed the copy");
            assertTrue(Files.exists(damaged.resolve("_restore")), "the trigger was removed");
            deleteTree(damaged);
        }
        assertEquals(pristine, CheckpointTools.treeHash(copy));

        // The whole copy, triggered: the state of CREATE, writable, checkpointable, restored only once.
        Files.createFile(copy.resolve("_restore"));
        try (ServerProcess restored = ServerProcess.start(copy); Connection c = restored.connect()) {
            assertFalse(Files.exists(copy.resolve("_restore")));
            assertFalse(Files.exists(copy.resolve(".checkpoint")));
            assertEquals(List.of("dropped", "t"), CheckpointTools.tables(c));
            assertEquals(atCreate, CheckpointTools.rows(c, "SELECT n FROM t"));
            assertEquals(5, CheckpointTools.count(c, "dropped"));
            insert(c, "t", 1000, 10);
            CheckpointTools.exec(c, "UPDATE dropped SET n = 7");
            CheckpointTools.exec(c, "CHECKPOINT CREATE");
            assertTrue(CheckpointTools.status(c).inProgress());
            insert(c, "t", 2000, 10);
            c.close();
            assertEquals(List.of(), CheckpointTools.problems(restored.log()), restored.log());
            assertEquals(0, restored.stop(), restored.log());
        }
        try (ServerProcess again = ServerProcess.start(copy); Connection c = again.connect()) {
            assertTrue(CheckpointTools.status(c).inProgress(), "the new checkpoint on the restored copy was lost");
            assertEquals(atCreate.size() + 20, CheckpointTools.count(c, "t"), "the second start restored again");
            assertEquals(List.of("7", "7", "7", "7", "7"), CheckpointTools.rows(c, "SELECT n FROM dropped"));
            CheckpointTools.exec(c, "CHECKPOINT RELEASE");
        }
    }

    /**
     * Exit code 3 and one line that says why. With {@code _restore} present the server may print its HTTP line
     * first (it serves /health while a restore runs); that informational line is not counted.
     */
    private static void assertRefused(CheckpointTools.Exited refused) {
        assertEquals(3, refused.code(), "exit code of a refused start:\n" + refused.output());
        List<String> lines = refused.lines().stream().filter(l -> !l.startsWith("stillpoint http [")).toList();
        assertEquals(1, lines.size(), "a refused start prints one line:\n" + refused.output());
    }

    private static Duration between(String from, String to) {
        return Duration.between(LocalDateTime.parse(from.replace(' ', 'T')), LocalDateTime.parse(to.replace(' ', 'T')));
    }

    /** A table (ts, n) with rows n = from .. from+count-1 over three day partitions. */
    private static void createTable(Connection c, String table, int from, int count) throws SQLException {
        CheckpointTools.exec(c, "CREATE TABLE " + table + " (ts TIMESTAMP, n INT) TIMESTAMP(ts) PARTITION BY DAY");
        insert(c, table, from, count);
    }

    private static void insert(Connection c, String table, int from, int count) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " VALUES ");
        for (int n = from; n < from + count; n++) {
            sql.append(n == from ? "" : ", ").append("('2026-05-0").append(1 + n % 3).append(" ")
                    .append(String.format("%02d:%02d:%02d", n / 3600 % 24, n / 60 % 60, n % 60)).append("', ")
                    .append(n).append(")");
        }
        CheckpointTools.exec(c, sql.toString());
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
