package io.stillpoint.server.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server process's command line, start, lock, SIGTERM and restart, with the real jar. */
class ServerLifecycleIT {

    @TempDir
    Path tmp;

    record Exit(int code, String out, String err) {}

    private static Exit runJar(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ServerProcess.command(args));
        pb.environment().remove("STILLPOINT_PASSWORD");
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process did not exit");
        return new Exit(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheOptionsAndExitsZero() throws Exception {
        Exit exit = runJar("--help");
        assertEquals(0, exit.code());
        for (String option : new String[] {"--root", "--host", "--port", "--user", "--password",
                "--readonly-user", "--readonly-password", "--tls-cert", "--tls-key", "--tls-required",
                "--max-connections", "--idle-session-timeout", "--http-host", "--http-port"}) {
            assertTrue(exit.out().contains(option), "usage lacks " + option + ":\n" + exit.out());
        }
    }

    @Test
    void badOptionsExitTwoWithAMessage() throws Exception {
        Exit unknown = runJar("--bogus");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown option [option=--bogus]"), unknown.err());

        Exit badPort = runJar("--port", "99999");
        assertEquals(2, badPort.code());
        assertTrue(badPort.err().contains("invalid number [option=--port"), badPort.err());

        Exit missingValue = runJar("--root");
        assertEquals(2, missingValue.code());
        assertTrue(missingValue.err().contains("option needs a value [option=--root]"), missingValue.err());

        Exit lonelyReadOnly = runJar("--readonly-user", "reader");
        assertEquals(2, lonelyReadOnly.code());
    }

    @Test
    void nonLoopbackWithTheDefaultPasswordIsRefused() throws Exception {
        Exit exit = runJar("--root", tmp.resolve("r").toString(), "--host", "0.0.0.0", "--port", "0");
        assertEquals(2, exit.code());
        assertTrue(exit.err().contains("refusing to listen on a non-loopback address with the default password"),
                exit.err());
    }

    @Test
    void secondServerOnTheSameRootIsRefused() throws Exception {
        Path root = tmp.resolve("root");
        try (ServerProcess first = ServerProcess.start(root)) {
            Exit second = runJar("--root", root.toString(), "--port", "0");
            assertEquals(1, second.code(), second.err());
            assertTrue(second.err().toLowerCase().contains("lock"), second.err());
            assertTrue(first.isAlive());
            try (Connection c = first.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void sigtermExitsZeroAndCommittedDataSurvivesARestart() throws Exception {
        Path root = tmp.resolve("root");
        try (ServerProcess server = ServerProcess.start(root)) {
            assertTrue(server.log().contains("port=" + server.port()));
            assertTrue(server.log().contains("root=" + root.toAbsolutePath()), server.log());
            try (Connection c = server.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (ts TIMESTAMP, v LONG) TIMESTAMP(ts) PARTITION BY DAY");
                s.execute("INSERT INTO t VALUES ('2026-11-01T00:00:00', 1), ('2026-11-02T00:00:00', 2)");
                // An open, uncommitted transaction at shutdown is rolled back.
                Connection open = server.connect();
                open.setAutoCommit(false);
                open.createStatement().execute("INSERT INTO t VALUES ('2026-11-03T00:00:00', 99)");
            }
            assertEquals(0, server.stop(), server.log());
            assertFalse(server.isAlive());
        }
        try (ServerProcess server = ServerProcess.start(root);
             Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(v) FROM t")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getLong(1));
            assertEquals(3, rs.getLong(2));
        }
    }
}
