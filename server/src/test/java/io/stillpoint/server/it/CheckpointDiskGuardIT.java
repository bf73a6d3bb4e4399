package io.stillpoint.server.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk guard on a real small file system: a 64 MB tmpfs mounted as the root's file system, the server started
 * with {@code --checkpoint-disk-floor 40MB}. While a checkpoint is active, rows are loaded until free space falls
 * below the floor: the checkpoint is released with reason {@code disk guard} (and logged), a new CREATE is refused
 * with 53100, and the first RELEASE after it says why the checkpoint ended. Needs root (mount); skipped otherwise.
 */
class CheckpointDiskGuardIT {

    private static final long MB = 1L << 20;
    private static final long FLOOR = 40 * MB;

    @TempDir
    Path tmp;

    @Test
    void theCheckpointIsReleasedBeforeTheDiskFillsAndCreateIsRefusedBelowTheFloor() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "not running as root: skipping the disk guard test (it mounts a tmpfs)");
        Path mount = tmp.resolve("small");
        Files.createDirectories(mount);
        CheckpointTools.Exited mounted = CheckpointTools.run(
                List.of("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mount.toString()), Map.of());
        Assumptions.assumeTrue(mounted.code() == 0,
                "mount -t tmpfs failed, skipping the disk guard test: " + mounted.output().strip());
        try {
            Path root = mount.resolve("db");
            try (ServerProcess server = ServerProcess.start(root, "--checkpoint-disk-floor", "40MB");
                 Connection c = server.connect()) {
                CheckpointTools.exec(c, "CREATE TABLE g (ts TIMESTAMP, n LONG, payload VARCHAR)"
                        + " TIMESTAMP(ts) PARTITION BY HOUR");
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                long n = load(copy, 0, 2);
                assertTrue(free(root) > FLOOR, "free space below the floor before CREATE: " + free(root));
                CheckpointTools.exec(c, "CHECKPOINT CREATE");
                assertTrue(CheckpointTools.status(c).inProgress());

                // A rewrite while the checkpoint is active: the superseded version is pinned.
                CheckpointTools.exec(c, "UPDATE g SET n = n + 1");
                CheckpointTools.Status status = CheckpointTools.status(c);
                assertTrue(status.inProgress(), status.toString());
                assertTrue(status.pinnedBytes() > MB, "pinned_bytes does not show the superseded version: " + status);

                // Load until free space is well below the floor (so that purging what the checkpoint pinned cannot
                // lift it above again), then give the guard, which checks every second, time to act.
                while (free(root) >= FLOOR - 6 * MB) {
                    n = load(copy, n, 1);
                }
                long deadline = System.nanoTime() + 15_000_000_000L;
                while ((status = CheckpointTools.status(c)).inProgress() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertFalse(status.inProgress(), "the disk guard did not release the checkpoint [free=" + free(root)
                        + "]: " + status);
                assertEquals("disk guard", status.lastReleaseReason(), status.toString());
                assertEquals(0, status.pinnedBytes(), status.toString());
                assertFalse(Files.exists(root.resolve(".checkpoint")), ".checkpoint outlived the disk guard");
                assertTrue(server.awaitLog("disk guard"), "the release was not logged:\n" + server.log());

                assertTrue(free(root) < FLOOR, "free space recovered above the floor: " + free(root));
                SQLException refused = CheckpointTools.failing(c, "CHECKPOINT CREATE");
                assertEquals("53100", refused.getSQLState(), refused.getMessage());
                assertFalse(CheckpointTools.status(c).inProgress());

                SQLException late = CheckpointTools.failing(c, "CHECKPOINT RELEASE");
                assertEquals("55000", late.getSQLState(), late.getMessage());
                assertTrue(late.getMessage().contains("disk guard"), late.getMessage());
                CheckpointTools.exec(c, "CHECKPOINT RELEASE");

                // The database itself still works below the floor.
                assertEquals(n, CheckpointTools.count(c, "g"));
                c.close();
                assertEquals(0, server.stop(), server.log());
            }
        } finally {
            CheckpointTools.Exited unmounted = CheckpointTools.run(List.of("umount", mount.toString()), Map.of());
            assertEquals(0, unmounted.code(), "umount failed: " + unmounted.output());
        }
    }

    private static long free(Path root) throws Exception {
        return Files.getFileStore(root).getUsableSpace();
    }

    /** COPYs about {@code megabytes} MB of rows (1 kB each) into g, rows n, n+1, ...; returns the next n. */
    private static long load(CopyManager copy, long n, int megabytes) throws Exception {
        String payload = "x".repeat(1000);
        StringBuilder data = new StringBuilder();
        long rows = megabytes * 1000L;
        for (long i = 0; i < rows; i++, n++) {
            data.append(String.format("2026-07-01 %02d:%02d:%02d.%06d", n / 3_600_000 % 24, n / 60_000 % 60,
                    n / 1000 % 60, n % 1000)).append('\t').append(n).append('\t').append(payload).append('\n');
        }
        copy.copyIn("COPY g FROM STDIN", new StringReader(data.toString()));
        return n;
    }
}
