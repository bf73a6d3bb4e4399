package io.stillpoint.bench.jmh;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.TableSnapshot;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The reader pin: {@code engine.snapshot(t)} (pins the table incarnation and the partition versions of the latest
 * committed state) plus {@code close()} (unpins, wakes the purge if this was the last reader of a superseded
 * version), in nanoseconds, on one thread and on two threads pinning the same table at once (both contend for the
 * table's monitor). Run: {@code java -jar benchmarks/target/benchmarks.jar SnapshotPinBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class SnapshotPinBenchmark {

    /** Partitions of the pinned table (a snapshot references every partition version of its state). */
    @Param({"1", "100"})
    public int partitions;

    private Path root;
    private TableEngine engine;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = BenchRoots.create("stillpoint-pin-bench");
        engine = TableEngine.open(EngineConfig.of(root));
        engine.createTable(BenchRoots.trades("t"), false);
        BenchRoots.load(engine, "t", 0, partitions, partitions * 100L);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        BenchRoots.delete(root);
    }

    /** Pin and release on one thread. */
    @Benchmark
    public long pinRelease() {
        try (TableSnapshot s = engine.snapshot("t")) {
            return s.txn();
        }
    }

    /** The same with two threads pinning the same table concurrently (time per pair, per thread). */
    @Benchmark
    @Threads(2)
    public long pinReleaseTwoThreads() {
        try (TableSnapshot s = engine.snapshot("t")) {
            return s.txn();
        }
    }
}
