package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The only component that deletes data files. It purges directories of dropped table incarnations once no
 * snapshot pins them, partition versions superseded by a copy-on-write rewrite once no snapshot opened before
 * that rewrite is still open (the target's {@link PurgeTarget#tryClaimForPurge} decides), and at engine open the leftovers of crashes (temporary files, directories no committed
 * state references). Work runs on one daemon thread; a failed delete stays queued and is retried later, never
 * fatal. {@link #pause()} stops all deleting (a checkpoint pins the files on disk) until {@link #resume()}.
 */
public final class Housekeeping implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Housekeeping.class.getName());

    /** Something to delete: a directory, deletable once {@link #tryClaimForPurge()} says nobody uses it. */
    public interface PurgeTarget {
        Path directory();

        /** True if no reader uses it any more; after true, no new reader may start using it. */
        boolean tryClaimForPurge();

        /** Closes whatever open files the engine holds under {@link #directory()}. */
        void releaseFiles();

        /** Called once the directory is gone. */
        default void purged() {
        }
    }

    private final FileSystemFacade fs;
    private final long retryMillis;
    private final List<PurgeTarget> queue = new ArrayList<>();
    private final Thread thread;
    private final Object passLock = new Object(); // one pass at a time: the thread's or a caller's
    private boolean paused;
    private boolean closed;
    private boolean wakeUp;
    private long failures;

    public Housekeeping(FileSystemFacade fs, long retryMillis) {
        this.fs = fs;
        this.retryMillis = retryMillis;
        this.thread = new Thread(this::loop, "stillpoint-housekeeping");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Queues a target and wakes the purge thread. */
    public synchronized void enqueue(PurgeTarget target) {
        queue.add(target);
        wake();
    }

    /** Queues a plain directory or file that nothing in the engine references (crash leftovers). */
    public void enqueuePath(Path path) {
        enqueuePath(path, () -> { });
    }

    /** Like {@link #enqueuePath(Path)}, running {@code onPurged} once the path is deleted. */
    public void enqueuePath(Path path, Runnable onPurged) {
        enqueue(new PurgeTarget() {
            @Override
            public Path directory() {
                return path;
            }

            @Override
            public boolean tryClaimForPurge() {
                return true;
            }

            @Override
            public void releaseFiles() {
            }

            @Override
            public void purged() {
                onPurged.run();
            }
        });
    }

    /** Asks the thread to look at the queue now, e.g. after a snapshot of a dropped table closed. */
    public synchronized void wake() {
        wakeUp = true;
        notifyAll();
    }

    public synchronized void pause() {
        paused = true;
    }

    public synchronized void resume() {
        paused = false;
        wake();
    }

    public synchronized int pendingCount() {
        return queue.size();
    }

    /** Failed delete attempts so far (each retried later). */
    public synchronized long failureCount() {
        return failures;
    }

    /**
     * Queues every entry of {@code dir} that {@code keep} rejects (crash leftovers found at open) and returns
     * their names. Entries are deleted by the purge pass, not here.
     */
    public List<String> enqueueUnreferenced(Path dir, Predicate<String> keep) throws IOException {
        return enqueueUnreferenced(dir, keep, name -> { });
    }

    /** Like {@link #enqueueUnreferenced(Path, Predicate)}, calling {@code onPurged} with each name once deleted. */
    public List<String> enqueueUnreferenced(Path dir, Predicate<String> keep,
                                            java.util.function.Consumer<String> onPurged) throws IOException {
        List<String> queued = new ArrayList<>();
        for (String name : fs.list(dir)) {
            if (!keep.test(name)) {
                queued.add(name);
            }
        }
        for (String name : queued) {
            enqueuePath(dir.resolve(name), () -> onPurged.accept(name));
        }
        return queued;
    }

    /** One purge pass over the queue (the thread's body; tests and engine open call it directly). */
    public void runOnce() {
        synchronized (passLock) {
            runPass();
        }
    }

    private void runPass() {
        List<PurgeTarget> work;
        synchronized (this) {
            if (paused || queue.isEmpty()) {
                return;
            }
            work = new ArrayList<>(queue);
        }
        for (PurgeTarget target : work) {
            synchronized (this) {
                if (paused || closed) {
                    return;
                }
            }
            if (!target.tryClaimForPurge()) {
                continue;
            }
            target.releaseFiles();
            try {
                deleteRecursively(target.directory());
                synchronized (this) {
                    queue.remove(target);
                }
                target.purged();
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    failures++;
                }
                LOG.log(System.Logger.Level.WARNING, "delete failed, will retry [path=" + target.directory()
                        + ", error=" + e.getMessage() + "]");
            }
        }
    }

    private void deleteRecursively(Path path) throws IOException {
        if (!fs.exists(path)) {
            return;
        }
        List<String> children;
        try {
            children = fs.list(path);
        } catch (java.nio.file.NotDirectoryException e) {
            fs.delete(path);
            return;
        }
        for (String child : children) {
            deleteRecursively(path.resolve(child));
        }
        fs.delete(path);
    }

    private void loop() {
        while (true) {
            synchronized (this) {
                if (!wakeUp && !closed) {
                    try {
                        wait(retryMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeUp = false;
                if (closed) {
                    return;
                }
            }
            runOnce();
        }
    }

    /** Stops the thread (queued work not done yet is found again at the next open). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
