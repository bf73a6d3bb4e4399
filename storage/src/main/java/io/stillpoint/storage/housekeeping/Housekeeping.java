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
 *
 * <p>The same thread runs the jobs that make commits ({@link HousekeepingJob}: {@link TtlJob}, {@link CompactionJob})
 * every job interval and when one is woken ({@link #wakeJob}), after the purge pass and outside the purge's pass
 * lock: a pause never waits for one of their commits. They run while paused too (the TTL drop keeps working; what
 * it supersedes waits in the purge queue); a job that must not, such as compaction, checks the pause itself.
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

    /** The name of the purge of queued directories in {@link #status()}. */
    public static final String PURGE_JOB = "purge";
    /** The name of the TTL job ({@link TtlJob}) in {@link #status()}. */
    public static final String TTL_JOB = "ttl";
    /** The name of the compaction job ({@link CompactionJob}) in {@link #status()}. */
    public static final String COMPACTION_JOB = "compaction";
    /** The holder of {@link #pause()} / {@link #resume()} (tests, tools). */
    public static final String MANUAL_HOLD = "manual";
    private static final long STATUS_CACHE_NANOS = 1_000_000_000L;

    /**
     * One row of {@code housekeeping_status()}.
     *
     * @param job             the job's name ({@link #PURGE_JOB}, {@link #TTL_JOB}, {@link #COMPACTION_JOB})
     * @param paused          whether it is paused (a checkpoint is active, or a manual pause; the TTL job never is)
     * @param pendingVersions purge: directories (superseded partition versions, dropped incarnations, crash
     *                        leftovers) waiting in its queue; the other jobs: partition versions their last pass
     *                        found due and did not commit yet (see {@link HousekeepingJob#pendingVersions})
     * @param pendingBytes    purge: bytes of the files under them (walked at most once a second, then cached); the
     *                        other jobs: see {@link HousekeepingJob#pendingBytes}
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
    // The commit-making jobs, their last pass and the wake-ups asked for (guarded by this).
    private final List<HousekeepingJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Map<String, Long> jobLastRunAtMicros = new java.util.HashMap<>();
    private final Set<String> jobsToWake = new TreeSet<>();
    private final long jobIntervalNanos;
    private long nextJobsAtNanos;
    private final Object jobsPassLock = new Object(); // one jobs pass at a time: the thread's or a caller's

    public Housekeeping(FileSystemFacade fs, long retryMillis) {
        this(fs, retryMillis, Clock.systemUTC());
    }

    public Housekeeping(FileSystemFacade fs, long retryMillis, Clock clock) {
        this(fs, retryMillis, clock, java.time.Duration.ofMinutes(1));
    }

    /** @param jobInterval how often the {@link HousekeepingJob}s run on their own */
    public Housekeeping(FileSystemFacade fs, long retryMillis, Clock clock, java.time.Duration jobInterval) {
        this.fs = fs;
        this.retryMillis = retryMillis;
        this.clock = clock;
        this.jobIntervalNanos = jobInterval.toNanos();
        this.nextJobsAtNanos = System.nanoTime() + jobIntervalNanos;
        this.thread = new Thread(this::loop, "stillpoint-housekeeping");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Adds a job that makes commits (before {@link #start()}); it first runs one interval later, or when woken. */
    public void addJob(HousekeepingJob job) {
        jobs.add(job);
    }

    /**
     * Asks the thread to run the job of that name soon (not inline: the caller is a commit or DDL, which must not
     * wait for it). Unknown names are ignored.
     */
    public synchronized void wakeJob(String name) {
        jobsToWake.add(name);
        wakeUp = true;
        notifyAll();
    }

    /**
     * Runs one pass of every commit-making job now, on the caller's thread (waiting for a pass of the housekeeping
     * thread in progress), then one purge pass. For tests and tools: the thread does the same on its own.
     */
    public void runJobsOnce() {
        runJobs(null);
        runOnce();
    }

    /** Runs one pass of the named job now, on the caller's thread (for tests and tools). */
    public void runJobOnce(String name) {
        runJobs(Set.of(name));
    }

    private void runJobs(Set<String> only) {
        synchronized (jobsPassLock) {
            for (HousekeepingJob job : jobs) {
                if (only != null && !only.contains(job.name())) {
                    continue;
                }
                boolean paused;
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    paused = !holds.isEmpty();
                }
                try {
                    job.runPass(paused);
                } catch (RuntimeException e) {
                    // A job logs its own failures; this only keeps an unexpected one from stopping housekeeping.
                    LOG.log(System.Logger.Level.WARNING, "housekeeping job failed, will retry [job=" + job.name()
                            + ", error=" + e + "]");
                }
                synchronized (this) {
                    jobLastRunAtMicros.put(job.name(), nowMicros());
                }
            }
        }
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

    /** Whether {@code holder} holds a pause (e.g. the checkpoint's, as opposed to a manual one). */
    public synchronized boolean isPausedBy(String holder) {
        return holds.contains(holder);
    }

    /**
     * One row per job: first {@link #PURGE_JOB} (whether it is paused, its queue, the bytes under the queued
     * directories, a walk of them cached for up to a second, and when its last pass finished), then each
     * {@link HousekeepingJob} in the order added ({@link #TTL_JOB}, {@link #COMPACTION_JOB} in the engine).
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
        List<JobStatus> rows = new ArrayList<>(1 + jobs.size());
        rows.add(new JobStatus(PURGE_JOB, paused, pending, bytes, lastRun));
        for (HousekeepingJob job : jobs) {
            Long jobLastRun;
            synchronized (this) {
                jobLastRun = jobLastRunAtMicros.get(job.name());
            }
            rows.add(new JobStatus(job.name(), paused && job.stopsWhilePaused(), job.pendingVersions(),
                    job.pendingBytes(), jobLastRun));
        }
        return rows;
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

    /** The engine clock's now, epoch milliseconds (the clock tests pass in their checkpoint policy). */
    public long clockMillis() {
        return clock.millis();
    }

    /** The engine clock's now, microseconds since the epoch. */
    public long clockMicros() {
        return nowMicros();
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
            Set<String> due;
            synchronized (this) {
                long untilJobs = jobs.isEmpty() ? Long.MAX_VALUE
                        : Math.max(1, (nextJobsAtNanos - System.nanoTime()) / 1_000_000);
                if (!wakeUp && !closed && untilJobs > 0) {
                    try {
                        wait(Math.min(retryMillis, untilJobs));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeUp = false;
                if (closed) {
                    return;
                }
                if (!jobs.isEmpty() && System.nanoTime() - nextJobsAtNanos >= 0) {
                    due = null; // all of them
                    nextJobsAtNanos = System.nanoTime() + jobIntervalNanos;
                    jobsToWake.clear();
                } else if (!jobsToWake.isEmpty()) {
                    due = new TreeSet<>(jobsToWake);
                    jobsToWake.clear();
                } else {
                    due = Set.of();
                }
            }
            runOnce();
            if (due == null || !due.isEmpty()) {
                runJobs(due);
            }
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
