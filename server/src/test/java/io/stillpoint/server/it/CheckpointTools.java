package io.stillpoint.server.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared helpers of the checkpoint ITs: psql and copy tools as separate processes, a server start that is expected
 * to be refused, {@code checkpoint_status()} as a record, table contents as sorted row strings and a content hash of
 * a whole directory tree (to prove that a refused start changed nothing).
 */
final class CheckpointTools {

    /** The outcome of a child process: its exit code and its stdout and stderr, interleaved. */
    record Exited(int code, String output) {
        /** The non-blank lines of the output. */
        List<String> lines() {
            return output.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** One row of {@code SELECT * FROM checkpoint_status()}, timestamps as the strings the server sends. */
    record Status(boolean inProgress, String startedAt, String expiresAt, int tables, long pinnedBytes,
                  String lastReleaseReason) {
    }

    /** One row of {@code SELECT * FROM checkpoint_files()}. */
    record ManifestFile(String path, long committedLength) {
    }

    private CheckpointTools() {
    }

    /** Runs a command to its end (at most 120 s), stdout and stderr interleaved. */
    static Exited run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        // Output to a file, not a pipe read to its end, so that a hung child fails the test after the timeout.
        Path out = Files.createTempFile("stillpoint-child", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("did not finish within 120 s: " + command + "\n" + Files.readString(out));
            }
            return new Exited(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** One separate psql invocation, {@code psql -c sql}, as a backup script runs it. */
    static Exited psql(ServerProcess server, String sql) throws IOException, InterruptedException {
        return run(List.of("psql", "-X", "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
                "-U", ServerProcess.ADMIN, "-d", "stillpoint", "-v", "ON_ERROR_STOP=1", "-c", sql),
                Map.of("PGPASSWORD", ServerProcess.PASSWORD, "PGTZ", "UTC"));
    }

    /** Whether a command is on the PATH and runs. */
    static boolean installed(String... versionCommand) {
        try {
            Process p = new ProcessBuilder(versionCommand).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Copies a database root with a real copy tool: {@code cp -a}, {@code cp -al} (hard links) or
     * {@code rsync -a}. {@code to} must not exist yet.
     */
    static Exited copy(String tool, Path from, Path to) throws IOException, InterruptedException {
        List<String> cmd = switch (tool) {
            case "cp -a" -> List.of("cp", "-a", from.toString(), to.toString());
            case "cp -al" -> List.of("cp", "-al", from.toString(), to.toString());
            case "rsync -a" -> List.of("rsync", "-a", from + "/", to + "/");
            default -> throw new IllegalArgumentException("unknown copy tool [tool=" + tool + "]");
        };
        return run(cmd, Map.of());
    }

    /**
     * Starts the server jar on {@code root} and waits for it to exit on its own (a refused start); fails if it is
     * still running after 30 s (it was not refused).
     */
    static Exited startExpectingExit(Path root, String... extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "--port", "0", "--http-port", "0"));
        args.addAll(List.of(extraArgs));
        // stderr goes to a file: reading a pipe to its end would block forever on a server that did not exit.
        Path err = Files.createTempFile("stillpoint-refused", ".stderr");
        try {
            ProcessBuilder pb = new ProcessBuilder(ServerProcess.command(args.toArray(String[]::new)));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("the server did not exit, it was expected to refuse to start [root=" + root + "]\n"
                        + Files.readString(err));
            }
            return new Exited(p.exitValue(), Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    static Status status(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM checkpoint_status()")) {
            assertTrue(rs.next(), "checkpoint_status() returned no row");
            Status status = new Status(rs.getBoolean("in_progress"), rs.getString("started_at"),
                    rs.getString("expires_at"), rs.getInt("tables"), rs.getLong("pinned_bytes"),
                    rs.getString("last_release_reason"));
            assertTrue(!rs.next(), "checkpoint_status() returned more than one row");
            return status;
        }
    }

    static Status status(ServerProcess server) throws SQLException {
        try (Connection c = server.connect()) {
            return status(c);
        }
    }

    static List<ManifestFile> manifest(Connection c) throws SQLException {
        List<ManifestFile> files = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM checkpoint_files()")) {
            while (rs.next()) {
                files.add(new ManifestFile(rs.getString("path"), rs.getLong("committed_length")));
            }
        }
        return files;
    }

    /** Runs a statement that must fail; returns the exception (the caller checks SQLSTATE and message). */
    static SQLException failing(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            return e;
        }
        fail("expected an error from: " + sql);
        return null;
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The names of all tables, sorted. */
    static List<String> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW TABLES")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        names.sort(null);
        return names;
    }

    /** The rows of a query, each as its columns' text joined by '|', sorted (so order does not matter). */
    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(sb.toString());
            }
        }
        rows.sort(null);
        return rows;
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Every entry under {@code dir} (relative path) with its kind, size and SHA-256, so that two calls differ when
     * any file was created, deleted, truncated or written.
     */
    static Map<String, String> treeHash(Path dir) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    hashes.put(rel, "dir");
                } else {
                    byte[] bytes = Files.readAllBytes(p);
                    hashes.put(rel, bytes.length + ":" + sha256(bytes));
                }
            }
        }
        return hashes;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The server log's lines that report a problem: warnings, errors, exceptions and stack frames. Lines logged at
     * INFO or below are not problems (a client's statement error is logged at INFO, with its SQLSTATE).
     */
    static List<String> problems(String log) {
        return log.lines().filter(l -> {
            if (l.matches("^\\S+ (INFO|CONFIG|FINE|FINER|FINEST) .*") || l.startsWith("INFO: ")) {
                return false;
            }
            String lower = l.toLowerCase();
            return lower.contains("exception") || lower.contains("error") || lower.contains("warn")
                    || lower.contains("severe") || l.startsWith("\tat ");
        }).toList();
    }
}
