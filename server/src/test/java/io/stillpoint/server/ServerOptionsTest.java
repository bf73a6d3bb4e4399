package io.stillpoint.server;

import io.stillpoint.storage.EngineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operations options: TLS, limits, HTTP, the checkpoint lease and disk floor. */
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

    @Test
    void checkpointDefaultsAreTheEnginesDefaults() throws Exception {
        ServerOptions o = parse();
        assertEquals(Duration.ofHours(24), o.checkpointLease());
        assertEquals(256L << 20, o.checkpointDiskFloorBytes());
        EngineConfig.CheckpointPolicy policy = o.checkpointPolicy();
        assertEquals(EngineConfig.CheckpointPolicy.DEFAULT.defaultLease(), policy.defaultLease());
        assertEquals(EngineConfig.CheckpointPolicy.DEFAULT.diskFloorBytes(), policy.diskFloorBytes());
        assertEquals(EngineConfig.CheckpointPolicy.DEFAULT.guardInterval(), policy.guardInterval());
    }

    @Test
    void checkpointLeaseAndDiskFloor() throws Exception {
        ServerOptions o = parse("--checkpoint-lease", "30 minutes", "--checkpoint-disk-floor", "1GB");
        assertEquals(Duration.ofMinutes(30), o.checkpointLease());
        assertEquals(1L << 30, o.checkpointDiskFloorBytes());
        assertEquals(Duration.ofMinutes(30), o.checkpointPolicy().defaultLease());
        assertEquals(1L << 30, o.checkpointPolicy().diskFloorBytes());
        assertEquals(Duration.ofHours(2), parse("--checkpoint-lease=2h").checkpointLease());
        assertEquals(Duration.ofMinutes(90), parse("--checkpoint-lease", "1 hour 30 minutes").checkpointLease());
        assertEquals(Duration.ofDays(1), parse("--checkpoint-lease", "1 day").checkpointLease());
        assertEquals(0, parse("--checkpoint-disk-floor", "0").checkpointDiskFloorBytes());
        assertEquals(0, parse("--checkpoint-disk-floor", "0").checkpointPolicy().diskFloorBytes());
        assertEquals(12345, parse("--checkpoint-disk-floor", "12345").checkpointDiskFloorBytes());
        assertEquals(512L << 10, parse("--checkpoint-disk-floor", "512kb").checkpointDiskFloorBytes());
        assertEquals(256L << 20, parse("--checkpoint-disk-floor=256 MB").checkpointDiskFloorBytes());
        assertEquals(2L << 40, parse("--checkpoint-disk-floor", "2T").checkpointDiskFloorBytes());
    }

    @Test
    void checkpointMistakes() {
        assertEquals("invalid interval [option=--checkpoint-lease, value=soon, expected=e.g. '30 minutes', 2h, "
                        + "'1 day', max 36500 days]",
                assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease", "soon"))
                        .getMessage());
        assertEquals("the checkpoint lease must be positive [option=--checkpoint-lease, value=0s]",
                assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease", "0s"))
                        .getMessage());
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease", "-1h"))
                .getMessage().contains("must be positive"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease", "1 month"))
                .getMessage().startsWith("invalid interval"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease", "99999 days"))
                .getMessage().startsWith("invalid interval"));
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--checkpoint-lease"))
                .getMessage().contains("needs a value"));
        for (String bad : new String[] {"", "MB", "-1", "1.5GB", "10 PB", "ten", "99999999999999999999",
                "9000000000000TB"}) {
            assertEquals("invalid size [option=--checkpoint-disk-floor, value=" + bad
                            + ", expected=bytes or a number with KB|MB|GB|TB, 0 for off]",
                    assertThrows(ServerOptions.OptionsException.class,
                            () -> parse("--checkpoint-disk-floor", bad)).getMessage(), bad);
        }
    }

    @Test
    void usageListsTheCheckpointOptionsAndExitCodes() {
        assertTrue(ServerOptions.USAGE.contains("--checkpoint-lease D"), ServerOptions.USAGE);
        assertTrue(ServerOptions.USAGE.contains("--checkpoint-disk-floor S"), ServerOptions.USAGE);
        assertTrue(ServerOptions.USAGE.contains("3 refused to open the root"), ServerOptions.USAGE);
    }

    @Test
    void housekeepingIntervalParsesLikeTheLeaseAndReachesThePolicy() throws Exception {
        assertEquals(Duration.ofMinutes(1), parse().housekeepingInterval());
        assertEquals(EngineConfig.HousekeepingPolicy.DEFAULT, parse().housekeepingPolicy());
        assertEquals(Duration.ofMillis(200), parse("--housekeeping-interval", "200ms").housekeepingInterval());
        assertEquals(Duration.ofMillis(200), parse("--housekeeping-interval", "200ms").housekeepingPolicy()
                .jobInterval());
        assertEquals(Duration.ofSeconds(30), parse("--housekeeping-interval=30s").housekeepingInterval());
        assertEquals(Duration.ofMinutes(5), parse("--housekeeping-interval", "5 minutes").housekeepingInterval());
        assertEquals("invalid interval [option=--housekeeping-interval, value=often, expected=e.g. '30 minutes', 2h, "
                        + "'1 day', max 36500 days]",
                assertThrows(ServerOptions.OptionsException.class, () -> parse("--housekeeping-interval", "often"))
                        .getMessage());
        assertEquals("the housekeeping interval must be positive [option=--housekeeping-interval, value=0s]",
                assertThrows(ServerOptions.OptionsException.class, () -> parse("--housekeeping-interval", "0s"))
                        .getMessage());
        assertTrue(assertThrows(ServerOptions.OptionsException.class, () -> parse("--housekeeping-interval"))
                .getMessage().contains("needs a value"));
        assertTrue(ServerOptions.USAGE.contains("--housekeeping-interval D"), ServerOptions.USAGE);
    }
}
