package io.stillpoint.bench.jmh;

import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.WriteTransaction;
import io.stillpoint.storage.table.TableEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Rows per second appended through {@link WriteTransaction} into a (TIMESTAMP, LONG, DOUBLE) table partitioned
 * by DAY, one fsync'd commit per batch, into a temporary root: the storage half of the headline INSERT
 * benchmark. Run: {@code java -jar benchmarks/target/benchmarks.jar AppendBenchmark -f 1 -wi 2 -i 3}.
 * The primary score is commits/s; the auxiliary counter {@code rows} is rows/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class AppendBenchmark {

    @Param({"255", "1000"})
    public int batchRows;

    private Path root;
    private TableEngine engine;
    private WriteTransaction tx;
    private final Object[] row = new Object[3];
    private long nextTs = 1_795_000_000_000_000L; // 2026-11 in microseconds
    private long nextQty;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("stillpoint-append-bench");
        engine = TableEngine.open(EngineConfig.of(root));
        engine.createTable(new TableSchema("trades", List.of(new ColumnSpec("ts", ColumnType.TIMESTAMP),
                new ColumnSpec("qty", ColumnType.LONG), new ColumnSpec("price", ColumnType.DOUBLE)), 0,
                PartitionBy.DAY), false);
        tx = engine.beginWrite();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        engine.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Appends and commits one batch: the primary score is commits/s, the "rows" counter rows/s. */
    @Benchmark
    @OperationsPerInvocation(1)
    public long commitBatch(RowCounter counter) {
        for (int i = 0; i < batchRows; i++) {
            row[0] = nextTs;
            row[1] = nextQty;
            row[2] = nextQty * 0.25;
            nextTs += 1000;
            nextQty++;
            tx.insert("trades", row);
        }
        counter.rows += batchRows;
        return tx.commit();
    }

    /** Counts rows as a JMH auxiliary counter, so the report shows rows/s next to commits/s. */
    @State(Scope.Thread)
    @org.openjdk.jmh.annotations.AuxCounters(org.openjdk.jmh.annotations.AuxCounters.Type.OPERATIONS)
    public static class RowCounter {
        public long rows;

        @Setup(Level.Iteration)
        public void reset() {
            rows = 0;
        }
    }
}
