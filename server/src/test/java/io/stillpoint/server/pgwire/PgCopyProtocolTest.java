package io.stillpoint.server.pgwire;

import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.stillpoint.server.pgwire.Wire.builder;
import static io.stillpoint.server.pgwire.Wire.messages;
import static io.stillpoint.server.pgwire.Wire.received;
import static io.stillpoint.server.pgwire.Wire.send;
import static io.stillpoint.server.pgwire.Wire.types;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The COPY sub-protocol byte by byte, through an EmbeddedChannel, against the real executor and storage. */
class PgCopyProtocolTest {

    @TempDir
    Path root;
    private TableEngine engine;
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        engine = TableEngine.open(EngineConfig.of(root));
        Authenticator auth = new Authenticator(AuthMethod.CLEARTEXT, List.of(
                new UserAccount("alice", "secret", Role.ADMIN), new UserAccount("reader", "secret", Role.READ_ONLY)));
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new PgFrameDecoder(1 << 20));
        channel.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, new SqlExecutor(engine), auth, new CancelRegistry(), 1, x -> { })));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        engine.close();
    }

    private void login(String user) {
        send(channel, Wire.startup(Map.of("user", user, "database", "db")));
        received(channel);
        send(channel, Wire.password("secret"));
        received(channel);
    }

    private List<Wire.Msg> query(String sql) {
        send(channel, Wire.query(sql));
        return messages(received(channel));
    }

    private static byte[] copyData(String s) {
        return Wire.typed('d', s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] copyDone() {
        return Wire.typed('c', new byte[0]);
    }

    private static String text(Wire.Msg m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    @Test
    void copyInRowsSplitAcrossCopyDataThenTheRestOfTheQuery() {
        login("alice");
        query("CREATE TABLE t (v BIGINT, s VARCHAR)");
        List<Wire.Msg> start = query("COPY t FROM STDIN WITH (FORMAT csv); SELECT count(*) FROM t");
        assertEquals("G", types(start));
        // CopyInResponse: overall format 0 (text), 2 columns, each format 0
        assertArrayEquals(new byte[] {0, 0, 2, 0, 0, 0, 0}, start.get(0).body());
        send(channel, copyData("1,\"a"), copyData("\nb\"\n2,"), copyData("x\n3,\"q,\"\"\"\n"));
        assertEquals(0, received(channel).length);
        send(channel, copyDone());
        List<Wire.Msg> done = messages(received(channel));
        assertEquals("CTDCZ", types(done));
        assertEquals("COPY 3\0", text(done.get(0)));
        assertEquals("SELECT 1\0", text(done.get(3)));
        // the statement after the COPY in the same Query reads the copied rows (not yet committed)
        assertEquals("3", new String(done.get(2).body(), 6, 1, StandardCharsets.UTF_8));
        assertEquals('I', done.get(4).body()[0]);
        List<Wire.Msg> out = query("COPY t TO STDOUT WITH (FORMAT csv, HEADER)");
        assertEquals("HddddcCZ", types(out));
        assertArrayEquals(new byte[] {0, 0, 2, 0, 0, 0, 0}, out.get(0).body());
        assertEquals("v,s\n", text(out.get(1)));
        assertEquals("1,\"a\nb\"\n", text(out.get(2)));
        assertEquals("2,x\n", text(out.get(3)));
        assertEquals("3,\"q,\"\"\"\n", text(out.get(4)));
        assertEquals(4, out.get(5).body().length + 4);
        assertEquals("COPY 3\0", text(out.get(6)));
        List<Wire.Msg> textOut = query("COPY (SELECT s FROM t WHERE v = 1) TO STDOUT");
        assertEquals("HdcCZ", types(textOut));
        assertEquals("a\\nb\n", text(textOut.get(1)));
    }

    @Test
    void badRowAnswersErrorAndReadyAtOnceAndLaterCopyDataIsDropped() {
        login("alice");
        query("CREATE TABLE t (v BIGINT)");
        query("COPY t FROM STDIN");
        send(channel, copyData("1\n2\nabc\n"));
        List<Wire.Msg> error = messages(received(channel));
        assertEquals("EZ", types(error));
        assertEquals("22P02", error.get(0).errorField('C'));
        assertEquals("invalid input syntax for type bigint [value=abc, line=3, column=v]", error.get(0).errorField('M'));
        send(channel, copyData("4\n"), copyDone());
        assertEquals(0, received(channel).length);
        List<Wire.Msg> count = query("SELECT count(*) FROM t");
        assertEquals("0", new String(count.get(1).body(), 6, 1, StandardCharsets.UTF_8));
    }

    @Test
    void copyFailIs57014AndNothingIsCommitted() {
        login("alice");
        query("CREATE TABLE t (v BIGINT)");
        query("COPY t FROM STDIN");
        send(channel, copyData("1\n2\n"), Wire.typed('f', builder().cstr("user gave up").toBytes()));
        List<Wire.Msg> error = messages(received(channel));
        assertEquals("EZ", types(error));
        assertEquals("57014", error.get(0).errorField('C'));
        assertEquals("COPY from stdin failed: user gave up", error.get(0).errorField('M'));
        List<Wire.Msg> count = query("SELECT count(*) FROM t");
        assertEquals("0", new String(count.get(1).body(), 6, 1, StandardCharsets.UTF_8));
    }

    @Test
    void copyInFromTheExtendedProtocolEndsAtSync() {
        login("alice");
        query("CREATE TABLE t (v BIGINT)");
        send(channel, Wire.parse("", "COPY t FROM STDIN"), Wire.bind("", "", new short[0], new byte[0][]),
                Wire.describe('P', ""), Wire.execute("", 0));
        assertEquals("12nG", types(messages(received(channel))));
        send(channel, copyData("5\n6\n"), Wire.flush(), copyDone(), Wire.sync());
        List<Wire.Msg> done = messages(received(channel));
        assertEquals("CZ", types(done));
        assertEquals("COPY 2\0", text(done.get(0)));
        List<Wire.Msg> count = query("SELECT sum(v) FROM t");
        assertEquals("11", new String(count.get(1).body(), 6, 2, StandardCharsets.UTF_8));
    }

    @Test
    void readOnlyUserGets42501OnCopyFromAndMayCopyTo() {
        login("reader");
        List<Wire.Msg> denied = query("COPY t FROM STDIN");
        assertEquals("EZ", types(denied));
        assertEquals("42501", denied.get(0).errorField('C'));
        List<Wire.Msg> out = query("COPY (SELECT 1 AS one) TO STDOUT");
        assertEquals("HdcCZ", types(out));
        assertEquals("1\n", text(out.get(1)));
    }
}
