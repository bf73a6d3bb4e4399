package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Housekeeping: failed deletes are retried, pause stops purging, leftovers are never reused while queued. */
class HousekeepingTest {

    @TempDir
    Path root;

    @Test
    void failedDeleteIsRetriedNeverFatal() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(0, 3, 0));
            Path dir = engine.tableDirectory("t");
            engine.housekeeping().pause(); // keep the background thread out of the way
            engine.dropTable("t", false);
            fs.failNextDeletes(1);
            engine.housekeeping().resume();
            // The first pass (the thread's or this one) fails on the first delete; a later pass finishes the job.
            for (int i = 0; i < 100 && Files.exists(dir); i++) {
                engine.housekeeping().runOnce();
            }
            assertFalse(Files.exists(dir));
            assertEquals(1, engine.housekeeping().failureCount());
            assertEquals(0, engine.housekeeping().pendingCount());
        }
    }

    @Test
    void pausedHousekeepingDeletesNothing() {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            Path dir = engine.tableDirectory("t");
            engine.housekeeping().pause();
            engine.dropTable("t", false);
            engine.housekeeping().runOnce();
            assertTrue(Files.exists(dir));
            assertEquals(1, engine.housekeeping().pendingCount());
            engine.housekeeping().resume();
            engine.housekeeping().runOnce();
            assertFalse(Files.exists(dir));
        }
    }

    @Test
    void leftoverPartitionDirectoryAwaitingDeletionIsNotReused() throws Exception {
        long day = micros("2026-11-21T00:00:00Z");
        Path leftover;
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(day, 3, 0));
            // What a crash during commit 2 into a new day leaves behind.
            leftover = Files.createDirectory(engine.tableDirectory("t").resolve("2026-11-22.2"));
            Files.write(leftover.resolve("c0.d"), new byte[64]);
        }
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        fs.failNextDeletes(1000);
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            assertTrue(Files.exists(leftover), "delete failed at open, still queued");
            assertThrows(io.stillpoint.storage.StorageException.class,
                    () -> TestRows.insert(engine, "t", TestRows.tradeRows(day + 86_400_000_000L, 2, 0)));
            fs.failNextDeletes(0);
            engine.housekeeping().runOnce();
            assertFalse(Files.exists(leftover));
            TestRows.insert(engine, "t", TestRows.tradeRows(day + 86_400_000_000L, 2, 0));
            try (TableSnapshot s = engine.snapshot("t")) {
                assertEquals(List.of("2026-11-21", "2026-11-22"), s.partitions().stream().map(p -> p.name()).toList());
                assertEquals(day + 86_400_000_000L, s.partitions().get(1).minTimestamp());
                assertEquals(day + 86_400_000_000L + 1, s.partitions().get(1).maxTimestamp());
            }
        }
    }
}
