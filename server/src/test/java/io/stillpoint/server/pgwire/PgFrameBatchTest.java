package io.stillpoint.server.pgwire;

import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.stillpoint.server.pgwire.Wire.messages;
import static io.stillpoint.server.pgwire.Wire.received;
import static io.stillpoint.server.pgwire.Wire.send;
import static io.stillpoint.server.pgwire.Wire.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoder hands all frames of one read to the worker as one batch: a pipelined batch arriving in one buffer
 * (and in arbitrary pieces) is answered exactly as message by message, and a framing error inside a buffer still
 * lets the frames before it run.
 */
class PgFrameBatchTest {
    private final FakeQueryEngine engine = new FakeQueryEngine();
    private final List<PgFrameDecoder.Frames> batchesSeen = new ArrayList<>();
    private EmbeddedChannel channel;

    private EmbeddedChannel loggedIn() {
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(new UserAccount("alice", "secret", Role.ADMIN)));
        CancelRegistry cancels = new CancelRegistry();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(1 << 20));
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof PgFrameDecoder.Frames f) {
                    batchesSeen.add(f);
                }
                ctx.fireChannelRead(msg);
            }
        });
        ch.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, engine, auth, cancels, 1, x -> { })));
        channel = ch;
        Map<String, String> options = new LinkedHashMap<>();
        options.put("user", "alice");
        options.put("database", "db");
        send(ch, Wire.startup(options));
        received(ch);
        send(ch, Wire.password("secret"));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals('Z', m.get(m.size() - 1).type());
        return ch;
    }

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static byte[] pipelinedInserts(int rows) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(Wire.parse("S_1", "insert into t values ($1, $2)", 20, 1043));
        for (int i = 0; i < rows; i++) {
            parts.add(Wire.bind("", "S_1", new short[0], new byte[][] {Integer.toString(i).getBytes(), "x".getBytes()}));
            parts.add(Wire.execute("", 0));
        }
        parts.add(Wire.sync());
        return Wire.concat(parts.toArray(new byte[0][]));
    }

    private static String expectedTypes(int rows) {
        return "1" + "2C".repeat(rows) + "Z";
    }

    @Test
    void aPipelinedBatchInOneBufferIsOneElementAndAnsweredInOrder() {
        EmbeddedChannel ch = loggedIn();
        send(ch, pipelinedInserts(300));
        assertEquals(expectedTypes(300), types(messages(received(ch))));
        assertEquals(1, batchesSeen.size());
        assertEquals(602, batchesSeen.get(0).size());
    }

    @Test
    void aBatchSplitAtEveryPossibleByteIsAnsweredTheSame() {
        EmbeddedChannel ch = loggedIn();
        byte[] all = pipelinedInserts(3);
        for (int cut = 1; cut < all.length; cut++) {
            byte[] head = java.util.Arrays.copyOfRange(all, 0, cut);
            byte[] tail = java.util.Arrays.copyOfRange(all, cut, all.length);
            send(ch, head);
            send(ch, tail);
            send(ch, Wire.close('S', "S_1"), Wire.sync());
            assertEquals(expectedTypes(3) + "3Z", types(messages(received(ch))), "cut=" + cut);
        }
    }

    @Test
    void framesBeforeAFramingErrorInTheSameBufferStillRun() {
        EmbeddedChannel ch = loggedIn();
        send(ch, pipelinedInserts(2), Wire.typed('z', new byte[0]), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals(expectedTypes(2) + "E", types(m));
        Wire.Msg error = m.get(m.size() - 1);
        assertEquals("FATAL", error.errorField('S'));
        assertEquals("08P01", error.errorField('C'));
        assertTrue(error.errorField('M').startsWith("unknown message type [type=0x7a]"), error.errorField('M'));
        assertFalse(ch.isOpen());
    }

    @Test
    void aFrameIsReadWithinItsOwnBoundsEvenWhenItsBytesShareAnArrayWithTheNext() {
        EmbeddedChannel ch = loggedIn();
        // "S_1" without its NUL: the NUL bytes of the Sync's length word follow in the same array.
        send(ch, pipelinedInserts(1), Wire.typed('B', new byte[] {0, 'S', '_', '1'}), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals(expectedTypes(1) + "E", types(m));
        assertEquals("08P01", m.get(m.size() - 1).errorField('C'));
        assertEquals("unterminated string [message=Bind, offset=1]", m.get(m.size() - 1).errorField('M'));
        assertFalse(ch.isOpen());
    }

    @Test
    void extraBytesInsideABatchAreCountedForTheirOwnFrame() {
        EmbeddedChannel ch = loggedIn();
        send(ch, pipelinedInserts(1), Wire.typed('S', new byte[] {7}), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals(expectedTypes(1) + "E", types(m));
        assertEquals("unexpected bytes at end of message [message=Sync, extra=1]", m.get(m.size() - 1).errorField('M'));
    }
}
