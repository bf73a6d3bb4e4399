package io.stillpoint.storage.table;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import io.stillpoint.storage.WriteTransaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Helpers shared by the engine tests (also those of other storage packages): schemas, inserting rows, reading a
 * whole table back as boxed rows.
 */
public final class TestRows {

    private TestRows() {
    }

    static TableSchema trades(String name, PartitionBy by) {
        return new TableSchema(name, List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("qty", ColumnType.LONG), new ColumnSpec("price", ColumnType.DOUBLE)), 0, by);
    }

    static long micros(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    public static long insert(Engine engine, String table, List<Object[]> rows) {
        try (WriteTransaction tx = engine.beginWrite()) {
            for (Object[] r : rows) {
                tx.insert(table, r);
            }
            return tx.commit();
        }
    }

    static List<List<Object>> readAll(Engine engine, String table) {
        try (TableSnapshot s = engine.snapshot(table)) {
            return readAll(s);
        }
    }

    /** Every row in partition order, read in chunks of 3 rows to exercise chunk boundaries. */
    static List<List<Object>> readAll(TableSnapshot s) {
        return readAll(s, 3);
    }

    /** Every row in partition order, read in chunks of {@code chunkRows} rows. */
    public static List<List<Object>> readAll(TableSnapshot s, int chunkRows) {
        List<List<Object>> rows = new ArrayList<>();
        int columns = s.schema().columnCount();
        for (PartitionSnapshot p : s.partitions()) {
            for (long first = 0; first < p.rowCount(); first += chunkRows) {
                int count = (int) Math.min(chunkRows, p.rowCount() - first);
                ColumnChunk[] chunks = new ColumnChunk[columns];
                for (int c = 0; c < columns; c++) {
                    chunks[c] = p.read(c, first, count);
                }
                for (int i = 0; i < count; i++) {
                    Object[] row = new Object[columns];
                    for (int c = 0; c < columns; c++) {
                        row[c] = chunks[c].getValue(i);
                    }
                    rows.add(Arrays.asList(row));
                }
            }
        }
        return rows;
    }

    static List<String> partitionNames(Engine engine, String table) {
        try (TableSnapshot s = engine.snapshot(table)) {
            List<String> names = new ArrayList<>();
            for (PartitionSnapshot p : s.partitions()) {
                names.add(p.name() + ":" + p.rowCount());
            }
            return names;
        }
    }

    /** The HOUR partition key of a timestamp. */
    static long hourOf(long micros) {
        return Math.floorDiv(micros, 3_600_000_000L);
    }

    static List<Object[]> tradeRows(long firstTs, int count, long seed) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new Object[]{firstTs + i, seed + i, (seed + i) * 0.5});
        }
        return rows;
    }
}
