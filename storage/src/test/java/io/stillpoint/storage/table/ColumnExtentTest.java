package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.WriteTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.stillpoint.storage.table.TestRows.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Column files grow in zero-filled extents ({@link ColumnFiles#extentEnd}): an append that grows a file also writes
 * zeros up to the extent's end, so the appends after it leave the file's length alone (their fdatasync needs no
 * journal commit); a file written whole from offset 0 keeps its exact length; the zeros are never read.
 */
class ColumnExtentTest {

    @TempDir
    Path root;

    @Test
    void extentEndIsAQuarterMoreBetweenABlockAndOneMebibyteRoundedToABlock() {
        assertEquals(8192, ColumnFiles.extentEnd(100));
        assertEquals(8192, ColumnFiles.extentEnd(4096));
        assertEquals(20_480, ColumnFiles.extentEnd(16_384));
        assertEquals(1_310_720, ColumnFiles.extentEnd(1 << 20));
        assertEquals((64L << 20) + (1 << 20), ColumnFiles.extentEnd(64L << 20));
    }

    @Test
    void appendsGrowTheFileByExtentsAndTheZerosAreNeverRead() throws IOException {
        long day = micros("2026-11-21T00:00:00Z");
        List<List<Object>> expected;
        Path data;
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            TestRows.insert(engine, "t", TestRows.tradeRows(day, 10, 0));
            data = onlyPartition(engine).resolve(ColumnFiles.dataName(0));
            long first = Files.size(data);
            assertEquals(ColumnFiles.HEADER_SIZE + 10 * 8, first, "a file written from offset 0 has no extent");

            TestRows.insert(engine, "t", TestRows.tradeRows(day + 1_000_000, 10, 1));
            long committed = ColumnFiles.HEADER_SIZE + 20 * 8;
            assertEquals(ColumnFiles.extentEnd(committed), Files.size(data), "the growing append added an extent");
            byte[] bytes = Files.readAllBytes(data);
            for (int i = (int) committed; i < bytes.length; i++) {
                assertEquals(0, bytes[i], "the extent is zero-filled [offset=" + i + "]");
            }
            for (int i = 2; i < 20; i++) {
                TestRows.insert(engine, "t", TestRows.tradeRows(day + i * 1_000_000L, 10, i));
            }
            assertEquals(ColumnFiles.extentEnd(committed), Files.size(data),
                    "appends inside the extent do not change the file's length");
            expected = TestRows.readAll(engine, "t");
            assertEquals(200, expected.size());
        }
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals(expected, TestRows.readAll(engine, "t"), "after reopen: the committed rows, no zeros");
            TestRows.insert(engine, "t", TestRows.tradeRows(day + 50_000_000L, 10, 50));
            assertEquals(210, TestRows.readAll(engine, "t").size());
        }
    }

    @Test
    void aRewrittenVersionHasExactLengthFilesUntilAppendedTo() throws IOException {
        long day = micros("2026-11-21T00:00:00Z");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            engine.createTable(TestRows.trades("t", PartitionBy.DAY), false);
            for (int i = 0; i < 3; i++) {
                TestRows.insert(engine, "t", TestRows.tradeRows(day + i * 1_000_000L, 10, i));
            }
            assertTrue(Files.size(onlyPartition(engine).resolve(ColumnFiles.dataName(0)))
                    > ColumnFiles.HEADER_SIZE + 30 * 8, "appended: an extent");
            try (WriteTransaction w = engine.beginWrite()) {
                w.rewrite("t", new PartitionRewriter() {
                    @Override
                    public List<Object[]> rewrite(PartitionSnapshot p) {
                        List<Object[]> rows = new ArrayList<>();
                        for (List<Object> r : TestRows.readAll(engine, "t")) {
                            rows.add(r.toArray());
                        }
                        return rows;
                    }
                });
            }
            Path rewritten = onlyPartition(engine);
            assertEquals(ColumnFiles.HEADER_SIZE + 30 * 8, Files.size(rewritten.resolve(ColumnFiles.dataName(0))),
                    "a version written whole is exactly as long as its content");
        }
    }

    private static Path onlyPartition(TableEngine engine) {
        List<String> versions = engine.partitionDirectories("t");
        assertEquals(1, versions.size(), versions.toString());
        return engine.tableDirectory("t").resolve(versions.get(0));
    }
}
