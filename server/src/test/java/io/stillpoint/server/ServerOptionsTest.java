package io.stillpoint.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operations options: TLS, limits, HTTP. */
class ServerOptionsTest {

    @TempDir
    Path tmp;

    private static ServerOptions parse(String... args) throws ServerOptions.OptionsException {
        return ServerOptions.parse(args, Map.of());
    }

    @Test
    void defaults() throws Exception {
        ServerOptions o = parse();
        assertNull(o.tlsCert());
        assertFalse(o.tlsRequired());
        assertEquals(100, o.maxConnections());
        assertEquals(0, o.idleSessionMillis());
        assertEquals("127.0.0.1", o.httpHost());
        assertEquals(9003, o.httpPort());
    }

    @Test
    void operationsOptions() throws Exception {
        Path cert = Files.writeString(tmp.resolve("c.pem"), "x");
        Path key = Files.writeString(tmp.resolve("k.pem"), "x");
        ServerOptions o = parse("--tls-cert", cert.toString(), "--tls-key=" + key, "--tls-required",
                "--max-connections", "7", "--idle-session-timeout", "2min", "--http-host", "localhost",
                "--http-port", "0");
        assertEquals(cert, o.tlsCert());
        assertEquals(key, o.tlsKey());
        assertTrue(o.tlsRequired());
        assertEquals(7, o.maxConnections());
        assertEquals(120_000, o.idleSessionMillis());
        assertEquals("localhost", o.httpHost());
        assertEquals(0, o.httpPort());
        assertEquals(1500, parse("--idle-session-timeout", "1500").idleSessionMillis());
        assertEquals(30_000, parse("--idle-session-timeout", "30s").idleSessionMillis());
    }

    @Test
    void mistakes() throws Exception {
        Path cert = Files.writeString(tmp.resolve("c.pem"), "x");
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--tls-cert", cert.toString()))
                .getMessage().contains("go together"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--tls-required"))
                .getMessage().contains("needs --tls-cert"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class,
                () -> parse("--tls-cert", tmp.resolve("missing.pem").toString())).getMessage().contains("not readable"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--max-connections", "0"))
                .getMessage().contains("invalid number"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--idle-session-timeout", "soon"))
                .getMessage().contains("invalid duration"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--http-port", "70000"))
                .getMessage().contains("invalid number"));
    }
}
