package io.stillpoint.server.pgwire;

import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.server.http.Metrics;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.stillpoint.server.pgwire.Wire.messages;
import static io.stillpoint.server.pgwire.Wire.received;
import static io.stillpoint.server.pgwire.Wire.send;
import static io.stillpoint.server.pgwire.Wire.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection alone on its event loop runs INSERT batches on the loop itself (no worker hand-off), and hands
 * everything else to the worker, in order. The worker here is an executor that only collects tasks, so what is
 * answered before {@link #runWorker()} ran on the loop, and what is not waits for the worker.
 */
class InlineExecutionTest {
    @TempDir
    Path dir;
    private TableEngine engine;
    private EmbeddedChannel ch;
    private final List<Runnable> workerTasks = new ArrayList<>();
    private boolean aloneOnLoop = true;

    @BeforeEach
    void open() {
        engine = TableEngine.open(EngineConfig.of(dir));
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(new UserAccount("admin", "x", Role.ADMIN)));
        ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(1 << 20));
        ch.pipeline().addLast(new PgConnectionHandler(workerTasks::add,
                c -> new PgConnection(c, new SqlExecutor(engine), auth, new CancelRegistry(), 1, x -> { }),
                null, new Metrics(), 0, loop -> aloneOnLoop));
        send(ch, Wire.startup(Map.of("user", "admin", "database", "db")));
        assertEquals("", types(messages(received(ch))), "before authentication everything goes to the worker");
        runWorker();
        received(ch);
        send(ch, Wire.password("x"));
        runWorker();
        assertTrue(types(messages(received(ch))).endsWith("Z"));
        send(ch, Wire.query("CREATE TABLE t (ts TIMESTAMP, id BIGINT)"));
        runWorker();
        assertEquals("CZ", types(messages(received(ch))));
    }

    @AfterEach
    void close() throws Exception {
        ch.finishAndReleaseAll();
        engine.close();
    }

    private void runWorker() {
        while (!workerTasks.isEmpty()) {
            workerTasks.remove(0).run();
        }
    }

    private static byte[] insertBatch(String statement, int first, int rows) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(Wire.parse(statement, "INSERT INTO t VALUES ($1, $2)", 1114, 20));
        for (int i = first; i < first + rows; i++) {
            parts.add(Wire.bind("", statement, new short[0], new byte[][] {
                ("2026-11-01 00:00:" + String.format("%02d", i % 60)).getBytes(StandardCharsets.UTF_8),
                Integer.toString(i).getBytes(StandardCharsets.UTF_8)}));
            parts.add(Wire.execute("", 0));
        }
        parts.add(Wire.sync());
        return Wire.concat(parts.toArray(new byte[0][]));
    }

    private String countAndSum() {
        send(ch, Wire.query("SELECT count(*), sum(id) FROM t"));
        runWorker();
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("TDCZ", types(m));
        byte[] row = m.get(1).body(); // Int16 2, Int32 len, count, Int32 len, sum
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(row);
        b.getShort();
        String count = new String(row, 6, b.getInt(2), StandardCharsets.UTF_8);
        int at = 6 + count.length();
        String sum = new String(row, at + 4, java.nio.ByteBuffer.wrap(row, at, 4).getInt(), StandardCharsets.UTF_8);
        return count + "," + sum;
    }

    @Test
    void anInsertBatchIsAnsweredAndCommittedOnTheLoopWithoutTheWorker() {
        send(ch, insertBatch("S_1", 0, 3));
        assertEquals("12C2C2CZ", types(messages(received(ch))));
        assertTrue(workerTasks.isEmpty(), "no hand-off for an INSERT batch");
        assertEquals("3,3", countAndSum());
    }

    @Test
    void aQueryInABatchRunsOnTheWorkerAfterWhatRanInline() {
        send(ch, insertBatch("S_1", 0, 2));
        received(ch);
        send(ch, Wire.concat(Wire.parse("q", "SELECT id FROM t"), Wire.bind("", "q", new short[0], new byte[0][]),
                Wire.describe('P', ""), Wire.execute("", 0), Wire.sync()));
        // Parse, Bind and Describe ran inline (their replies wait in the buffer for Sync); the Execute waits.
        assertEquals("", types(messages(received(ch))));
        assertEquals(1, workerTasks.size());
        // While the worker has this connection's frames, nothing runs inline: an INSERT batch queues behind them.
        send(ch, insertBatch("S_2", 10, 1));
        assertEquals("", types(messages(received(ch))));
        runWorker();
        assertEquals("12T" + "DDCZ" + "12CZ", types(messages(received(ch))));
        assertEquals("3,11", countAndSum());
    }

    @Test
    void aConnectionSharingItsLoopHandsEverythingToTheWorker() {
        aloneOnLoop = false;
        send(ch, insertBatch("S_1", 0, 2));
        assertEquals("", types(messages(received(ch))));
        runWorker();
        assertEquals("12C2CZ", types(messages(received(ch))));
        assertEquals("2,1", countAndSum());
    }

    @Test
    void executesPipelinedWithoutSyncAreAnsweredAsTheirRepliesPileUp() {
        int rows = 4000; // 21 bytes of replies each: past PgConnection.FLUSH_THRESHOLD before the Sync
        byte[] batch = insertBatch("S_1", 0, rows);
        byte[] withoutSync = java.util.Arrays.copyOf(batch, batch.length - Wire.sync().length);
        send(ch, withoutSync);
        String early = types(messages(received(ch)));
        assertTrue(early.length() > 1000 && early.startsWith("12C2C") && !early.contains("Z"), early);
        send(ch, Wire.sync());
        String rest = types(messages(received(ch)));
        assertEquals("1" + "2C".repeat(rows) + "Z", early + rest);
        assertEquals(rows + "," + (long) rows * (rows - 1) / 2, countAndSum());
    }

    @Test
    void anErrorInlineSkipsToSyncAndTheConnectionGoesOn() {
        send(ch, Wire.concat(Wire.parse("bad", "INSERT INTO t VALUES ($1, $2)", 1114, 20),
                Wire.bind("", "bad", new short[0], new byte[][] {"not a time".getBytes(StandardCharsets.UTF_8),
                    "1".getBytes(StandardCharsets.UTF_8)}),
                Wire.execute("", 0), Wire.sync()));
        assertEquals("1EZ", types(messages(received(ch))));
        assertTrue(workerTasks.isEmpty());
        send(ch, insertBatch("S_1", 0, 1));
        assertEquals("12CZ", types(messages(received(ch))));
        assertEquals("1,0", countAndSum());
    }
}
