package io.stillpoint.server.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real psql binary runs a script against a started server; its whole output (statements echoed, results,
 * errors with their SQLSTATEs) must equal the expected transcript in {@code src/test/resources/psql/}.
 * Skipped with a message where psql is not installed, except on CI (CI=true), where that is a failure.
 */
class PsqlIT {

    @TempDir
    Path tmp;

    static boolean psqlInstalled() {
        try {
            Process p = new ProcessBuilder("psql", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void requirePsql() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (ci) {
            assertTrue(psqlInstalled(), "psql must be installed on CI (.ci/run installs postgresql-client)");
        } else {
            Assumptions.assumeTrue(psqlInstalled(), "psql is not installed: skipping the psql tests");
        }
    }

    /** Runs psql with the script on stdin-free -f, returns stdout and stderr interleaved. */
    static String psql(ServerProcess server, String password, Path script, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("psql", "-X", "-a", "-h", "127.0.0.1",
                "-p", String.valueOf(server.port()), "-U", ServerProcess.ADMIN, "-d", "stillpoint",
                "-v", "ON_ERROR_STOP=0", "-f", script.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", password);
        pb.environment().put("PGTZ", "UTC");
        pb.environment().remove("PGOPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "psql did not finish");
        return out;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PsqlIT.class.getResourceAsStream("/psql/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theTourScriptGivesTheExpectedTranscript() throws Exception {
        requirePsql();
        Path script = tmp.resolve("tour.sql");
        Files.writeString(script, resource("tour.sql"));
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            String actual = psql(server, ServerProcess.PASSWORD, script)
                    .replace(script.toString(), "tour.sql");
            Path dump = Path.of("target", "psql-tour.actual.txt");
            Files.createDirectories(dump.getParent());
            Files.writeString(dump, actual);
            assertEquals(resource("tour.expected"), actual, "psql transcript differs; actual output in " + dump);
        }
    }

    @Test
    void aWrongPasswordIsRefusedWith28P01() throws Exception {
        requirePsql();
        Path script = tmp.resolve("one.sql");
        Files.writeString(script, "SELECT 1;\n");
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            String out = psql(server, "wrong", script);
            assertTrue(out.contains("password authentication failed"), out);
        }
    }

    @Test
    void severalStatementsInOneQueryMessage() throws Exception {
        requirePsql();
        try (ServerProcess server = ServerProcess.start(tmp.resolve("root"))) {
            ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-A", "-t", "-h", "127.0.0.1",
                    "-p", String.valueOf(server.port()), "-U", ServerProcess.ADMIN, "-d", "anything",
                    "-c", "CREATE TABLE m (v INT); INSERT INTO m VALUES (1), (2); SELECT sum(v) FROM m;")
                    .redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", ServerProcess.PASSWORD);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("CREATE TABLE\nINSERT 0 2\n3\n", out, "the SELECT sees the rows inserted before it in the same implicit transaction");
            assertEquals(0, p.exitValue());
        }
    }
}
