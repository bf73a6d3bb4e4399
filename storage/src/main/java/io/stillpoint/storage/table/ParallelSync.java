package io.stillpoint.storage.table;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the fsyncs of one commit concurrently: the column files, the {@code _txn} file and any created directory.
 * They are independent (the {@code _txn} record carries CRC32Cs of the data it points at, so recovery rejects a
 * record that became durable before its data), and concurrent fsyncs share the file system's journal commit and
 * the device flush: on ext4 a commit of three column files and {@code _txn} costs about one fsync instead of
 * four. A commit returns only after all of them succeeded.
 */
final class ParallelSync implements AutoCloseable {

    /** One fsync to run. */
    interface SyncAction {
        void sync() throws IOException;
    }

    private final ExecutorService pool;
    // Runs the background flushes of deferred commits' column files (Table.install), one at a time.
    private final ExecutorService background;

    ParallelSync(int threads) {
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stillpoint-fsync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stillpoint-flush");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link #syncAll} on the background thread; the future fails with the first failure. */
    Future<Void> syncAllInBackground(List<SyncAction> actions) {
        return background.submit(() -> {
            syncAll(actions);
            return null;
        });
    }

    /** Runs every action (the last one on the calling thread) and waits for all; throws the first failure. */
    void syncAll(List<SyncAction> actions) throws IOException {
        int n = actions.size();
        if (n == 0) {
            return;
        }
        if (n == 1) {
            actions.get(0).sync();
            return;
        }
        @SuppressWarnings("unchecked")
        Future<Void>[] futures = new Future[n - 1];
        for (int i = 0; i < n - 1; i++) {
            SyncAction a = actions.get(i);
            futures[i] = pool.submit(() -> {
                a.sync();
                return null;
            });
        }
        IOException failure = null;
        try {
            actions.get(n - 1).sync();
        } catch (IOException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<Void> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the commit may be acknowledged only once all are durable
                } catch (ExecutionException e) {
                    IOException io = e.getCause() instanceof IOException ? (IOException) e.getCause()
                            : new IOException("fsync failed", e.getCause());
                    if (failure == null) {
                        failure = io;
                    } else {
                        failure.addSuppressed(io);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        background.shutdown();
        pool.shutdown();
    }
}
