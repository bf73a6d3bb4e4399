package io.stillpoint.server.pgwire;

import io.netty.channel.embedded.EmbeddedChannel;
import io.stillpoint.server.exec.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.stillpoint.server.pgwire.Wire.builder;
import static io.stillpoint.server.pgwire.Wire.messages;
import static io.stillpoint.server.pgwire.Wire.received;
import static io.stillpoint.server.pgwire.Wire.send;
import static io.stillpoint.server.pgwire.Wire.types;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the protocol through a Netty EmbeddedChannel (work runs inline) and checks the exact bytes answered. */
class PgProtocolTest {
    private static final int MAX_FRAME = 1 << 20;
    private static final byte[] READY_IDLE = {'Z', 0, 0, 0, 5, 'I'};
    private static final byte[] READY_IN_TX = {'Z', 0, 0, 0, 5, 'T'};

    private final FakeQueryEngine engine = new FakeQueryEngine();
    private EmbeddedChannel channel;

    private EmbeddedChannel open(AuthMethod method) {
        Authenticator auth = new Authenticator(method, List.of(new UserAccount("alice", "secret", Role.ADMIN)));
        CancelRegistry cancels = new CancelRegistry();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new PgFrameDecoder(MAX_FRAME));
        ch.pipeline().addLast(new PgConnectionHandler(Runnable::run,
                c -> new PgConnection(c, engine, auth, cancels, 1, x -> { })));
        channel = ch;
        return ch;
    }

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private static Map<String, String> startupOptions(String user) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("database", "db");
        m.put("client_encoding", "UTF8");
        return m;
    }

    /** Opens a cleartext connection and logs in as alice; returns the channel with nothing pending. */
    private EmbeddedChannel loggedIn() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.password("secret"));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals('Z', m.get(m.size() - 1).type());
        return ch;
    }

    private static byte[] tail(byte[] all, int n) {
        byte[] out = new byte[n];
        System.arraycopy(all, all.length - n, out, 0, n);
        return out;
    }

    // ------------------------------------------------------------------ startup and authentication

    @Test
    void sslAndGssencRequestsAreRefusedWithNAndStartupContinues() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.untyped(80877104, new byte[0]));
        assertArrayEquals(new byte[] {'N'}, received(ch));
        send(ch, Wire.sslRequest());
        assertArrayEquals(new byte[] {'N'}, received(ch));
        send(ch, Wire.startup(startupOptions("alice")));
        assertArrayEquals(new byte[] {'R', 0, 0, 0, 8, 0, 0, 0, 3}, received(ch));
        send(ch, Wire.password("secret"));
        byte[] bytes = received(ch);
        List<Wire.Msg> m = messages(bytes);
        assertEquals("RSSSSSKZ", types(m));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, m.get(0).body());
        byte[] serverVersion = Wire.typed('S', builder().cstr("server_version").cstr("15.0 (Stillpoint)").toBytes());
        assertArrayEquals(serverVersion, Wire.typed('S', m.get(1).body()));
        assertEquals("integer_datetimes\0on\0", m.get(2).bodyText());
        assertEquals("DateStyle\0ISO, MDY\0", m.get(4).bodyText());
        assertEquals("standard_conforming_strings\0on\0", m.get(5).bodyText());
        assertEquals(8, m.get(6).body().length);
        assertArrayEquals(READY_IDLE, tail(bytes, 6));
        assertEquals(1, engine.openSessions.get());
    }

    @Test
    void emptyParameterStatusFallsBackToDefaultsThatPgjdbcNeeds() {
        engine.parameterStatus = Map.of();
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.password("secret"));
        String all = new String(received(ch), StandardCharsets.UTF_8);
        assertTrue(all.contains("server_version\0"));
        assertTrue(all.contains("integer_datetimes\0on\0"));
        assertTrue(all.contains("client_encoding\0UTF8\0"));
        assertTrue(all.contains("session_authorization\0alice\0"));
    }

    @Test
    void wrongCleartextPasswordIsFatal28P01AndCloses() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.password("wrong"));
        byte[] expected = Wire.typed('E', builder().b('S').cstr("FATAL").b('V').cstr("FATAL").b('C').cstr("28P01")
                .b('M').cstr("password authentication failed [user=alice]").b(0).toBytes());
        assertArrayEquals(expected, received(ch));
        assertFalse(ch.isOpen());
        assertEquals(0, engine.openSessions.get());
    }

    @Test
    void unknownUserIsRefusedLikeAWrongPassword() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(startupOptions("mallory")));
        received(ch);
        send(ch, Wire.password("secret"));
        Wire.Msg error = messages(received(ch)).get(0);
        assertEquals("28P01", error.errorField('C'));
        assertEquals("password authentication failed [user=mallory]", error.errorField('M'));
        assertFalse(ch.isOpen());
    }

    /** A complete SCRAM-SHA-256 exchange with the client side computed here, as pgjdbc does (user n=*). */
    @Test
    void scramSha256ExchangeAuthenticatesAndVerifiesServerSignature() throws Exception {
        EmbeddedChannel ch = open(AuthMethod.SCRAM_SHA_256);
        send(ch, Wire.startup(startupOptions("alice")));
        byte[] expectedSasl = Wire.typed('R', builder().i32(10).cstr("SCRAM-SHA-256").b(0).toBytes());
        assertArrayEquals(expectedSasl, received(ch));

        String clientNonce = "rOprNGfwEbeRWgbNEkqO";
        String clientFirstBare = "n=*,r=" + clientNonce;
        send(ch, Wire.saslInitial("SCRAM-SHA-256", "n,," + clientFirstBare));
        Wire.Msg cont = messages(received(ch)).get(0);
        assertEquals('R', cont.type());
        assertEquals(11, ByteBuffer.wrap(cont.body()).getInt());
        String serverFirst = new String(cont.body(), 4, cont.body().length - 4, StandardCharsets.US_ASCII);
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String a : serverFirst.split(",")) {
            attrs.put(a.substring(0, 1), a.substring(2));
        }
        assertTrue(attrs.get("r").startsWith(clientNonce) && attrs.get("r").length() > clientNonce.length());
        assertEquals("4096", attrs.get("i"));
        byte[] salt = Base64.getDecoder().decode(attrs.get("s"));

        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec("secret".toCharArray(), salt, 4096, 256)).getEncoded();
        byte[] clientKey = hmac(salted, "Client Key");
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String withoutProof = "c=biws,r=" + attrs.get("r");
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[32];
        for (int i = 0; i < 32; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        send(ch, Wire.saslResponse(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));
        byte[] bytes = received(ch);
        List<Wire.Msg> m = messages(bytes);
        assertEquals("RRSSSSSKZ", types(m));
        String expectedServerFinal = "v=" + Base64.getEncoder().encodeToString(hmac(hmac(salted, "Server Key"), authMessage));
        byte[] expectedFinal = Wire.typed('R', builder().i32(12).bytes(expectedServerFinal.getBytes(StandardCharsets.US_ASCII)).toBytes());
        assertArrayEquals(expectedFinal, Wire.typed('R', m.get(0).body()));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, m.get(1).body());
        assertArrayEquals(READY_IDLE, tail(bytes, 6));
        assertTrue(ch.isOpen());
    }

    @Test
    void scramWithWrongPasswordIsFatal28P01() {
        EmbeddedChannel ch = open(AuthMethod.SCRAM_SHA_256);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.saslInitial("SCRAM-SHA-256", "n,,n=*,r=abc"));
        Wire.Msg first = messages(received(ch)).get(0);
        String serverFirst = new String(first.body(), 4, first.body().length - 4, StandardCharsets.US_ASCII);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        byte[] badProof = new byte[32];
        send(ch, Wire.saslResponse("c=biws,r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(badProof)));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("E", types(m));
        assertEquals("FATAL", m.get(0).errorField('S'));
        assertEquals("28P01", m.get(0).errorField('C'));
        assertEquals("password authentication failed [user=alice]", m.get(0).errorField('M'));
        assertFalse(ch.isOpen());
        assertEquals(0, engine.openSessions.get());
    }

    @Test
    void malformedScramMessageIs08P01() {
        EmbeddedChannel ch = open(AuthMethod.SCRAM_SHA_256);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.saslInitial("SCRAM-SHA-256", "garbage"));
        Wire.Msg error = messages(received(ch)).get(0);
        assertEquals("08P01", error.errorField('C'));
        assertFalse(ch.isOpen());
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    // ------------------------------------------------------------------ simple query

    private static byte[] rowDescriptionInt4(String name) {
        return Wire.typed('T', builder().i16(1).cstr(name).i32(0).i16(0).i32(23).i16(4).i32(-1).i16(0).toBytes());
    }

    @Test
    void simpleQueryAnswersRowDescriptionDataRowCommandCompleteReady() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("select 1"));
        byte[] expected = Wire.concat(rowDescriptionInt4("?column?"),
                Wire.typed('D', builder().i16(1).i32(1).b('1').toBytes()),
                Wire.typed('C', builder().cstr("SELECT 1").toBytes()),
                READY_IDLE);
        assertArrayEquals(expected, received(ch));
    }

    @Test
    void multiStatementQueryStopsAtTheFirstErrorWithPosition() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("select 1; select boom; select 2"));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("TDCEZ", types(m));
        byte[] expectedError = Wire.typed('E', builder().b('S').cstr("ERROR").b('V').cstr("ERROR").b('C').cstr("42703")
                .b('M').cstr("column does not exist [column=boom]").b('P').cstr("18").b(0).toBytes());
        assertArrayEquals(expectedError, Wire.typed('E', m.get(3).body()));
        assertFalse(engine.executed.contains("select 2"));
    }

    /** The R field (routine) follows P and is only written when given: pgjdbc re-prepares on RevalidateCachedQuery. */
    @Test
    void errorResponseCarriesPostgresRoutineNameOnlyWhenGiven() {
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        BackendMessages.errorResponse(out, "ERROR", "0A000", "cached plan must not change result type [table=t]", 0,
                io.stillpoint.server.exec.SqlError.ROUTINE_REVALIDATE_CACHED_QUERY);
        byte[] expected = Wire.typed('E', builder().b('S').cstr("ERROR").b('V').cstr("ERROR").b('C').cstr("0A000")
                .b('M').cstr("cached plan must not change result type [table=t]").b('R').cstr("RevalidateCachedQuery")
                .b(0).toBytes());
        byte[] actual = new byte[out.readableBytes()];
        out.readBytes(actual);
        assertArrayEquals(expected, actual);
        out.clear();
        BackendMessages.errorResponse(out, "ERROR", "42703", "column does not exist [column=x]", 8, null);
        byte[] plain = new byte[out.readableBytes()];
        out.readBytes(plain);
        assertArrayEquals(Wire.typed('E', builder().b('S').cstr("ERROR").b('V').cstr("ERROR").b('C').cstr("42703")
                .b('M').cstr("column does not exist [column=x]").b('P').cstr("8").b(0).toBytes()), plain);
        out.release();
    }

    @Test
    void parseErrorAndInternalErrorAreReportedAndTheConnectionGoesOn() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("selec 1"));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("EZ", types(m));
        assertEquals("42601", m.get(0).errorField('C'));
        assertEquals("1", m.get(0).errorField('P'));
        send(ch, Wire.query("select crash"));
        m = messages(received(ch));
        assertEquals("EZ", types(m));
        assertEquals("XX000", m.get(0).errorField('C'));
        assertEquals("internal error [exception=IllegalStateException, message=kaboom]", m.get(0).errorField('M'));
        send(ch, Wire.query("select 7"));
        assertEquals("TDCZ", types(messages(received(ch))));
    }

    @Test
    void aValueThatCannotBeEncodedLeavesNoHalfMessageBehind() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("select * from badrow"));
        List<Wire.Msg> m = messages(received(ch)); // would fail to split if a partial DataRow were left
        assertEquals("TDDEZ", types(m));
        assertEquals("XX000", m.get(3).errorField('C'));
        assertEquals(0, engine.openCursors.get());
        send(ch, Wire.query("select 1"));
        assertEquals("TDCZ", types(messages(received(ch))));
    }

    @Test
    void emptyQueryAnswersEmptyQueryResponse() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query(""));
        assertArrayEquals(Wire.concat(new byte[] {'I', 0, 0, 0, 4}, READY_IDLE), received(ch));
    }

    @Test
    void transactionStatusFollowsTheBlockAndErrorsInsideItFailTheBlock() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("BEGIN"));
        assertArrayEquals(Wire.concat(Wire.typed('C', builder().cstr("BEGIN").toBytes()), READY_IN_TX), received(ch));
        send(ch, Wire.query("insert into t values (1, 'a')"));
        assertEquals("CZ", types(messages(received(ch))));
        send(ch, Wire.query("select boom"));
        byte[] bytes = received(ch);
        assertArrayEquals(new byte[] {'Z', 0, 0, 0, 5, 'E'}, tail(bytes, 6));
        send(ch, Wire.query("ROLLBACK"));
        assertArrayEquals(READY_IDLE, tail(received(ch), 6));
        assertEquals(0, engine.table.size());
    }

    // ------------------------------------------------------------------ extended query

    @Test
    void extendedQueryWithMaxRowsSuspendsAndResumesTheNamedPortalAcrossSync() {
        EmbeddedChannel ch = loggedIn();
        // pgjdbc style: simple BEGIN pipelined in the same write as the extended messages.
        send(ch, Wire.query("BEGIN"), Wire.parse("S_1", "select * from series(5)"),
                Wire.bind("C_1", "S_1", new short[0], new byte[0][]), Wire.describe('P', "C_1"),
                Wire.execute("C_1", 2), Wire.sync());
        byte[] row1 = Wire.typed('D', builder().i16(1).i32(1).b('1').toBytes());
        byte[] row2 = Wire.typed('D', builder().i16(1).i32(1).b('2').toBytes());
        byte[] rowDescription = Wire.typed('T', builder().i16(1).cstr("n").i32(0).i16(0).i32(20).i16(8).i32(-1).i16(0).toBytes());
        byte[] expected = Wire.concat(Wire.typed('C', builder().cstr("BEGIN").toBytes()), READY_IN_TX,
                new byte[] {'1', 0, 0, 0, 4}, new byte[] {'2', 0, 0, 0, 4}, rowDescription, row1, row2,
                new byte[] {'s', 0, 0, 0, 4}, READY_IN_TX);
        assertArrayEquals(expected, received(ch));

        send(ch, Wire.execute("C_1", 2), Wire.execute("C_1", 2), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("DDsDCZ", types(m));
        assertEquals("SELECT 1\0", m.get(4).bodyText());
        assertEquals(0, engine.openCursors.get(), "an exhausted portal releases its cursor");
        send(ch, Wire.execute("C_1", 0), Wire.sync());
        m = messages(received(ch));
        assertEquals("CZ", types(m));
        assertEquals("SELECT 0\0", m.get(0).bodyText());

        send(ch, Wire.bind("C_2", "S_1", new short[0], new byte[0][]), Wire.execute("C_2", 1), Wire.sync());
        assertEquals("2DsZ", types(messages(received(ch))));
        assertEquals(1, engine.openCursors.get());
        send(ch, Wire.query("COMMIT"));
        assertArrayEquals(READY_IDLE, tail(received(ch), 6));
        assertEquals(0, engine.openCursors.get(), "portals die with the transaction");
    }

    @Test
    void errorDiscardsMessagesUntilSync() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.parse("", "select boom"), Wire.bind("", "", new short[0], new byte[0][]),
                Wire.describe('P', ""), Wire.execute("", 0), Wire.parse("", "select 5"), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("12nEZ", types(m));
        assertEquals("42703", m.get(3).errorField('C'));
        assertFalse(engine.executed.contains("select 5"));

        send(ch, Wire.bind("", "nope", new short[0], new byte[0][]), Wire.execute("", 0), Wire.sync(),
                Wire.parse("", "select 5"), Wire.bind("", "", new short[0], new byte[0][]), Wire.execute("", 0), Wire.sync());
        m = messages(received(ch));
        assertEquals("EZ12DCZ", types(m));
        assertEquals("26000", m.get(0).errorField('C'));
        assertEquals("prepared statement does not exist [name=nope]", m.get(0).errorField('M'));
    }

    @Test
    void badTextParameterIs22P02AndRollsBackTheImplicitTransaction() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.parse("", "insert into t values ($1, $2)", 20, 1043),
                Wire.bind("", "", new short[0], new byte[][] {"1".getBytes(), "a".getBytes()}), Wire.execute("", 0),
                Wire.parse("", "insert into t values ($1, $2)", 23, 1043),
                Wire.bind("", "", new short[0], new byte[][] {"abc".getBytes(), "b".getBytes()}), Wire.execute("", 0),
                Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("12C1EZ", types(m));
        assertEquals("22P02", m.get(4).errorField('C'));
        assertEquals("invalid input syntax for type integer [value=abc]", m.get(4).errorField('M'));
        assertEquals(0, engine.table.size(), "the implicit transaction was rolled back at Sync");
    }

    @Test
    void binaryParametersAndResultsAndDescribeStatement() {
        EmbeddedChannel ch = loggedIn();
        byte[] numeric = builder().i16(2).i16(0).i16(0x4000).i16(2).i16(12).i16(3400).toBytes(); // -12.34
        send(ch, Wire.parse("S_2", "select $1, $2, $3", 23, 20, 1700), Wire.describe('S', "S_2"), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("1tTZ", types(m));
        assertArrayEquals(builder().i16(3).i32(23).i32(20).i32(1700).toBytes(), m.get(1).body());

        send(ch, Wire.bind("", "S_2", new short[] {1},
                        new byte[][] {builder().i32(-7).toBytes(), builder().i32(0).i32(5).toBytes(), numeric}, (short) 1),
                Wire.execute("", 0), Wire.sync());
        m = messages(received(ch));
        assertEquals("2DCZ", types(m));
        byte[] expectedRow = builder().i16(3).i32(4).i32(-7).i32(8).i32(0).i32(5).i32(numeric.length).bytes(numeric).toBytes();
        assertArrayEquals(expectedRow, m.get(1).body());

        // Text results for the same statement, with a NULL.
        send(ch, Wire.bind("", "S_2", new short[] {0, 0, 0}, new byte[][] {"3".getBytes(), null, "-12.34".getBytes()}),
                Wire.execute("", 0), Wire.sync());
        m = messages(received(ch));
        assertArrayEquals(builder().i16(3).i32(1).b('3').i32(-1).i32(6).bytes("-12.34".getBytes()).toBytes(), m.get(1).body());
    }

    @Test
    void bindWithoutDescribeUsesTheRememberedStatementWithBinaryResults() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.parse("S_1", "select * from typed"), Wire.describe('S', "S_1"), Wire.sync());
        assertEquals("1tTZ", types(messages(received(ch))));
        send(ch, Wire.bind("", "S_1", new short[0], new byte[0][], (short) 1), Wire.execute("", 0), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("2DCZ", types(m));
        ByteBuffer row = ByteBuffer.wrap(m.get(1).body());
        assertEquals(10, row.getShort());
        assertEquals(1, row.getInt());
        assertEquals(1, row.get());
        assertEquals(2, row.getInt());
        assertEquals(-2, row.getShort());
        assertEquals(4, row.getInt());
        assertEquals(42, row.getInt());
        assertEquals(8, row.getInt());
        assertEquals(1L << 40, row.getLong());
        assertEquals(4, row.getInt());
        assertEquals(1.5f, row.getFloat());
        assertEquals(8, row.getInt());
        assertEquals(1e20, row.getDouble());
        row.position(row.position() + 4 + row.getInt(row.position())); // numeric
        int textLength = row.getInt();
        row.position(row.position() + textLength);
        row.position(row.position() + 4 + row.getInt(row.position())); // varchar
        assertEquals(8, row.getInt());
        assertEquals(1_795_255_200_123_456L - 946_684_800_000_000L, row.getLong());
    }

    @Test
    void pipelinedBatchOf255BindExecuteIsAnsweredInOrder() {
        EmbeddedChannel ch = loggedIn();
        byte[][] parts = new byte[2 + 2 * 255 + 1][];
        parts[0] = Wire.query("BEGIN");
        parts[1] = Wire.parse("S_3", "insert into t values ($1, $2)", 20, 1043);
        for (int i = 0; i < 255; i++) {
            parts[2 + 2 * i] = Wire.bind("", "S_3", new short[] {1, 0},
                    new byte[][] {builder().i32(0).i32(i).toBytes(), ("n" + i).getBytes()});
            parts[3 + 2 * i] = Wire.execute("", 1);
        }
        parts[parts.length - 1] = Wire.sync();
        send(ch, parts);
        List<Wire.Msg> m = messages(received(ch));
        assertEquals(2 + 1 + 2 * 255 + 1, m.size());
        assertEquals("INSERT 0 1\0", m.get(m.size() - 2).bodyText());
        send(ch, Wire.query("COMMIT"));
        received(ch);
        assertEquals(255, engine.table.size());
        assertEquals(254L, engine.table.get(254)[0]);
    }

    @Test
    void parameterAndFormatCountsAreUnsigned16Bit() {
        EmbeddedChannel ch = loggedIn();
        int n = 40_000;
        StringBuilder sql = new StringBuilder("select $1");
        sql.append(", $").append(n);
        byte[][] params = new byte[n][];
        for (int i = 0; i < n; i++) {
            params[i] = i % 2 == 0 ? Integer.toString(i).getBytes() : null;
        }
        send(ch, Wire.parse("", sql.toString()), Wire.describe('S', ""),
                Wire.bind("", "", new short[] {0}, params), Wire.execute("", 0), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("1tT2DCZ", types(m));
        ByteBuffer description = ByteBuffer.wrap(m.get(1).body());
        assertEquals(n, description.getShort() & 0xFFFF);
        ByteBuffer row = ByteBuffer.wrap(m.get(4).body());
        assertEquals(n, row.getShort() & 0xFFFF);
        assertEquals(1, row.getInt());
        assertEquals('0', row.get());
        assertEquals(-1, row.getInt());
        assertEquals(1, row.getInt());
        assertEquals('2', row.get());
    }

    @Test
    void unknownParameterOidsBecomeUnknownTextAndRefuseBinary() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.parse("S_u", "select $1", 2950), Wire.describe('S', "S_u"),
                Wire.bind("", "S_u", new short[0], new byte[][] {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".getBytes()}),
                Wire.execute("", 0), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("1tT2DCZ", types(m));
        assertArrayEquals(builder().i16(1).i32(705).toBytes(), m.get(1).body());
        assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", new String(m.get(4).body(), 6, 36, StandardCharsets.UTF_8));
        send(ch, Wire.bind("", "S_u", new short[] {1}, new byte[][] {new byte[16]}), Wire.execute("", 0), Wire.sync());
        m = messages(received(ch));
        assertEquals("EZ", types(m));
        assertEquals("0A000", m.get(0).errorField('C'));
        assertEquals("binary format not supported for parameter type [parameter=1, oid=2950]", m.get(0).errorField('M'));
    }

    @Test
    void flushSendsWhatIsBufferedWithoutSync() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.parse("", "select 1"));
        assertArrayEquals(new byte[0], received(ch), "replies wait for Sync or Flush");
        send(ch, Wire.flush());
        assertArrayEquals(new byte[] {'1', 0, 0, 0, 4}, received(ch));
    }

    @Test
    void errorInsideATransactionBlockFailsTheBlockUntilRollback() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("BEGIN"), Wire.parse("", "select 1"), Wire.bind("", "", new short[0], new byte[][] {{'1'}}),
                Wire.execute("", 0), Wire.sync());
        List<Wire.Msg> first = messages(received(ch));
        assertEquals("CZ1EZ", types(first));
        assertEquals("08P01", first.get(3).errorField('C'));
        assertEquals("bind message supplies 1 parameters, but prepared statement requires 0 [statement=]",
                first.get(3).errorField('M'));
        assertEquals('E', (char) first.get(4).body()[0], "the block is failed");
        send(ch, Wire.parse("", "select 1"), Wire.bind("", "", new short[0], new byte[0][]), Wire.execute("", 0), Wire.sync());
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("12EZ", types(m));
        assertEquals("25P02", m.get(2).errorField('C'));
        send(ch, Wire.query("ROLLBACK"));
        assertArrayEquals(READY_IDLE, tail(received(ch), 6));
    }

    @Test
    void newerMinorProtocolVersionIsNegotiatedDown() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        Wire.Builder b = builder().cstr("user").cstr("alice").cstr("_pq_.compression").cstr("on").b(0);
        send(ch, Wire.untyped(196610, b.toBytes()));
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("vR", types(m));
        assertArrayEquals(builder().i32(0).i32(1).cstr("_pq_.compression").toBytes(), m.get(0).body());
    }

    @Test
    void startupWithoutUserIsRefused() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(Map.of("database", "db")));
        Wire.Msg error = messages(received(ch)).get(0);
        assertEquals("28000", error.errorField('C'));
        assertFalse(ch.isOpen());
    }

    @Test
    void closeAnswersCloseCompleteEvenForUnknownNames() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.close('S', "never"), Wire.close('P', "never"), Wire.sync());
        assertArrayEquals(Wire.concat(new byte[] {'3', 0, 0, 0, 4}, new byte[] {'3', 0, 0, 0, 4}, READY_IDLE), received(ch));
    }

    @Test
    void terminateAndVanishingClientsReleaseSessionAndCursors() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.query("BEGIN"), Wire.parse("", "select * from series(10)"),
                Wire.bind("", "", new short[0], new byte[0][]), Wire.execute("", 3), Wire.sync());
        received(ch);
        assertEquals(1, engine.openCursors.get());
        ch.close();
        assertEquals(0, engine.openCursors.get());
        assertEquals(0, engine.openSessions.get());

        EmbeddedChannel other = loggedIn();
        send(other, Wire.terminate());
        assertFalse(other.isOpen());
        assertEquals(0, engine.openSessions.get());
    }

    /** Random bytes and random well-framed messages never escape as exceptions, and everything is released. */
    @Test
    void randomInputAfterLoginNeverEscapesAndLeaksNothing() {
        java.util.Random random = new java.util.Random(3);
        byte[] types = "BCdcfDEHFPpQSX".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 300; i++) {
            EmbeddedChannel ch = loggedIn();
            for (int k = 0; k < 5 && ch.isOpen(); k++) {
                byte[] body = new byte[random.nextInt(40)];
                random.nextBytes(body);
                if (random.nextBoolean()) {
                    send(ch, Wire.typed((char) types[random.nextInt(types.length)], body));
                } else {
                    send(ch, body);
                }
                received(ch);
            }
            ch.close();
            ch.finishAndReleaseAll();
            assertEquals(0, engine.openSessions.get(), "iteration " + i);
            assertEquals(0, engine.openCursors.get(), "iteration " + i);
        }
        channel = null;
    }

    // ------------------------------------------------------------------ framing violations

    private void assertFatalProtocolViolation(EmbeddedChannel ch, String messagePrefix) {
        List<Wire.Msg> m = messages(received(ch));
        assertEquals("E", types(m));
        assertEquals("FATAL", m.get(0).errorField('S'));
        assertEquals("08P01", m.get(0).errorField('C'));
        assertTrue(m.get(0).errorField('M').startsWith(messagePrefix), m.get(0).errorField('M'));
        assertFalse(ch.isOpen());
        assertEquals(0, engine.openSessions.get());
    }

    @Test
    void frameAboveTheLimitIs08P01AndCloses() {
        EmbeddedChannel ch = loggedIn();
        send(ch, builder().b('Q').i32(MAX_FRAME + 5).toBytes());
        assertFatalProtocolViolation(ch, "message too large [type=Q, length=1048581, max=1048576]");
    }

    @Test
    void unknownMessageTypeIs08P01AndCloses() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.typed('z', new byte[0]));
        assertFatalProtocolViolation(ch, "unknown message type [type=0x7a]");
    }

    @Test
    void lengthBelowFourIs08P01AndCloses() {
        EmbeddedChannel ch = loggedIn();
        send(ch, builder().b('S').i32(3).toBytes());
        assertFatalProtocolViolation(ch, "invalid message length");
    }

    @Test
    void truncatedMessageIs08P01AndCloses() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.typed('P', new byte[] {'a', 'b'}));
        assertFatalProtocolViolation(ch, "unterminated string [message=Parse");
    }

    @Test
    void garbageInsideBindIs08P01AndCloses() {
        EmbeddedChannel ch = loggedIn();
        send(ch, Wire.typed('B', builder().cstr("").cstr("").i16(0).i16(2).i32(100).toBytes()));
        assertFatalProtocolViolation(ch, "truncated message [message=Bind");
    }

    @Test
    void unknownStartupCodeIs08P01AndCloses() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.untyped(1234, new byte[0]));
        assertFatalProtocolViolation(ch, "unsupported frontend protocol");
    }

    @Test
    void cancelRequestIsReadAndClosedWithoutAnswer() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.untyped(80877102, builder().i32(42).i32(7).toBytes()));
        assertArrayEquals(new byte[0], received(ch));
        assertFalse(ch.isOpen());
    }

    @Test
    void queryBeforeAuthenticationIs08P01() {
        EmbeddedChannel ch = open(AuthMethod.CLEARTEXT);
        send(ch, Wire.startup(startupOptions("alice")));
        received(ch);
        send(ch, Wire.query("select 1"));
        assertFatalProtocolViolation(ch, "expected password message [type=Q]");
    }
}
