package io.stillpoint.bench.jmh;

import io.stillpoint.storage.CheckpointStatus;
import io.stillpoint.storage.Checkpoints;
import io.stillpoint.storage.EngineConfig;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code CHECKPOINT CREATE} and {@code RELEASE} latency through {@link TableEngine#checkpoints()}, with
 * {@code tables} tables of {@code rowsPerTable} rows each, spread over {@code days} DAY partitions per table (so
 * the manifest lists {@code tables * days * 3} column files). The targets of issue 4: 1,000 tables under 100 ms,
 * 100 tables under 20 ms, no growth with rows. Sample mode: the report gives p0.50, p0.90, p0.99 per method.
 * <ul>
 *   <li>{@code createRelease}: one whole cycle;</li>
 *   <li>{@code create}: CREATE alone (the release after it is outside the measurement);</li>
 *   <li>{@code release}: RELEASE alone (the create before it is outside the measurement).</li>
 * </ul>
 * Run the two series of the issue:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar CheckpointBenchmark -p tables=1,10,100,1000 -p rowsPerTable=1000
 *   java -jar benchmarks/target/benchmarks.jar CheckpointBenchmark -p tables=1 -p rowsPerTable=10000,10000000
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CheckpointBenchmark {

    /**
     * The engine with its tables, one per trial. Scope.Benchmark, not Thread: JMH 1.37 gives a Thread-scoped state
     * injected into another state's fixture an instance of its own, so the release would go to a second engine.
     */
    @State(Scope.Benchmark)
    public static class Root {
        @Param({"1", "10", "100", "1000"})
        public int tables;

        @Param({"1000"})
        public long rowsPerTable;

        @Param({"5"})
        public int days;

        private Path path;
        private TableEngine engine;
        Checkpoints checkpoints;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            path = BenchRoots.create("stillpoint-checkpoint-bench");
            engine = TableEngine.open(EngineConfig.of(path));
            for (int t = 0; t < tables; t++) {
                String name = "t" + t;
                engine.createTable(BenchRoots.trades(name), false);
                BenchRoots.load(engine, name, 0, days, rowsPerTable);
            }
            checkpoints = engine.checkpoints();
            if (checkpoints.status().inProgress()) {
                throw new IllegalStateException("a fresh root has an active checkpoint");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (checkpoints != null && checkpoints.status().inProgress()) {
                    checkpoints.release();
                }
            } finally {
                engine.close();
                BenchRoots.delete(path);
            }
        }
    }

    /** CREATE then RELEASE. */
    @Benchmark
    public CheckpointStatus createRelease(Root root) {
        CheckpointStatus status = root.checkpoints.create(null);
        root.checkpoints.release();
        return status;
    }

    /** CREATE alone; {@link ReleaseAfter} releases it outside the measurement. */
    @Benchmark
    public CheckpointStatus create(Root root, ReleaseAfter after) {
        return root.checkpoints.create(null);
    }

    /** RELEASE alone; {@link CreateBefore} created the checkpoint outside the measurement. */
    @Benchmark
    public void release(Root root, CreateBefore before) {
        root.checkpoints.release();
    }

    /** Releases the checkpoint the measured {@link #create} took. */
    @State(Scope.Thread)
    public static class ReleaseAfter {
        @TearDown(Level.Invocation)
        public void release(Root root) {
            root.checkpoints.release();
        }
    }

    /** Takes the checkpoint the measured {@link #release} ends. */
    @State(Scope.Thread)
    public static class CreateBefore {
        @Setup(Level.Invocation)
        public void create(Root root) {
            root.checkpoints.create(null);
        }
    }
}
