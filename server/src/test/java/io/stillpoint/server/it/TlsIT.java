package io.stillpoint.server.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS with a throw-away self-signed certificate made by {@code openssl} for the test: pgjdbc and psql with
 * {@code sslmode=require}, {@code --tls-required} refusing plain clients with 28000, and 'N' without a certificate.
 */
class TlsIT {

    @TempDir
    static Path tmp;

    static Path cert;
    static Path key;

    @BeforeAll
    static void makeCertificate() throws Exception {
        cert = tmp.resolve("cert.pem");
        key = tmp.resolve("key.pem");
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost", "-days", "2")
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
            assertTrue(!ci, "openssl must be installed on CI");
            Assumptions.assumeTrue(false, "openssl is not installed: skipping the TLS tests");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl failed: " + out);
    }

    private static Connection connect(ServerProcess server, String sslmode) throws SQLException {
        Properties p = new Properties();
        if (!sslmode.equals("disable")) {
            p.setProperty("ssl", "true");
        }
        p.setProperty("sslmode", sslmode);
        return server.connect(ServerProcess.ADMIN, ServerProcess.PASSWORD, p);
    }

    private static long selectSum(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 40 + 2")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void pgjdbcConnectsOverTlsAndPlainClientsAreRefusedWhenTlsIsRequired() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("required"), "--tls-cert", cert.toString(),
                "--tls-key", key.toString(), "--tls-required")) {
            try (Connection c = connect(server, "require")) {
                assertEquals(42, selectSum(c)); // only possible over TLS on this server
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t (ts TIMESTAMP, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
                    s.execute("INSERT INTO t VALUES ('2026-11-01T00:00:00', 1), ('2026-11-02T00:00:00', 2)");
                    try (ResultSet rs = s.executeQuery("SELECT sum(v) FROM t")) {
                        assertTrue(rs.next());
                        assertEquals(3, rs.getLong(1));
                    }
                }
            }
            SQLException refused = assertThrows(SQLException.class, () -> connect(server, "disable"));
            assertEquals("28000", refused.getSQLState(), refused.toString());
            assertTrue(refused.getMessage().contains("tls is required"), refused.getMessage());
            assertTrue(refused.getMessage().contains("user=admin"), refused.getMessage());
            assertTrue(server.awaitLog("sqlstate=28000"), server.log());
            try (Connection again = connect(server, "require")) {
                assertEquals(42, selectSum(again));
            }
        }
    }

    @Test
    void tlsIsOptionalWithoutTlsRequired() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("optional"), "--tls-cert", cert.toString(),
                "--tls-key", key.toString())) {
            try (Connection tls = connect(server, "require"); Connection plain = connect(server, "disable")) {
                assertEquals(42, selectSum(tls));
                assertEquals(42, selectSum(plain));
            }
        }
    }

    @Test
    void withoutACertificateSslRequestIsAnsweredN() throws Exception {
        try (ServerProcess server = ServerProcess.start(tmp.resolve("none"))) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(8);
                out.writeInt(80877103);
                out.flush();
                assertEquals('N', new DataInputStream(socket.getInputStream()).readByte());
            }
            SQLException e = assertThrows(SQLException.class, () -> connect(server, "require"));
            assertTrue(e.getMessage().toLowerCase().contains("ssl"), e.getMessage());
            try (Connection plain = connect(server, "disable")) {
                assertEquals(42, selectSum(plain));
            }
        }
    }

    @Test
    void psqlConnectsWithSslmodeRequire() throws Exception {
        PsqlIT.requirePsql();
        try (ServerProcess server = ServerProcess.start(tmp.resolve("psql"), "--tls-cert", cert.toString(),
                "--tls-key", key.toString(), "--tls-required")) {
            String conninfo = "host=127.0.0.1 port=" + server.port() + " user=admin dbname=stillpoint sslmode=";
            String ok = psql(conninfo + "require", "\\conninfo", "SELECT 40 + 2 AS answer");
            assertTrue(ok.contains("SSL connection"), ok);
            assertTrue(ok.contains("42"), ok);
            String refused = psql(conninfo + "disable", "SELECT 1");
            assertTrue(refused.contains("tls is required"), refused);
        }
    }

    private static String psql(String conninfo, String... commands) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("psql", "-X", conninfo));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", ServerProcess.PASSWORD);
        pb.environment().remove("PGSSLMODE");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "psql did not finish");
        return out;
    }
}
