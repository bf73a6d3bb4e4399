package io.stillpoint.bench.jmh;

import io.stillpoint.storage.ColumnChunk;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.table.TableEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of {@code UPDATE t SET qty = qty + 1} of one partition of a 100-partition table, as the other 99
 * partitions grow ({@code otherRows} rows each): the copy-on-write rewrite should read and write the target
 * partition only, so the time should stay flat. Each invocation is one durable commit through
 * {@link WriteTransaction#rewrite}: it reads the target's three columns, boxes its rows as the server's UPDATE
 * does, writes {@code <partition>.<txn>/} and the new {@code _txn}, fsyncs; the superseded version is purged by
 * the housekeeping thread meanwhile (part of the real cost). Run:
 * {@code java -jar benchmarks/target/benchmarks.jar PartitionUpdateBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class PartitionUpdateBenchmark {

    private static final int PARTITIONS = 100;

    /** Rows in each of the 99 partitions that the UPDATE does not touch. */
    @Param({"1000", "100000"})
    public long otherRows;

    /** Rows in the updated partition. */
    @Param({"10000"})
    public long targetRows;

    private Path root;
    private TableEngine engine;
    private String target;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = BenchRoots.create("stillpoint-update-bench");
        engine = TableEngine.open(EngineConfig.of(root));
        engine.createTable(BenchRoots.trades("t"), false);
        // The updated partition sits in the middle of the table, not at its end.
        int targetDay = PARTITIONS / 2;
        for (int d = 0; d < PARTITIONS; d++) {
            BenchRoots.load(engine, "t", d, 1, d == targetDay ? targetRows : otherRows);
        }
        target = LocalDate.ofEpochDay(BenchRoots.FIRST_DAY / BenchRoots.DAY_MICROS + targetDay).toString();
        if (engine.tables().get(0).partitionCount() != PARTITIONS) {
            throw new IllegalStateException("setup made a wrong table [partitions="
                    + engine.tables().get(0).partitionCount() + "]");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        BenchRoots.delete(root);
    }

    /** One UPDATE of the target partition, as its own durable commit. */
    @Benchmark
    public long updateOnePartition() {
        try (WriteTransaction tx = engine.beginWrite()) {
            long txn = tx.rewrite("t", new PartitionRewriter() {
                @Override
                public boolean mayTouch(PartitionSnapshot p) {
                    return p.name().equals(target);
                }

                @Override
                public List<Object[]> rewrite(PartitionSnapshot p) {
                    int n = (int) p.rowCount();
                    ColumnChunk ts = p.read(0, 0, n);
                    ColumnChunk qty = p.read(1, 0, n);
                    ColumnChunk price = p.read(2, 0, n);
                    List<Object[]> rows = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        Object q = qty.getValue(i);
                        rows.add(new Object[]{ts.getValue(i), q == null ? null : (Long) q + 1, price.getValue(i)});
                    }
                    return rows;
                }
            });
            if (txn < 0) {
                throw new IllegalStateException("the update changed nothing [partition=" + target + "]");
            }
            return txn;
        }
    }
}
