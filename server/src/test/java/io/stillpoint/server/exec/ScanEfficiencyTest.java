package io.stillpoint.server.exec;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.ForwardingEngine;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.TableSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the scans read, counted through an engine wrapper: partitions outside a timestamp range are skipped,
 * count(*) reads no column, point lookups read other columns row by row, every snapshot is closed.
 */
class ScanEfficiencyTest extends ExecTestSupport {

    /** Counts reads (rows read per column) and open snapshots of the engine it wraps. */
    static final class CountingEngine extends ForwardingEngine {
        final Map<Integer, AtomicInteger> rowsRead = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger openSnapshots = new AtomicInteger();
        final List<String> partitionsRead = new ArrayList<>();

        CountingEngine(Engine inner) {
            super(inner);
        }

        long rows(int column) {
            AtomicInteger n = rowsRead.get(column);
            return n == null ? 0 : n.get();
        }

        void reset() {
            rowsRead.clear();
            partitionsRead.clear();
        }

        @Override
        public TableSnapshot snapshot(String table) {
            TableSnapshot s = delegate().snapshot(table);
            openSnapshots.incrementAndGet();
            return new TableSnapshot() {
                boolean closed;

                @Override
                public TableSchema schema() {
                    return s.schema();
                }

                @Override
                public long txn() {
                    return s.txn();
                }

                @Override
                public long rowCount() {
                    return s.rowCount();
                }

                @Override
                public List<PartitionSnapshot> partitions() {
                    List<PartitionSnapshot> out = new ArrayList<>();
                    for (PartitionSnapshot p : s.partitions()) {
                        out.add(new PartitionSnapshot() {
                            @Override
                            public String name() {
                                return p.name();
                            }

                            @Override
                            public long rowCount() {
                                return p.rowCount();
                            }

                            @Override
                            public long minTimestamp() {
                                return p.minTimestamp();
                            }

                            @Override
                            public long maxTimestamp() {
                                return p.maxTimestamp();
                            }

                            @Override
                            public ColumnChunk read(int columnIndex, long firstRow, int count) {
                                rowsRead.computeIfAbsent(columnIndex, c -> new AtomicInteger()).addAndGet(count);
                                synchronized (partitionsRead) {
                                    if (!partitionsRead.contains(p.name())) {
                                        partitionsRead.add(p.name());
                                    }
                                }
                                return p.read(columnIndex, firstRow, count);
                            }
                        });
                    }
                    return out;
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        openSnapshots.decrementAndGet();
                    }
                    s.close();
                }
            };
        }
    }

    CountingEngine counting;

    @BeforeEach
    void data() {
        counting = new CountingEngine(engine);
        session = new SqlExecutor(counting).openSession("admin", Role.ADMIN, Map.of());
        sessions.add(session);
        run("CREATE TABLE m (ts TIMESTAMP, id LONG, v DOUBLE, s VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
        Prepared p = session.prepare("INSERT INTO m VALUES ($1, $2, $3, $4)", List.of());
        long base = ts("2026-11-01");
        for (int i = 0; i < 5 * 24; i++) { // five days, one row per hour
            session.execute(p, new Object[] {base + i * 3_600_000_000L, (long) i, i * 1.5, "s" + i});
        }
        session.endImplicitTransaction(false);
        counting.reset();
    }

    @Test
    void timestampRangeSkipsPartitions() {
        assertEquals(24L, value("SELECT count(*) FROM m WHERE ts >= '2026-11-03' AND ts < '2026-11-04'"));
        assertEquals(List.of(), counting.partitionsRead, "a partition inside the range needs no reading");
        assertEquals(List.of(row(60L)), rows("SELECT id FROM m WHERE ts = '2026-11-03 12:00:00'"));
        assertEquals(List.of("2026-11-03"), counting.partitionsRead);
        counting.reset();
        assertEquals(List.of(row(12L)), rows("SELECT count(*) FROM m WHERE ts BETWEEN '2026-11-02 12:00' AND '2026-11-02 23:00'"));
        assertEquals(List.of("2026-11-02"), counting.partitionsRead);
        assertEquals(0, counting.openSnapshots.get());
    }

    @Test
    void countStarReadsNoColumnAndSumReadsOnlyItsColumn() {
        assertEquals(List.of(row(120L, 10710.0)), rows("SELECT count(*), sum(v) FROM m"));
        assertEquals(0, counting.rows(0));
        assertEquals(0, counting.rows(1));
        assertEquals(120, counting.rows(2));
        assertEquals(0, counting.rows(3));
    }

    @Test
    void pointLookupReadsTheKeyColumnAndSingleRowsOfTheOthers() {
        Prepared p = session.prepare("SELECT ts, v, s FROM m WHERE id = $1", List.of());
        assertEquals(List.of(row(ts("2026-11-02 03:00"), 40.5, "s27")), drain(session.execute(p, new Object[] {27L})).rows());
        assertEquals(120, counting.rows(1));
        assertEquals(1, counting.rows(0));
        assertEquals(1, counting.rows(2));
        assertEquals(1, counting.rows(3));
        assertEquals(0, counting.openSnapshots.get());
    }

    @Test
    void textEqualityRunsOnTheChunkAndReadsOtherColumnsOnlyForMatches() {
        Prepared p = session.prepare("SELECT id FROM m WHERE s = $1 AND id > 10", List.of(DataType.VARCHAR));
        assertEquals(List.of(row(27L)), drain(session.execute(p, new Object[] {"s27"})).rows());
        assertEquals(List.of(), drain(session.execute(p, new Object[] {"s3"})).rows());
        assertEquals(List.of(), drain(session.execute(p, new Object[] {null})).rows());
        assertEquals(List.of(row(120L)), rows("SELECT count(*) FROM m WHERE s <> 'x'"));
        assertEquals(0, counting.openSnapshots.get());
    }

    @Test
    void snapshotsAreClosedOnEveryPath() {
        Result r = session.execute(session.prepare("SELECT * FROM m", List.of()), new Object[0]);
        ((Result.Rows) r).cursor().next();
        assertEquals(1, counting.openSnapshots.get(), "a streaming cursor pins its snapshot");
        ((Result.Rows) r).cursor().close();
        assertEquals(0, counting.openSnapshots.get());

        assertEquals("22012", error("SELECT id / 0 FROM m").sqlState());
        assertEquals("22012", error("SELECT id FROM m ORDER BY id / 0").sqlState());
        assertEquals(0, counting.openSnapshots.get());

        session.execute(session.prepare("SELECT * FROM m", List.of()), new Object[0]);
        session.close();
        assertEquals(0, counting.openSnapshots.get(), "closing the session closes cursors left open");
    }
}
