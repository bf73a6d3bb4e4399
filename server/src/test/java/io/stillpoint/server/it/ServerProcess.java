package io.stillpoint.server.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Stillpoint server process started from {@code target/stillpoint.jar}, for process-level tests: it
 * listens on a free port (--port 0) and this class learns the port from the ready line on stderr.
 */
public final class ServerProcess implements AutoCloseable {

    public static final String ADMIN = "admin";
    public static final String PASSWORD = "stillpoint";

    private static final Pattern READY = Pattern.compile("stillpoint ready \\[address=([^,]+), port=(\\d+), root=(.*)]");
    /** Printed just before the ready line. */
    private static final Pattern HTTP = Pattern.compile("stillpoint http \\[address=([^,]+), port=(\\d+),.*]");

    private final Process process;
    private final StringBuffer stderr;
    private final int port;
    private final Path root;
    private volatile int httpPort = -1;

    private ServerProcess(Process process, StringBuffer stderr, int port, Path root) {
        this.process = process;
        this.stderr = stderr;
        this.port = port;
        this.root = root;
    }

    public static Path jar() {
        String jar = System.getProperty("stillpoint.jar", "target/stillpoint.jar");
        Path path = Path.of(jar);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("server jar missing, run mvn package first [jar=" + path + "]");
        }
        return path;
    }

    /** The java command line that runs the server jar with these arguments. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Starts a server on {@code root} with a free port (and a free HTTP port, unless {@code extraArgs} name one)
     * and waits (up to 60 s) for its ready line.
     */
    public static ServerProcess start(Path root, String... extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--port", "0"));
        if (!List.of(extraArgs).contains("--http-port")) {
            args.addAll(List.of("--http-port", "0"));
        }
        args.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(command(args.toArray(String[]::new)));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process process = pb.start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.append(line).append('\n');
                    Matcher m = READY.matcher(line);
                    if (m.matches()) {
                        ready.complete(Integer.parseInt(m.group(2)));
                    }
                }
            } catch (IOException ignored) {
                // the process went away; the ready future below reports it
            }
            ready.completeExceptionally(new IllegalStateException("server exited before it was ready:\n" + log));
        }, "server-stderr");
        reader.setDaemon(true);
        reader.start();
        int port;
        try {
            port = ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not become ready: " + e.getMessage() + "\n" + log, e);
        }
        ServerProcess server = new ServerProcess(process, log, port, root);
        for (String line : log.toString().split("\n")) {
            Matcher m = HTTP.matcher(line);
            if (m.matches()) {
                server.httpPort = Integer.parseInt(m.group(2));
            }
        }
        return server;
    }

    /** The HTTP endpoint's port, from the line printed before the ready line; -1 if there was none. */
    public int httpPort() {
        return httpPort;
    }

    /** {@code http://127.0.0.1:<http port><path>}. */
    public java.net.URI httpUri(String path) {
        return java.net.URI.create("http://127.0.0.1:" + httpPort + path);
    }

    public int port() {
        return port;
    }

    public Path root() {
        return root;
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/stillpoint";
    }

    public Connection connect() throws SQLException {
        return connect(ADMIN, PASSWORD, new Properties());
    }

    public Connection connect(String user, String password, Properties extra) throws SQLException {
        Properties props = new Properties();
        props.putAll(extra);
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.putIfAbsent("connectTimeout", "10");
        props.putIfAbsent("socketTimeout", "120");
        return DriverManager.getConnection(url(), props);
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("server did not stop within 60 s after SIGTERM");
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown of any kind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        return stderr.toString();
    }

    /** Whether the server's stderr contains {@code text} within 10 s (it is read by another thread, with a lag). */
    public boolean awaitLog(String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!stderr.toString().contains(text)) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
