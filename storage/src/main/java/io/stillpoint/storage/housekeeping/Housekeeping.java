package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The only component that deletes data files. It purges directories of dropped table incarnations once no
 * snapshot pins them, partition versions superseded by a copy-on-write rewrite once no snapshot opened before
 * that rewrite is still open (the target's {@link PurgeTarget#tryClaimForPurge} decides), and at engine open the leftovers of crashes (temporary files, directories no committed
 * state references). Work runs on one daemon thread; a failed delete stays queued and is retried later, never
 * fatal. {@link #pause(String)} stops all deleting (a checkpoint pins the files on disk) until every holder
 * called {@link #resume(String)}; {@link #status()} reports the backlog for {@code housekeeping_status()}.
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

    /** The name of the one job today, in {@link #status()}: the purge of queued directories. */
    public static final String PURGE_JOB = "purge";
    /** The holder of {@link #pause()} / {@link #resume()} (tests, tools). */
    public static final String MANUAL_HOLD = "manual";
    private static final long STATUS_CACHE_NANOS = 1_000_000_000L;

    /**
     * One row of {@code housekeeping_status()}.
     *
     * @param job             the job's name ({@link #PURGE_JOB})
     * @param paused          whether it is paused (a checkpoint is active, or a manual pause)
     * @param pendingVersions directories (superseded partition versions, dropped incarnations, crash leftovers)
     *                        waiting in its queue
     * @param pendingBytes    bytes of the files under them (walked at most once a second, then cached)
     * @param lastRunAtMicros when its last pass finished, microseconds since the epoch (UTC); null if none ran yet
     */
    public record JobStatus(String job, boolean paused, long pendingVersions, long pendingBytes,
                            Long lastRunAtMicros) {
    }

    private final FileSystemFacade fs;
    private final long retryMillis;
    private final Clock clock;
    private final Set<String> holds = new TreeSet<>();
    private Long lastRunAtMicros;
    // Cache of the pending bytes walk, guarded by this.
    private long cachedBytes;
    private long cachedBytesAtNanos;
    private boolean cachedBytesValid;
    private final List<PurgeTarget> queue = new ArrayList<>();
    private final Thread thread;
    private final Object passLock = new Object(); // one pass at a time: the thread's or a caller's
    private boolean closed;
    private boolean wakeUp;
    private long failures;

    public Housekeeping(FileSystemFacade fs, long retryMillis) {
        this(fs, retryMillis, Clock.systemUTC());
    }

    public Housekeeping(FileSystemFacade fs, long retryMillis, Clock clock) {
        this.fs = fs;
        this.retryMillis = retryMillis;
        this.clock = clock;
        this.thread = new Thread(this::loop, "stillpoint-housekeeping");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Queues a target and wakes the purge thread. */
    public synchronized void enqueue(PurgeTarget target) {
        queue.add(target);
        cachedBytesValid = false;
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

    /** A manual pause ({@link #pause(String)} by {@link #MANUAL_HOLD}). */
    public void pause() {
        pause(MANUAL_HOLD);
    }

    /** Ends a manual pause; other holders' pauses stay. */
    public void resume() {
        resume(MANUAL_HOLD);
    }

    /**
     * Stops all deleting until {@code holder} calls {@link #resume(String)} (and every other holder did too). When
     * this returns, no delete is in progress: a pass that was running has stopped (it checks before each target)
     * or finished.
     */
    public void pause(String holder) {
        synchronized (this) {
            holds.add(holder);
        }
        synchronized (passLock) {
            // Waits for a pass in progress; the next one sees the hold and deletes nothing.
        }
    }

    /** Ends {@code holder}'s pause; deleting resumes once no holder is left. */
    public synchronized void resume(String holder) {
        holds.remove(holder);
        wake();
    }

    public synchronized boolean isPaused() {
        return !holds.isEmpty();
    }

    /**
     * Per job (today only {@link #PURGE_JOB}): whether it is paused, its queue, the bytes under the queued
     * directories (a walk of them, cached for up to a second) and when its last pass finished.
     */
    public List<JobStatus> status() {
        List<Path> dirs = new ArrayList<>();
        boolean paused;
        int pending;
        Long lastRun;
        Long cached = null;
        synchronized (this) {
            paused = !holds.isEmpty();
            pending = queue.size();
            lastRun = lastRunAtMicros;
            if (cachedBytesValid && System.nanoTime() - cachedBytesAtNanos < STATUS_CACHE_NANOS) {
                cached = cachedBytes;
            } else {
                for (PurgeTarget t : queue) {
                    dirs.add(t.directory());
                }
            }
        }
        long bytes;
        if (cached != null) {
            bytes = cached;
        } else {
            bytes = 0;
            for (Path d : dirs) {
                bytes += bytesUnder(d);
            }
            synchronized (this) {
                cachedBytes = bytes;
                cachedBytesAtNanos = System.nanoTime();
                cachedBytesValid = true;
            }
        }
        return List.of(new JobStatus(PURGE_JOB, paused, pending, bytes, lastRun));
    }

    /** Bytes of the regular files under {@code path} (0 for what vanished meanwhile: the purge may be deleting). */
    private long bytesUnder(Path path) {
        try {
            if (!fs.exists(path)) {
                return 0;
            }
            List<String> children;
            try {
                children = fs.list(path);
            } catch (java.nio.file.NotDirectoryException e) {
                return fs.size(path);
            }
            long sum = 0;
            for (String c : children) {
                sum += bytesUnder(path.resolve(c));
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
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
            if (!holds.isEmpty()) {
                return;
            }
            if (queue.isEmpty()) {
                lastRunAtMicros = nowMicros();
                return;
            }
            work = new ArrayList<>(queue);
        }
        for (PurgeTarget target : work) {
            synchronized (this) {
                if (!holds.isEmpty() || closed) {
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
        synchronized (this) {
            lastRunAtMicros = nowMicros();
            cachedBytesValid = false;
        }
    }

    private long nowMicros() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
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
