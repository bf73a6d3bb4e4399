package io.stillpoint.storage.table;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The root lock holds against another process, not only another engine of this JVM. */
class RootLockProcessTest {

    @TempDir
    Path root;

    /** Child process: tries to open the root and prints the outcome. */
    public static void main(String[] args) {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(Paths.get(args[0])))) {
            System.out.println("OPENED");
        } catch (StorageException e) {
            System.out.println(e.kind() + " " + e.getMessage());
        }
    }

    private String runChild() throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RootLockProcessTest.class.getName(), root.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void secondProcessGetsLockedNamingTheRoot() throws Exception {
        try (TableEngine engine = TableEngine.open(EngineConfig.of(root))) {
            assertEquals("LOCKED root is locked by another stillpoint engine [root=" + root.toAbsolutePath() + "]",
                    runChild());
        }
        assertEquals("OPENED", runChild());
    }
}
