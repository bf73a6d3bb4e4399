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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Server CPU per row of the benchmark's batched insert, without a network, a client or other threads: the exact
 * message stream pgjdbc sends for {@code executeBatch} of a prepared {@code INSERT INTO t (ts, id, v)} (per row
 * Bind with a text timestamp and binary int8/float8, Describe portal, Execute; a Sync every 250 rows) is fed into
 * an EmbeddedChannel running the real decoder, connection and executor on a real {@link TableEngine}, everything
 * on the calling thread. Reports that thread's CPU time per row (fsyncs run on the storage's sync threads and are
 * not in it), so the figure survives a busy machine far better than rows/s. A tool, not a test (no assertions on
 * time); the input is generated before the clock starts.
 *
 * <pre>
 * mvn -q -B -o -pl server test-compile package -DskipTests
 * java -cp server/target/test-classes:server/target/stillpoint.jar io.stillpoint.server.pgwire.WireInsertBenchmark \
 *     [root-parent (default /dev/shm)] [rows (default 1000000)]
 * </pre>
 */
public final class WireInsertBenchmark {
    private static final int ROWS_PER_SYNC = 250;

    private WireInsertBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path parent = Path.of(args.length > 0 ? args[0] : "/dev/shm");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path root = Files.createTempDirectory(parent, "wire-insert-bench");
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            EmbeddedChannel ch = connect(engine);
            send(ch, Wire.query("CREATE TABLE t (ts TIMESTAMP, id BIGINT, v DOUBLE PRECISION) TIMESTAMP(ts) PARTITION BY DAY"));
            send(ch, Wire.parse("S_1", "INSERT INTO t (ts, id, v) VALUES ($1,$2,$3)", 0, 20, 701), Wire.sync());
            // Half the rows warm the JIT up, then the same number is measured.
            run(ch, 0, rows);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu = 0;
            long wall = 0;
            for (int from = rows; from < 2 * rows; from += 100 * ROWS_PER_SYNC) {
                byte[][] groups = input(from, Math.min(100 * ROWS_PER_SYNC, 2 * rows - from));
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                for (byte[] group : groups) {
                    send(ch, group);
                }
                cpu += threads.getCurrentThreadCpuTime() - c0;
                wall += System.nanoTime() - w0;
            }
            System.out.printf("rows=%d server_thread_cpu_ns_per_row=%.0f wall_ns_per_row=%.0f root=%s%n", rows,
                    (double) cpu / rows, (double) wall / rows, parent);
            ch.finishAndReleaseAll();
        } finally {
            try (var paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static EmbeddedChannel connect(TableEngine engine) {
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(new UserAccount("admin", "x", Role.ADMIN)));
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(1 << 20));
        ch.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, new SqlExecutor(engine), auth, new CancelRegistry(), 1, x -> { })));
        send(ch, Wire.startup(Map.of("user", "admin", "database", "db")));
        send(ch, Wire.password("x"));
        return ch;
    }

    private static void run(EmbeddedChannel ch, int from, int count) {
        for (int start = from; start < from + count; start += 100 * ROWS_PER_SYNC) {
            for (byte[] group : input(start, Math.min(100 * ROWS_PER_SYNC, from + count - start))) {
                send(ch, group);
            }
        }
    }

    /** The messages of rows {@code from..from+count-1}, one byte array per Sync group, as pgjdbc writes them. */
    private static byte[][] input(int from, int count) {
        DateTimeFormatter text = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'");
        LocalDateTime start = LocalDateTime.of(2026, 11, 1, 0, 0);
        byte[][] groups = new byte[(count + ROWS_PER_SYNC - 1) / ROWS_PER_SYNC][];
        for (int g = 0; g < groups.length; g++) {
            int n = Math.min(ROWS_PER_SYNC, count - g * ROWS_PER_SYNC);
            byte[][] parts = new byte[3 * n + 1][];
            for (int r = 0; r < n; r++) {
                long i = from + (long) g * ROWS_PER_SYNC + r;
                byte[] ts = text.format(start.plusSeconds(i)).getBytes(StandardCharsets.UTF_8);
                byte[] id = Unpooled.buffer(8).writeLong(i).array();
                byte[] v = Unpooled.buffer(8).writeDouble(i * 0.5).array();
                parts[3 * r] = Wire.bind("", "S_1", new short[] {0, 1, 1}, new byte[][] {ts, id, v});
                parts[3 * r + 1] = Wire.describe('P', "");
                parts[3 * r + 2] = Wire.execute("", 1);
            }
            parts[3 * n] = Wire.sync();
            groups[g] = Wire.concat(parts);
        }
        return groups;
    }

    /** Feeds bytes in, drains and releases the replies; an ErrorResponse aborts the benchmark. */
    private static void send(EmbeddedChannel ch, byte[]... parts) {
        ch.writeInbound(Unpooled.wrappedBuffer(Wire.concat(parts)));
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            try {
                for (int i = buf.readerIndex(); i < buf.writerIndex(); i += 1 + buf.getInt(i + 1)) {
                    if (buf.getByte(i) == 'E') {
                        throw new IllegalStateException("server error: "
                                + buf.toString(i + 5, buf.getInt(i + 1) - 4, StandardCharsets.UTF_8));
                    }
                }
            } finally {
                buf.release();
            }
        }
    }
}
