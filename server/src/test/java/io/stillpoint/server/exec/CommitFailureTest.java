package io.stillpoint.server.exec;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.fs.FaultInjectingFileSystem;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A commit that fails in storage surfaces as a SqlError and leaves nothing of the transaction behind. */
class CommitFailureTest {

    @TempDir
    Path root;

    @Test
    void failedCommitThrowsSqlErrorAndLeavesNothing() {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            Session s = new SqlExecutor(engine).openSession("admin", Role.ADMIN, Map.of());
            ExecTestSupport.run(s, "CREATE TABLE t (a INT)");
            ExecTestSupport.run(s, "INSERT INTO t VALUES (1)");

            fs.failEverySync(true);
            SqlError e = assertThrows(SqlError.class, () -> ExecTestSupport.run(s, "INSERT INTO t VALUES (2), (3)"));
            assertEquals("58030", e.sqlState(), e.getMessage());
            assertEquals(TransactionStatus.IDLE, s.transactionStatus());

            ExecTestSupport.run(s, "BEGIN; INSERT INTO t VALUES (4)");
            e = assertThrows(SqlError.class, () -> ExecTestSupport.run(s, "COMMIT"));
            assertEquals("58030", e.sqlState());
            assertEquals(TransactionStatus.IDLE, s.transactionStatus());

            fs.failEverySync(false);
            assertEquals(List.of(List.of(1)), ExecTestSupport.run(s, "SELECT a FROM t").get(0).rows());
            ExecTestSupport.run(s, "INSERT INTO t VALUES (5)");
            assertEquals(2L, ExecTestSupport.run(s, "SELECT count(*) FROM t").get(0).value());
            s.close();
        }
    }
}
