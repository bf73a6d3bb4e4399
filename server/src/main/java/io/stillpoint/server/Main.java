package io.stillpoint.server;

import io.stillpoint.server.exec.Role;
import io.stillpoint.server.exec.SqlExecutor;
import io.stillpoint.server.http.HttpEndpoint;
import io.stillpoint.server.http.MeteredEngine;
import io.stillpoint.server.http.Metrics;
import io.stillpoint.server.pgwire.PgServer;
import io.stillpoint.server.pgwire.PgServerConfig;
import io.stillpoint.server.pgwire.UserAccount;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.table.TableEngine;
import sun.misc.Signal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * The server process: parses the command line, opens the storage engine on the root (taking its lock), starts
 * the PostgreSQL wire server and prints one ready line to stderr. SIGTERM or SIGINT stops it cleanly: no new
 * connections, open transactions rolled back, everything committed durable, exit code 0.
 *
 * <p>With {@code _restore} in the root, opening the engine restores the checkpoint copy first, which may take a
 * while: the HTTP endpoint then starts before the engine, and /health answers 503 {@code restoring} until the
 * server serves. Otherwise the engine opens first, so a second server on a locked root is told about the lock
 * rather than about a port another process holds.
 *
 * <p>Exit codes: 0 clean stop, 1 could not start (root locked, port taken, corrupt data), 2 bad command line,
 * 3 the engine refused the root because of its checkpoint state (a copy started without {@code _restore},
 * {@code _restore} without a checkpoint, a restore whose validation failed): one line
 * {@code stillpoint: cannot start: <reason>} on stderr, nothing changed on disk.
 */
public final class Main {

    /** The exit code when the engine refuses the root because of its checkpoint or restore state. */
    static final int EXIT_REFUSED = 3;
    /** The trigger file of a restore (see the design brief); its presence means the open may take a while. */
    static final String RESTORE_TRIGGER = "_restore";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, TableEngine::open);
    }

    /** {@link #run(String[])} with the way the engine is opened given: tests observe the config and the failures. */
    static int run(String[] args, Function<EngineConfig, TableEngine> openEngine) {
        ServerOptions options;
        try {
            options = ServerOptions.parse(args, System.getenv());
        } catch (ServerOptions.OptionsException e) {
            System.err.println("stillpoint: " + e.getMessage());
            System.err.println("try --help");
            return 2;
        }
        if (options.help()) {
            System.out.print(ServerOptions.USAGE);
            return 0;
        }

        Path root = options.root().toAbsolutePath().normalize();
        Metrics metrics = new Metrics();
        HttpEndpoint http = null;
        if (Files.exists(root.resolve(RESTORE_TRIGGER))) {
            http = startHttp(options, metrics);
            if (http == null) {
                return 1;
            }
            http.unavailable("restoring");
            printHttpLine(http);
        }
        TableEngine engine;
        try {
            Files.createDirectories(root);
            engine = openEngine.apply(EngineConfig.of(root).withCheckpointPolicy(options.checkpointPolicy())
                    .withHousekeepingPolicy(options.housekeepingPolicy()));
        } catch (IOException e) {
            System.err.println("stillpoint: cannot create the root directory [root=" + root + ", error=" + e + "]");
            closeQuietly(http);
            return 1;
        } catch (StorageException e) {
            closeQuietly(http);
            if (e.kind() == StorageException.Kind.RESTORE_REFUSED) {
                System.err.println("stillpoint: cannot start: " + e.getMessage());
                return EXIT_REFUSED;
            }
            System.err.println("stillpoint: cannot open the root [root=" + root + "]: " + e.getMessage());
            return 1;
        }

        List<UserAccount> users = new ArrayList<>();
        users.add(new UserAccount(options.user(), options.password(), Role.ADMIN));
        if (options.readOnlyUser() != null) {
            users.add(new UserAccount(options.readOnlyUser(), options.readOnlyPassword(), Role.READ_ONLY));
        }
        metrics.observe(root, engine.housekeeping()::pendingCount);
        metrics.observeCheckpoints(() -> engine.checkpoints().status());
        metrics.observeHousekeeping(engine.housekeeping()::status);
        boolean httpLinePrinted = http != null;
        if (http == null) {
            http = startHttp(options, metrics);
            if (http == null) {
                engine.close();
                return 1;
            }
        }
        PgServer server = new PgServer(new PgServerConfig(options.host(), options.port(),
                options.maxFrameLength(), options.authMethod(), users, options.tlsCert(), options.tlsKey(),
                options.tlsRequired(), options.maxConnections(), options.idleSessionMillis()),
                new SqlExecutor(new MeteredEngine(engine, metrics)), metrics);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("stillpoint: cannot listen [host=" + options.host() + ", port=" + options.port()
                    + ", error=" + e + "]");
            server.close();
            http.close();
            engine.close();
            return 1;
        }
        http.serving();

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());

        InetSocketAddress bound = server.boundAddress();
        if (!httpLinePrinted) {
            // Before the ready line, so whoever waits for that line already knows the HTTP port.
            printHttpLine(http);
        }
        System.err.println("stillpoint ready [address=" + bound.getAddress().getHostAddress()
                + ", port=" + bound.getPort() + ", root=" + root + "]");
        System.err.flush();

        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("stillpoint stopping [root=" + root + "]");
        http.stopping(); // /health says 503 while connections drain
        server.close();
        engine.close();
        http.close();
        System.err.println("stillpoint stopped [root=" + root + "]");
        return 0;
    }

    /** Starts the HTTP endpoint, or says why not on stderr and returns null. */
    private static HttpEndpoint startHttp(ServerOptions options, Metrics metrics) {
        try {
            return HttpEndpoint.start(options.httpHost(), options.httpPort(), metrics);
        } catch (IOException | RuntimeException e) {
            System.err.println("stillpoint: cannot listen for http [host=" + options.httpHost() + ", port="
                    + options.httpPort() + ", error=" + e + "]");
            return null;
        }
    }

    private static void printHttpLine(HttpEndpoint http) {
        InetSocketAddress httpBound = http.boundAddress();
        System.err.println("stillpoint http [address=" + httpBound.getAddress().getHostAddress()
                + ", port=" + httpBound.getPort() + ", paths=/health,/metrics]");
        System.err.flush();
    }

    private static void closeQuietly(HttpEndpoint http) {
        if (http != null) {
            http.close();
        }
    }
}
