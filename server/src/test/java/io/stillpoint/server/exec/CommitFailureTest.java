package io.stillpoint.server.exec;

import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.table.TableEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A commit that fails in storage surfaces as a SqlError and leaves nothing of the transaction behind. */
class CommitFailureTest {

    @TempDir
    Path root;

    /** The real file system, except that fsync fails while {@link #failSync} is set. */
    static final class FailingSyncFileSystem implements FileSystemFacade {
        final FileSystemFacade real = FileSystemFacade.real();
        volatile boolean failSync;

        @Override
        public WritableFile openWritable(Path file) throws IOException {
            WritableFile f = real.openWritable(file);
            return new WritableFile() {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    f.write(src, position);
                }

                @Override
                public void sync() throws IOException {
                    if (failSync) {
                        throw new IOException("injected fsync failure");
                    }
                    f.sync();
                }

                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    return f.read(dst, position);
                }

                @Override
                public long size() throws IOException {
                    return f.size();
                }

                @Override
                public void close() throws IOException {
                    f.close();
                }
            };
        }

        @Override
        public ReadableFile openReadable(Path file) throws IOException {
            return real.openReadable(file);
        }

        @Override
        public boolean exists(Path path) {
            return real.exists(path);
        }

        @Override
        public long size(Path file) throws IOException {
            return real.size(file);
        }

        @Override
        public void createDirectories(Path dir) throws IOException {
            real.createDirectories(dir);
        }

        @Override
        public List<String> list(Path dir) throws IOException {
            return real.list(dir);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            real.rename(from, to);
        }

        @Override
        public void syncDirectory(Path dir) throws IOException {
            if (failSync) {
                throw new IOException("injected fsync failure");
            }
            real.syncDirectory(dir);
        }

        @Override
        public void delete(Path path) throws IOException {
            real.delete(path);
        }
    }

    @Test
    void failedCommitThrowsSqlErrorAndLeavesNothing() {
        FailingSyncFileSystem fs = new FailingSyncFileSystem();
        try (TableEngine engine = TableEngine.open(new EngineConfig(root, fs))) {
            Session s = new SqlExecutor(engine).openSession("admin", Role.ADMIN, Map.of());
            ExecTestSupport.run(s, "CREATE TABLE t (a INT)");
            ExecTestSupport.run(s, "INSERT INTO t VALUES (1)");

            fs.failSync = true;
            SqlError e = assertThrows(SqlError.class, () -> ExecTestSupport.run(s, "INSERT INTO t VALUES (2), (3)"));
            assertEquals("58030", e.sqlState(), e.getMessage());
            assertEquals(TransactionStatus.IDLE, s.transactionStatus());

            ExecTestSupport.run(s, "BEGIN; INSERT INTO t VALUES (4)");
            e = assertThrows(SqlError.class, () -> ExecTestSupport.run(s, "COMMIT"));
            assertEquals("58030", e.sqlState());
            assertEquals(TransactionStatus.IDLE, s.transactionStatus());

            fs.failSync = false;
            assertEquals(List.of(List.of(1)), ExecTestSupport.run(s, "SELECT a FROM t").get(0).rows());
            ExecTestSupport.run(s, "INSERT INTO t VALUES (5)");
            assertEquals(2L, ExecTestSupport.run(s, "SELECT count(*) FROM t").get(0).value());
            s.close();
        }
    }
}
