package io.stillpoint.server.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken clients on raw sockets: after each one the server still serves the next client. The server
 * runs with cleartext authentication so these tests can log in with a few hand-written bytes.
 */
class WireRobustnessIT {

    @TempDir
    static Path tmp;

    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(tmp.resolve("root"), "--auth", "cleartext", "--max-frame-length", "1048576");
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE big (ts TIMESTAMP, id LONG, s VARCHAR) TIMESTAMP(ts) PARTITION BY DAY");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO big VALUES (?, ?, ?)")) {
                for (int i = 0; i < 100_000; i++) {
                    ps.setObject(1, LocalDateTime.parse("2026-11-01T00:00:00").plusSeconds(i));
                    ps.setLong(2, i);
                    ps.setString(3, "row number " + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static void assertServerStillServes() throws Exception {
        assertTrue(server.isAlive(), server.log());
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM big")) {
            assertTrue(rs.next());
            assertEquals(100_000, rs.getLong(1));
        }
    }

    private static Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** Reads backend messages until the server closes; returns the type bytes seen and the last error's code. */
    private static String readUntilClosed(DataInputStream in, StringBuilder sqlStates) throws IOException {
        StringBuilder types = new StringBuilder();
        try {
            while (true) {
                int type = in.read();
                if (type < 0) {
                    return types.toString();
                }
                types.append((char) type);
                int len = in.readInt();
                byte[] body = in.readNBytes(len - 4);
                if (type == 'E') {
                    sqlStates.append(field(body, 'C')).append(' ');
                }
            }
        } catch (EOFException | SocketException e) {
            return types.toString();
        }
    }

    private static String field(byte[] errorBody, char code) {
        int i = 0;
        while (i < errorBody.length && errorBody[i] != 0) {
            int end = i + 1;
            while (errorBody[end] != 0) {
                end++;
            }
            if (errorBody[i] == code) {
                return new String(errorBody, i + 1, end - i - 1, StandardCharsets.UTF_8);
            }
            i = end + 1;
        }
        return "";
    }

    /** StartupMessage, cleartext password, wait for ReadyForQuery. */
    private static void login(DataInputStream in, DataOutputStream out) throws IOException {
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        for (String s : new String[] {"user", ServerProcess.ADMIN, "database", "stillpoint"}) {
            params.write(s.getBytes(StandardCharsets.UTF_8));
            params.write(0);
        }
        params.write(0);
        out.writeInt(8 + params.size());
        out.writeInt(196608);
        out.write(params.toByteArray());
        out.flush();
        assertEquals('R', in.read());
        in.readInt();
        assertEquals(3, in.readInt(), "expected AuthenticationCleartextPassword");
        byte[] pw = (ServerProcess.PASSWORD + "\0").getBytes(StandardCharsets.UTF_8);
        out.writeByte('p');
        out.writeInt(4 + pw.length);
        out.write(pw);
        out.flush();
        while (true) {
            int type = in.read();
            assertTrue(type > 0, "connection closed during login");
            int len = in.readInt();
            in.readNBytes(len - 4);
            if (type == 'Z') {
                return;
            }
        }
    }

    @Test
    void randomBytesBeforeStartup() throws Exception {
        Random random = new Random(1);
        for (int i = 0; i < 20; i++) {
            try (Socket s = socket()) {
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                try {
                    s.getOutputStream().write(junk);
                    s.getOutputStream().flush();
                    readUntilClosed(new DataInputStream(s.getInputStream()), new StringBuilder());
                } catch (SocketException closedWhileWriting) {
                    // fine: the server closed the connection first
                }
            }
        }
        assertServerStillServes();
    }

    @Test
    void randomBytesAfterLogin() throws Exception {
        Random random = new Random(2);
        for (int i = 0; i < 20; i++) {
            try (Socket s = socket()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                login(in, out);
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                try {
                    out.write(junk);
                    out.flush();
                    s.shutdownOutput();
                    readUntilClosed(in, new StringBuilder());
                } catch (SocketException closedWhileWriting) {
                    // fine
                }
            }
        }
        assertServerStillServes();
    }

    @Test
    void oversizedFrameLengthGets08P01AndTheConnectionCloses() throws Exception {
        try (Socket s = socket()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            login(in, out);
            out.writeByte('Q');
            out.writeInt(Integer.MAX_VALUE);
            out.write("SELECT 1".getBytes(StandardCharsets.UTF_8));
            out.flush();
            StringBuilder states = new StringBuilder();
            String types = readUntilClosed(in, states);
            assertTrue(types.contains("E"), types);
            assertEquals("08P01", states.toString().trim());
        }
        try (Socket s = socket()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(50_000_000); // an oversized startup frame
            out.writeInt(196608);
            out.flush();
            readUntilClosed(new DataInputStream(s.getInputStream()), new StringBuilder());
        }
        assertServerStillServes();
    }

    @Test
    void unknownMessageTypeGets08P01AndTheConnectionCloses() throws Exception {
        try (Socket s = socket()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            login(in, out);
            out.writeByte('y');
            out.writeInt(4);
            out.flush();
            StringBuilder states = new StringBuilder();
            readUntilClosed(in, states);
            assertEquals("08P01", states.toString().trim());
        }
        assertServerStillServes();
    }

    @Test
    void truncatedMessageThenDisconnect() throws Exception {
        try (Socket s = socket()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            login(in, out);
            out.writeByte('Q');
            out.writeInt(100);
            out.write("SELECT".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        assertServerStillServes();
    }

    @Test
    void clientThatDisconnectsMidResult() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Socket s = socket()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                login(in, out);
                byte[] sql = "SELECT * FROM big\0".getBytes(StandardCharsets.UTF_8);
                out.writeByte('Q');
                out.writeInt(4 + sql.length);
                out.write(sql);
                out.flush();
                in.readNBytes(10_000); // a little of the result, then vanish
            }
        }
        assertServerStillServes();
        // The reader pins of the vanished clients are gone: the table can still be dropped and recreated.
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE scratch (v INT)");
            st.execute("DROP TABLE scratch");
        }
    }
}
