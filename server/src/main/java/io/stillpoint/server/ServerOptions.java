package io.stillpoint.server;

import io.stillpoint.server.pgwire.AuthMethod;

import io.stillpoint.sql.IntervalText;
import io.stillpoint.storage.EngineConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The server's command line, parsed and checked. Every mistake is an {@link OptionsException} whose message is
 * shown to the operator as it is; {@link Main} then exits with code 2.
 *
 * <p>The default password is only acceptable on loopback: binding anything else with it is refused, so a
 * server is never reachable from the network with a password printed in the README.
 */
public record ServerOptions(Path root, String host, int port, String user, String password,
                            String readOnlyUser, String readOnlyPassword, AuthMethod authMethod,
                            int maxFrameLength, Path tlsCert, Path tlsKey, boolean tlsRequired,
                            int maxConnections, long idleSessionMillis, String httpHost, int httpPort,
                            Duration checkpointLease, long checkpointDiskFloorBytes, Duration housekeepingInterval,
                            boolean help) {

    public static final String DEFAULT_ROOT = "./data";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8812;
    public static final String DEFAULT_USER = "admin";
    public static final String DEFAULT_PASSWORD = "stillpoint";
    public static final String PASSWORD_ENV = "STILLPOINT_PASSWORD";
    public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 100;
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 9003;
    public static final Duration DEFAULT_CHECKPOINT_LEASE = EngineConfig.CheckpointPolicy.DEFAULT.defaultLease();
    public static final long DEFAULT_CHECKPOINT_DISK_FLOOR = EngineConfig.CheckpointPolicy.DEFAULT.diskFloorBytes();
    public static final Duration DEFAULT_HOUSEKEEPING_INTERVAL =
            EngineConfig.HousekeepingPolicy.DEFAULT.jobInterval();

    public static final String USAGE = """
            usage: java -jar server/target/stillpoint.jar [options]

              --root DIR                 data directory, created if missing (default ./data)
              --host ADDR                address to listen on (default 127.0.0.1)
              --port N                   port to listen on, 0 for any free port (default 8812)
              --user NAME                the admin user (default admin)
              --password PW              the admin password (default: $STILLPOINT_PASSWORD, else stillpoint)
              --readonly-user NAME       a user who may read but not write (needs --readonly-password)
              --readonly-password PW     that user's password
              --auth scram|cleartext     how clients authenticate (default scram, SCRAM-SHA-256)
              --max-frame-length BYTES   largest protocol message accepted (default 67108864)
              --tls-cert FILE            PEM certificate (chain): clients may use TLS (sslmode=require)
              --tls-key FILE             PEM private key (PKCS#8) of that certificate
              --tls-required             refuse clients that do not use TLS (needs --tls-cert and --tls-key)
              --max-connections N        sessions at once; the next gets SQLSTATE 53300 (default 100)
              --idle-session-timeout D   close sessions idle outside a transaction for D (e.g. 30s, 10min,
                                         500ms; a bare number is ms; default off)
              --http-host ADDR           address of the HTTP endpoint /health, /metrics (default 127.0.0.1)
              --http-port N              its port, 0 for any free port (default 9003)
              --checkpoint-lease D       how long CHECKPOINT CREATE stays active unless released first or given
                                         its own LEASE '...' (e.g. '30 minutes', 2h, '1 day'; default 24 hours)
              --checkpoint-disk-floor S  refuse CHECKPOINT CREATE, and release an active checkpoint with reason
                                         'disk guard', when free space on the root's file system is below S
                                         (bytes, or with a suffix KB, MB, GB, TB; 0 turns it off; default 256MB)
              --housekeeping-interval D  how often housekeeping's TTL and compaction jobs run (e.g. 30s, 200ms,
                                         '5 minutes'; default 1 minute)
              --help                     print this and exit

            exit codes: 0 stopped cleanly; 1 could not start (root locked, port taken, corrupt data);
                        2 bad command line; 3 refused to open the root because of its checkpoint state (a copy
                        started without _restore, _restore without a checkpoint, a restore whose checks failed:
                        nothing was changed, the reason is on stderr)
            """;

    /** A command-line mistake; the message says what and is printed as is. */
    public static final class OptionsException extends Exception {
        public OptionsException(String message) {
            super(message);
        }
    }

    public static ServerOptions parse(String[] args, Map<String, String> env) throws OptionsException {
        Path root = Path.of(DEFAULT_ROOT);
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        String user = DEFAULT_USER;
        String password = null;
        String readOnlyUser = null;
        String readOnlyPassword = null;
        AuthMethod auth = AuthMethod.SCRAM_SHA_256;
        int maxFrame = DEFAULT_MAX_FRAME_LENGTH;
        Path tlsCert = null;
        Path tlsKey = null;
        boolean tlsRequired = false;
        int maxConnections = DEFAULT_MAX_CONNECTIONS;
        long idleMillis = 0;
        String httpHost = DEFAULT_HTTP_HOST;
        int httpPort = DEFAULT_HTTP_PORT;
        Duration checkpointLease = DEFAULT_CHECKPOINT_LEASE;
        long checkpointDiskFloor = DEFAULT_CHECKPOINT_DISK_FLOOR;
        Duration housekeepingInterval = DEFAULT_HOUSEKEEPING_INTERVAL;
        boolean help = false;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                help = true;
                continue;
            }
            if (name.equals("--tls-required") && inlineValue == null) {
                tlsRequired = true;
                continue;
            }
            String value;
            if (inlineValue != null) {
                value = inlineValue;
            } else {
                if (!isValueOption(name)) {
                    throw new OptionsException("unknown option [option=" + arg + "]");
                }
                if (i + 1 >= args.length) {
                    throw new OptionsException("option needs a value [option=" + name + "]");
                }
                value = args[++i];
            }
            switch (name) {
                case "--root" -> root = Path.of(nonEmpty(name, value));
                case "--host" -> host = nonEmpty(name, value);
                case "--port" -> port = intValue(name, value, 0, 65535);
                case "--user" -> user = nonEmpty(name, value);
                case "--password" -> password = nonEmpty(name, value);
                case "--readonly-user" -> readOnlyUser = nonEmpty(name, value);
                case "--readonly-password" -> readOnlyPassword = nonEmpty(name, value);
                case "--auth" -> auth = switch (value.toLowerCase()) {
                    case "scram", "scram-sha-256" -> AuthMethod.SCRAM_SHA_256;
                    case "cleartext", "password" -> AuthMethod.CLEARTEXT;
                    default -> throw new OptionsException(
                            "unknown authentication method [auth=" + value + ", expected=scram|cleartext]");
                };
                case "--max-frame-length" -> maxFrame = intValue(name, value, 1024, Integer.MAX_VALUE);
                case "--tls-cert" -> tlsCert = readableFile(name, value);
                case "--tls-key" -> tlsKey = readableFile(name, value);
                case "--tls-required" -> tlsRequired = booleanValue(name, value);
                case "--max-connections" -> maxConnections = intValue(name, value, 1, 100_000);
                case "--idle-session-timeout" -> idleMillis = durationMillis(name, value);
                case "--http-host" -> httpHost = nonEmpty(name, value);
                case "--http-port" -> httpPort = intValue(name, value, 0, 65535);
                case "--checkpoint-lease" -> checkpointLease = lease(name, value);
                case "--checkpoint-disk-floor" -> checkpointDiskFloor = sizeBytes(name, value);
                case "--housekeeping-interval" -> housekeepingInterval = positiveInterval(name, value,
                        "the housekeeping interval");
                default -> throw new OptionsException("unknown option [option=" + arg + "]");
            }
        }

        if (password == null) {
            String fromEnv = env.get(PASSWORD_ENV);
            password = fromEnv != null && !fromEnv.isEmpty() ? fromEnv : DEFAULT_PASSWORD;
        }
        if ((readOnlyUser == null) != (readOnlyPassword == null)) {
            throw new OptionsException("--readonly-user and --readonly-password go together");
        }
        if (readOnlyUser != null && readOnlyUser.equals(user)) {
            throw new OptionsException("the read-only user must differ from the admin user [user=" + user + "]");
        }
        if (!help && password.equals(DEFAULT_PASSWORD) && !isLoopback(host)) {
            throw new OptionsException("refusing to listen on a non-loopback address with the default password;"
                    + " set --password or " + PASSWORD_ENV + " [host=" + host + "]");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new OptionsException("--tls-cert and --tls-key go together");
        }
        if (tlsRequired && tlsCert == null) {
            throw new OptionsException("--tls-required needs --tls-cert and --tls-key");
        }
        return new ServerOptions(root, host, port, user, password, readOnlyUser, readOnlyPassword, auth, maxFrame,
                tlsCert, tlsKey, tlsRequired, maxConnections, idleMillis, httpHost, httpPort, checkpointLease,
                checkpointDiskFloor, housekeepingInterval, help);
    }

    /** The engine's housekeeping policy: the default policy with this command line's job interval. */
    public EngineConfig.HousekeepingPolicy housekeepingPolicy() {
        return EngineConfig.HousekeepingPolicy.DEFAULT.withJobInterval(housekeepingInterval);
    }

    /** The engine's checkpoint policy: the default policy with this command line's lease and disk floor. */
    public EngineConfig.CheckpointPolicy checkpointPolicy() {
        EngineConfig.CheckpointPolicy d = EngineConfig.CheckpointPolicy.DEFAULT;
        return new EngineConfig.CheckpointPolicy(checkpointLease, checkpointDiskFloorBytes, d.guardInterval(),
                d.clock());
    }

    private static boolean isValueOption(String name) {
        return switch (name) {
            case "--root", "--host", "--port", "--user", "--password", "--readonly-user", "--readonly-password",
                 "--auth", "--max-frame-length", "--tls-cert", "--tls-key", "--max-connections",
                 "--idle-session-timeout", "--http-host", "--http-port", "--checkpoint-lease",
                 "--checkpoint-disk-floor", "--housekeeping-interval" -> true;
            default -> false;
        };
    }

    private static String nonEmpty(String name, String value) throws OptionsException {
        if (value.isEmpty()) {
            throw new OptionsException("option needs a non-empty value [option=" + name + "]");
        }
        return value;
    }

    private static int intValue(String name, String value, int min, int max) throws OptionsException {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new OptionsException("invalid number [option=" + name + ", value=" + value
                    + ", min=" + min + ", max=" + max + "]");
        }
    }

    private static Path readableFile(String name, String value) throws OptionsException {
        Path p = Path.of(nonEmpty(name, value));
        if (!java.nio.file.Files.isReadable(p)) {
            throw new OptionsException("file not readable [option=" + name + ", file=" + value + "]");
        }
        return p;
    }

    private static boolean booleanValue(String name, String value) throws OptionsException {
        return switch (value.toLowerCase()) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new OptionsException("invalid boolean [option=" + name + ", value=" + value + "]");
        };
    }

    /** A duration as PostgreSQL writes time settings: a number of ms, or with a unit ms, s, min, h, d; 0 is off. */
    static long durationMillis(String name, String value) throws OptionsException {
        String t = value.trim().toLowerCase();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        long factor = switch (t.substring(i).trim()) {
            case "", "ms" -> 1;
            case "s" -> 1000;
            case "min" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> -1;
        };
        if (i == 0 || factor < 0 || i > 12) {
            throw new OptionsException("invalid duration [option=" + name + ", value=" + value
                    + ", expected=a number of ms or with a unit ms|s|min|h|d]");
        }
        return Long.parseLong(t.substring(0, i)) * factor;
    }

    /** A positive interval as {@code CHECKPOINT CREATE LEASE '...'} takes it: '30 minutes', 2h, '1 day', 01:30:00. */
    static Duration lease(String name, String value) throws OptionsException {
        return positiveInterval(name, value, "the checkpoint lease");
    }

    /** A positive interval in {@link #lease}'s forms; {@code what} names it in the error. */
    static Duration positiveInterval(String name, String value, String what) throws OptionsException {
        Duration d;
        try {
            d = IntervalText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new OptionsException("invalid interval [option=" + name + ", value=" + value
                    + ", expected=e.g. '30 minutes', 2h, '1 day', max " + IntervalText.MAX.toDays() + " days]");
        }
        if (d.isNegative() || d.isZero()) {
            throw new OptionsException(what + " must be positive [option=" + name + ", value=" + value + "]");
        }
        return d;
    }

    /** A size in bytes: a number, optionally with a suffix K, KB, M, MB, G, GB, T, TB (powers of 1024), any case. */
    static long sizeBytes(String name, String value) throws OptionsException {
        String t = value.trim().toUpperCase(java.util.Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        int shift = switch (t.substring(i).trim()) {
            case "", "B" -> 0;
            case "K", "KB", "KIB" -> 10;
            case "M", "MB", "MIB" -> 20;
            case "G", "GB", "GIB" -> 30;
            case "T", "TB", "TIB" -> 40;
            default -> -1;
        };
        if (i == 0 || shift < 0 || i > 15 || Long.parseLong(t.substring(0, i)) > (Long.MAX_VALUE >> shift)) {
            throw new OptionsException("invalid size [option=" + name + ", value=" + value
                    + ", expected=bytes or a number with KB|MB|GB|TB, 0 for off]");
        }
        return Long.parseLong(t.substring(0, i)) << shift;
    }

    /** Whether every address the host name resolves to is a loopback address. */
    static boolean isLoopback(String host) throws OptionsException {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress a : addresses) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            throw new OptionsException("unknown host [host=" + host + "]");
        }
    }
}
