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

/**
 * The server process: parses the command line, opens the storage engine on the root (taking its lock), starts
 * the PostgreSQL wire server and prints one ready line to stderr. SIGTERM or SIGINT stops it cleanly: no new
 * connections, open transactions rolled back, everything committed durable, exit code 0.
 *
 * <p>Exit codes: 0 clean stop, 1 could not start (root locked, port taken, corrupt data), 2 bad command line.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
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
        TableEngine engine;
        try {
            Files.createDirectories(root);
            engine = TableEngine.open(EngineConfig.of(root));
        } catch (IOException e) {
            System.err.println("stillpoint: cannot create the root directory [root=" + root + ", error=" + e + "]");
            return 1;
        } catch (StorageException e) {
            System.err.println("stillpoint: cannot open the root [root=" + root + "]: " + e.getMessage());
            return 1;
        }

        List<UserAccount> users = new ArrayList<>();
        users.add(new UserAccount(options.user(), options.password(), Role.ADMIN));
        if (options.readOnlyUser() != null) {
            users.add(new UserAccount(options.readOnlyUser(), options.readOnlyPassword(), Role.READ_ONLY));
        }
        Metrics metrics = new Metrics();
        metrics.observe(root, engine.housekeeping()::pendingCount);
        HttpEndpoint http;
        try {
            http = HttpEndpoint.start(options.httpHost(), options.httpPort(), metrics);
        } catch (IOException | RuntimeException e) {
            System.err.println("stillpoint: cannot listen for http [host=" + options.httpHost() + ", port="
                    + options.httpPort() + ", error=" + e + "]");
            engine.close();
            return 1;
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

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());

        InetSocketAddress bound = server.boundAddress();
        InetSocketAddress httpBound = http.boundAddress();
        // Before the ready line, so whoever waits for that line already knows the HTTP port.
        System.err.println("stillpoint http [address=" + httpBound.getAddress().getHostAddress()
                + ", port=" + httpBound.getPort() + ", paths=/health,/metrics]");
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
}
