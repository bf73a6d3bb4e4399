package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checkpoint records the table registry format it wrote (version 2, which carries the TTL) truthfully, and a copy
 * restored from it has the TTL and the rows of the cut, although the TTL was changed and partitions were dropped by
 * the TTL job while the checkpoint was active.
 */
class TtlCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aRestoredCopyHasTheTtlAndTheRowsOfTheCut() throws Exception {
        Path root = dir.resolve("root");
        Path copy = dir.resolve("copy");
        List<List<Object>> atCut;
        try (TableEngine e = TableEngine.open(EngineConfig.of(root))) {
            e.createTable(RestoreTestSupport.schema("t").withTtl(new Ttl(30, Ttl.Unit.DAYS)), false);
            for (int day = 0; day < 5; day++) {
                RestoreTestSupport.insert(e, "t", RestoreTestSupport.rows(day, 4, day * 10));
            }
            atCut = RestoreTestSupport.readAll(e, "t");
            e.checkpoints().create(null);
            CheckpointDirectory.Header h = CheckpointDirectory.readHeader(FileSystemFacade.real(), root);
            assertEquals(2, h.registryFormatVersion());
            assertEquals(TableEngine.MetadataFormats.registryFormatVersion(), h.registryFormatVersion());
            byte[] image = Files.readAllBytes(root.resolve(".checkpoint/db/_tables"));
            assertEquals(h.registryFormatVersion(), ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(4),
                    "the header names the format the checkpoint's registry image is in");
            // While the checkpoint is active: a shorter TTL, and the TTL job drops three days.
            e.setTtl("t", new Ttl(1, Ttl.Unit.DAYS));
            e.runHousekeepingJobsNow();
            assertEquals(3, e.ttlJob().droppedPartitions());
            assertEquals(atCut.subList(12, 20), RestoreTestSupport.readAll(e, "t"));
            RestoreTestSupport.copyTree(root, copy);
            e.checkpoints().release();
        }
        Files.createFile(copy.resolve(CheckpointRestore.TRIGGER));
        try (TableEngine e = TableEngine.open(EngineConfig.of(copy))) {
            assertEquals(new Ttl(30, Ttl.Unit.DAYS), e.schema("t").ttl());
            assertEquals(atCut, RestoreTestSupport.readAll(e, "t"));
        }
    }
}
