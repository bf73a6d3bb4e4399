package io.stillpoint.server;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up paths of {@link Main} that end before the server serves: the checkpoint options reaching the
 * engine's config, a refused root (exit 3 and one line), other open failures (exit 1), and /health answering 503
 * {@code restoring} while the engine opens a root holding {@code _restore}. The engine's open is replaced by one
 * the test controls; everything else (options, HTTP endpoint, messages) is the real thing.
 */
class MainTest {

    private static final Pattern HTTP_LINE = Pattern.compile("stillpoint http \\[address=[^,]+, port=(\\d+),.*]");

    @TempDir
    Path tmp;

    private PrintStream savedErr;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void captureStderr() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(savedErr);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRefusedRootExitsThreeWithOneLineAndTheOptionsReachTheEngine() {
        AtomicReference<EngineConfig> seen = new AtomicReference<>();
        int code = Main.run(new String[] {"--root", tmp.resolve("copy").toString(), "--http-port", "0", "--port", "0",
                "--checkpoint-lease", "90 minutes", "--checkpoint-disk-floor", "1MB"}, config -> {
            seen.set(config);
            throw new StorageException(StorageException.Kind.RESTORE_REFUSED, "root is a copy of a checkpointed "
                    + "root, touch _restore to restore it [root=" + config.root() + "]");
        });
        assertEquals(3, code);
        assertEquals("stillpoint: cannot start: root is a copy of a checkpointed root, touch _restore to restore it "
                + "[root=" + tmp.resolve("copy").toAbsolutePath() + "]\n", stderr().replace("\r\n", "\n"));
        assertEquals(Duration.ofMinutes(90), seen.get().checkpointPolicy().defaultLease());
        assertEquals(1L << 20, seen.get().checkpointPolicy().diskFloorBytes());
        assertEquals(tmp.resolve("copy").toAbsolutePath(), seen.get().root());
    }

    @Test
    void badCheckpointOptionsExitTwoBeforeTheEngineOpens() {
        int code = Main.run(new String[] {"--root", tmp.resolve("r").toString(), "--checkpoint-lease", "soon"},
                config -> {
                    throw new AssertionError("the engine must not open");
                });
        assertEquals(2, code);
        assertTrue(stderr().startsWith("stillpoint: invalid interval [option=--checkpoint-lease, value=soon"),
                stderr());
        assertEquals(2, Main.run(new String[] {"--checkpoint-disk-floor", "lots"}, config -> {
            throw new AssertionError("the engine must not open");
        }));
        assertTrue(stderr().contains("stillpoint: invalid size [option=--checkpoint-disk-floor, value=lots"),
                stderr());
    }

    @Test
    void theHousekeepingIntervalReachesTheEngineAndABadOneExitsTwo() {
        AtomicReference<EngineConfig> seen = new AtomicReference<>();
        int code = Main.run(new String[] {"--root", tmp.resolve("r").toString(), "--http-port", "0", "--port", "0",
                "--housekeeping-interval", "200ms"}, config -> {
            seen.set(config);
            throw new StorageException(StorageException.Kind.LOCKED, "root is locked by another process");
        });
        assertEquals(1, code);
        assertEquals(Duration.ofMillis(200), seen.get().housekeepingPolicy().jobInterval());
        assertEquals(2, Main.run(new String[] {"--root", tmp.resolve("r").toString(), "--housekeeping-interval",
                "-5s"}, config -> {
            throw new AssertionError("the engine must not open");
        }));
        assertTrue(stderr().contains("stillpoint: the housekeeping interval must be positive "
                + "[option=--housekeeping-interval, value=-5s]"), stderr());
    }

    @Test
    void otherOpenFailuresKeepExitOne() {
        int code = Main.run(new String[] {"--root", tmp.resolve("r").toString(), "--http-port", "0", "--port", "0"},
                config -> {
                    throw new StorageException(StorageException.Kind.LOCKED, "root is locked by another process");
                });
        assertEquals(1, code);
        assertTrue(stderr().startsWith("stillpoint: cannot open the root [root="), stderr());
        assertTrue(stderr().contains("root is locked by another process"), stderr());
        assertFalse(stderr().contains("stillpoint http"), "no endpoint without _restore: " + stderr());
    }

    @Test
    void healthSaysRestoringWhileARestoreRunsThenTheEndpointCloses() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("copy"));
        Files.createFile(root.resolve("_restore"));
        CountDownLatch restoreMayEnd = new CountDownLatch(1);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.run(new String[] {
                "--root", root.toString(), "--http-port", "0", "--port", "0"}, config -> {
                    try {
                        restoreMayEnd.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new StorageException(StorageException.Kind.RESTORE_REFUSED,
                            "checkpoint file is shorter than its committed length [file=db/t/0/a.d]");
                }));
        int port = -1;
        for (int i = 0; i < 600 && port < 0; i++) {
            Matcher m = HTTP_LINE.matcher(stderr());
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                Thread.sleep(50);
            }
        }
        assertTrue(port > 0, "no http line: " + stderr());
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, health.statusCode());
        assertEquals("restoring\n", health.body());
        restoreMayEnd.countDown();
        assertEquals(3, exit.get(60, TimeUnit.SECONDS));
        assertTrue(stderr().endsWith("stillpoint: cannot start: checkpoint file is shorter than its committed length "
                + "[file=db/t/0/a.d]\n"), stderr());
    }

    @Test
    void aCopyOfACheckpointedRootStartedWithoutRestoreExitsThreeWithTheEnginesReason() throws Exception {
        Path original = tmp.resolve("original");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(original))) {
            engine.createTable(new TableSchema("t", List.of(new ColumnSpec("a", ColumnType.INT)), -1,
                    PartitionBy.NONE), false);
            engine.checkpoints().create(null);
        }
        Path copy = tmp.resolve("copy");
        try (Stream<Path> files = Files.walk(original)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        int code = Main.run(new String[] {"--root", copy.toString(), "--http-port", "0", "--port", "0"});
        assertEquals(3, code, stderr());
        String line = stderr().strip();
        assertTrue(line.startsWith("stillpoint: cannot start: root holds a checkpoint taken in another directory: "
                + "this is a copy; touch _restore in it to restore the checkpoint [root=" + copy.toAbsolutePath()),
                line);
        assertFalse(line.contains("\n"), "one line: " + line);
        assertFalse(Files.exists(copy.resolve("_restore")));
        assertTrue(Files.exists(copy.resolve(".checkpoint")), "nothing changed in the copy");
    }
}
