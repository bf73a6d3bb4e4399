package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Server CPU per row of the benchmark's {@code COPY t TO STDOUT (FORMAT csv)} of (TIMESTAMP, BIGINT, DOUBLE) rows,
 * without a network, a client or other threads: the table is loaded with COPY FROM (row i = 2026-11-01 00:00:00
 * + i s, i, i * 0.5, as the harness loads it), then the COPY TO query is fed into an EmbeddedChannel running the
 * real decoder, connection, executor and storage, everything on the calling thread; the replies are counted
 * (CopyData messages, bytes) and released. Reports that thread's CPU time per row, the median of the measured
 * rounds after warm-up rounds, which survives a busy machine far better than rows/s. A tool, not a test.
 *
 * <pre>
 * mvn -q -B -o -pl server test-compile package -DskipTests
 * java -cp server/target/test-classes:server/target/stillpoint.jar io.stillpoint.server.pgwire.CopyOutBenchmark \
 *     [root-parent (default /dev/shm)] [rows (default 1000000)] [rounds (default 5)]
 * </pre>
 */
public final class CopyOutBenchmark {

    private CopyOutBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path parent = Path.of(args.length > 0 ? args[0] : "/dev/shm");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path root = Files.createTempDirectory(parent, "copy-out-bench");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            EmbeddedChannel ch = connect(engine);
            drain(ch, Wire.query("CREATE TABLE t (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION) TIMESTAMP(ts) PARTITION BY DAY"));
            load(ch, rows);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            byte[] copy = Wire.query("COPY t TO STDOUT (FORMAT csv)");
            long[] cpu = new long[rounds];
            long[] wall = new long[rounds];
            long bytes = 0;
            for (int warm = 0; warm < 3; warm++) {
                drain(ch, copy);
            }
            for (int r = 0; r < rounds; r++) {
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                long[] counted = drain(ch, copy);
                cpu[r] = threads.getCurrentThreadCpuTime() - c0;
                wall[r] = System.nanoTime() - w0;
                if (counted[0] != rows) {
                    throw new IllegalStateException("wrong CopyData count [expected=" + rows + ", got=" + counted[0] + "]");
                }
                bytes = counted[1];
            }
            java.util.Arrays.sort(cpu);
            java.util.Arrays.sort(wall);
            System.out.printf("rows=%d copydata_bytes=%d server_thread_cpu_ns_per_row=%.1f (min %.1f) wall_ns_per_row=%.1f%n",
                    rows, bytes, (double) cpu[rounds / 2] / rows, (double) cpu[0] / rows, (double) wall[rounds / 2] / rows);
            ch.finishAndReleaseAll();
        } finally {
            try (var paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void load(EmbeddedChannel ch, int rows) {
        drain(ch, Wire.query("COPY t FROM STDIN (FORMAT csv)"));
        DateTimeFormatter text = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        LocalDateTime start = LocalDateTime.of(2026, 11, 1, 0, 0);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append(text.format(start.plusSeconds(i))).append(',').append(i).append(',').append(i * 0.5).append('\n');
            if (sb.length() > 60_000 || i == rows - 1) {
                drain(ch, Wire.typed('d', sb.toString().getBytes(StandardCharsets.UTF_8)));
                sb.setLength(0);
            }
        }
        drain(ch, Wire.typed('c', new byte[0]));
    }

    private static EmbeddedChannel connect(TableEngine engine) {
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(new UserAccount("admin", "x", Role.ADMIN)));
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(1 << 20));
        ch.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, new SqlExecutor(engine), auth, new CancelRegistry(), 1, x -> { })));
        drain(ch, Wire.startup(Map.of("user", "admin", "database", "db")));
        drain(ch, Wire.password("x"));
        return ch;
    }

    /** Feeds bytes in, counts and releases the replies: {CopyData messages, CopyData payload bytes}. */
    private static long[] drain(EmbeddedChannel ch, byte[] message) {
        ch.writeInbound(Unpooled.wrappedBuffer(message));
        long[] counted = new long[2];
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            try {
                for (int i = buf.readerIndex(); i < buf.writerIndex(); i += 1 + buf.getInt(i + 1)) {
                    byte type = buf.getByte(i);
                    if (type == 'E') {
                        throw new IllegalStateException("server error: "
                                + buf.toString(i + 5, buf.getInt(i + 1) - 4, StandardCharsets.UTF_8));
                    }
                    if (type == 'd') {
                        counted[0]++;
                        counted[1] += buf.getInt(i + 1) - 4;
                    }
                }
            } finally {
                buf.release();
            }
        }
        return counted;
    }
}
