package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.CheckpointFile;
import io.stillpoint.storage.CheckpointStatus;
import io.stillpoint.storage.Checkpoints;
import io.stillpoint.storage.EngineConfig;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.fs.FileSystemFacade;
import io.stillpoint.storage.housekeeping.Housekeeping;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The checkpoint coordinator of one engine ({@link Checkpoints}): at most one checkpoint, global to the engine.
 *
 * <p>CREATE pauses every deleting housekeeping job first (waiting for a delete in progress), then takes the
 * engine's global cut (commits held for that instant only), then writes {@code .checkpoint/}
 * ({@link CheckpointDirectory}) durably; only then is the checkpoint active. Pausing before the cut matters: a
 * version superseded just after the cut must not be purged. Any failure resumes housekeeping and leaves no
 * checkpoint. RELEASE removes the directory and resumes housekeeping, which then deletes what waited.
 *
 * <p>A daemon thread checks every {@code guardInterval} whether the lease ran out or free space on the root's file
 * system fell below the floor; either releases the checkpoint, logs it, and writes a {@link CheckpointEndedRecord}
 * so that the first RELEASE after it (even after a restart) fails once with when and why it ended.
 *
 * <p>The checkpoint survives a restart: {@link #recoverAtOpen} (called by the engine's open after restore and
 * before it loads tables) finds {@code .checkpoint}, checks that it was taken in this very directory (a copy
 * started without {@code _restore} is refused), and the engine keeps housekeeping paused. Thread-safe: one monitor
 * serializes create, release, the guard and status.
 */
public final class CheckpointCoordinator implements Checkpoints, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CheckpointCoordinator.class.getName());
    /** The housekeeping pause holder of an active checkpoint. */
    public static final String HOUSEKEEPING_HOLD = "checkpoint";

    private final FileSystemFacade fs;
    private final Path root;
    private final Housekeeping housekeeping;
    private final EngineConfig.CheckpointPolicy policy;
    private final Supplier<CheckpointDirectory.Cut> cutter;
    private final Thread guard;
    // Deletes .checkpoint.released after a release (a later release renames to a fresh name meanwhile).
    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "stillpoint-checkpoint-cleanup");
                t.setDaemon(true);
                return t;
            });
    private final Object guardSignal = new Object();
    private boolean stopped; // guarded by guardSignal

    // Guarded by this.
    private Active active;
    private CheckpointEndedRecord ended; // the unreported end of the last checkpoint, if it ended on its own
    private String lastReleaseReason;
    private Long lastReleasedAt;
    private boolean closed;

    /** The active checkpoint: its header and manifest. */
    private record Active(CheckpointDirectory.Header header, List<CheckpointFile> files) {
    }

    /**
     * What {@link #recoverAtOpen} found: the checkpoint that stays active (null if none) and the unreported end of
     * the last one (null if none).
     */
    public record AtOpen(CheckpointDirectory.Contents active, CheckpointEndedRecord ended) {
    }

    public CheckpointCoordinator(FileSystemFacade fs, Path root, Housekeeping housekeeping,
                                 EngineConfig.CheckpointPolicy policy, Supplier<CheckpointDirectory.Cut> cutter,
                                 AtOpen atOpen) {
        this.fs = fs;
        this.root = root;
        this.housekeeping = housekeeping;
        this.policy = policy;
        this.cutter = cutter;
        if (atOpen != null && atOpen.active() != null) {
            this.active = new Active(atOpen.active().header(), atOpen.active().manifest());
        }
        if (atOpen != null && atOpen.ended() != null) {
            this.ended = atOpen.ended();
            this.lastReleaseReason = ended.reason();
            this.lastReleasedAt = ended.endedAtMicros();
        }
        this.guard = new Thread(this::guardLoop, "stillpoint-checkpoint-guard");
        this.guard.setDaemon(true);
    }

    /**
     * The checkpoint state of a root at engine open, before tables are loaded (and after a restore, which removes
     * {@code .checkpoint} when it completes): discards an unfinished create or removal; a {@code .checkpoint} taken
     * in another directory is refused (this root is a copy); one whose lease ran out while the engine was down is
     * released with reason {@code lease expired}. The caller pauses housekeeping with {@link #HOUSEKEEPING_HOLD}
     * when {@link AtOpen#active()} is not null, before anything is purged.
     *
     * @throws StorageException RESTORE_REFUSED for a copy started without {@code _restore}; CORRUPT for a damaged
     *                          checkpoint directory; IO
     */
    public static AtOpen recoverAtOpen(FileSystemFacade fs, Path root, EngineConfig.CheckpointPolicy policy) {
        CheckpointDirectory.discardLeftovers(fs, root);
        CheckpointEndedRecord ended;
        try {
            ended = CheckpointEndedRecord.read(fs, root);
        } catch (StorageException e) {
            if (e.kind() != StorageException.Kind.CORRUPT) {
                throw e;
            }
            // Still tell the next RELEASE that the last checkpoint ended on its own; when and why are lost.
            LOG.log(System.Logger.Level.WARNING, "checkpoint ended record unreadable, reporting it as ended "
                    + "[error=" + e.getMessage() + "]");
            ended = new CheckpointEndedRecord("unknown (ended record damaged)", 0, 0);
        }
        if (!CheckpointDirectory.exists(fs, root)) {
            return new AtOpen(null, ended);
        }
        CheckpointDirectory.Header header = CheckpointDirectory.readHeader(fs, root);
        String identity;
        try {
            identity = fs.fileKey(root);
        } catch (IOException e) {
            throw CheckpointErrors.io("cannot read the root's identity", root, e);
        }
        if (!identity.equals(header.rootFileKey())) {
            throw new StorageException(StorageException.Kind.RESTORE_REFUSED, "root holds a checkpoint taken in "
                    + "another directory: this is a copy; touch _restore in it to restore the checkpoint [root="
                    + root + ", checkpoint_root=" + header.rootPath() + "]");
        }
        if (ended != null && ended.startedAtMicros() == header.createdAtMicros()) {
            // It ended on its own and the engine stopped before the directory was removed: finish that.
            CheckpointDirectory.remove(fs, root);
            return new AtOpen(null, ended);
        }
        CheckpointDirectory.Contents contents = CheckpointDirectory.read(fs, root);
        long now = micros(policy.clock().instant());
        if (now >= header.expiresAtMicros()) {
            CheckpointEndedRecord record = new CheckpointEndedRecord(CheckpointStatus.LEASE_EXPIRED, now,
                    header.createdAtMicros());
            record.write(fs, root);
            CheckpointDirectory.remove(fs, root);
            logEnded(record, header, "while the engine was down");
            return new AtOpen(null, record);
        }
        return new AtOpen(contents, ended);
    }

    /** Starts the lease and disk guard thread. */
    public void start() {
        guard.start();
    }

    @Override
    public CheckpointStatus create(Duration lease) {
        Duration effective = lease == null ? policy.defaultLease() : lease;
        if (effective.isNegative() || effective.isZero()) {
            throw new StorageException(StorageException.Kind.INVALID, "checkpoint lease must be positive [lease="
                    + effective + "]");
        }
        synchronized (this) {
            checkOpen();
            if (active != null) {
                throw new StorageException(StorageException.Kind.CHECKPOINT_STATE, "checkpoint is already active, "
                        + "release it first [started_at=" + format(active.header().createdAtMicros()) + "]");
            }
            long floor = policy.diskFloorBytes();
            if (floor > 0) {
                long free = usableSpace();
                if (free >= 0 && free < floor) {
                    throw new StorageException(StorageException.Kind.DISK_FULL, "free disk space below the "
                            + "checkpoint floor [free=" + free + ", floor=" + floor + "]");
                }
            }
            if (CheckpointDirectory.exists(fs, root)) {
                // Left by a create whose cleanup failed; no checkpoint owns it.
                removeDirectory();
            }
            if (ended != null) {
                // A new CREATE clears the unreported end of the last one; before the new checkpoint exists, so that
                // a crash in between cannot leave a record that names the new one.
                CheckpointEndedRecord.clear(fs, root);
                ended = null;
            }
            housekeeping.pause(HOUSEKEEPING_HOLD);
            try {
                CheckpointDirectory.Cut cut = cutter.get();
                long now = micros(policy.clock().instant());
                long expires = plusSaturated(now, effective);
                CheckpointDirectory.Header header = CheckpointDirectory.write(fs, root, cut, now, expires);
                active = new Active(header, CheckpointDirectory.manifestOf(cut.tables()));
            } catch (RuntimeException e) {
                housekeeping.resume(HOUSEKEEPING_HOLD);
                throw e;
            }
            return statusLocked();
        }
    }

    @Override
    public void release() {
        synchronized (this) {
            checkOpen();
            if (active != null) {
                removeDirectory(); // throws if the rename failed: the checkpoint stays active
                active = null;
                try {
                    CheckpointEndedRecord.clear(fs, root); // one a failed guard release may have left
                } catch (StorageException e) {
                    LOG.log(System.Logger.Level.WARNING, "checkpoint ended record not deleted [error="
                            + e.getMessage() + "]");
                }
                lastReleaseReason = CheckpointStatus.RELEASED;
                lastReleasedAt = micros(policy.clock().instant());
                housekeeping.resume(HOUSEKEEPING_HOLD);
                return;
            }
            if (ended != null) {
                CheckpointEndedRecord e = ended;
                ended = null;
                try {
                    CheckpointEndedRecord.clear(fs, root);
                } catch (StorageException ex) {
                    LOG.log(System.Logger.Level.WARNING, "checkpoint ended record not deleted [error="
                            + ex.getMessage() + "]");
                }
                throw new StorageException(StorageException.Kind.CHECKPOINT_STATE, "checkpoint ended before "
                        + "release, the copy is not valid [reason=" + e.reason() + ", ended_at="
                        + format(e.endedAtMicros()) + ", started_at=" + format(e.startedAtMicros()) + "]");
            }
        }
    }

    @Override
    public synchronized CheckpointStatus status() {
        return statusLocked();
    }

    private CheckpointStatus statusLocked() {
        if (active == null) {
            return new CheckpointStatus(false, null, null, 0, 0, lastReleaseReason, lastReleasedAt);
        }
        long pinned = 0;
        for (Housekeeping.JobStatus job : housekeeping.status()) {
            if (job.job().equals(Housekeeping.PURGE_JOB)) { // what waits to be deleted; the other jobs delete nothing
                pinned += job.pendingBytes();
            }
        }
        CheckpointDirectory.Header h = active.header();
        return new CheckpointStatus(true, h.createdAtMicros(), h.expiresAtMicros(), h.tableCount(), pinned,
                lastReleaseReason, lastReleasedAt);
    }

    @Override
    public synchronized List<CheckpointFile> files() {
        return active == null ? List.of() : active.files();
    }

    /**
     * One check of the lease and the disk guard now (the guard thread calls it every {@code guardInterval}; tests
     * call it after moving their clock). Returns the reason the active checkpoint was released, or null.
     */
    public String checkGuards() {
        synchronized (this) {
            if (active == null || closed) {
                return null;
            }
            CheckpointDirectory.Header h = active.header();
            long now = micros(policy.clock().instant());
            String reason = null;
            String detail = "";
            if (now >= h.expiresAtMicros()) {
                reason = CheckpointStatus.LEASE_EXPIRED;
            } else if (policy.diskFloorBytes() > 0) {
                long free = usableSpace();
                if (free >= 0 && free < policy.diskFloorBytes()) {
                    reason = CheckpointStatus.DISK_GUARD;
                    detail = ", free=" + free + ", floor=" + policy.diskFloorBytes();
                }
            }
            if (reason == null) {
                return null;
            }
            CheckpointEndedRecord record = new CheckpointEndedRecord(reason, now, h.createdAtMicros());
            // The record first: a crash before the removal is finished at the next open (the record names it).
            try {
                record.write(fs, root);
            } catch (StorageException e) {
                // The release matters more (the disk may be filling): it goes ahead; the end is then reported by
                // this process only, not after a restart.
                LOG.log(System.Logger.Level.WARNING, "checkpoint ended record not written [reason=" + reason
                        + ", error=" + e.getMessage() + "]");
            }
            removeDirectory();
            ended = record;
            active = null;
            lastReleaseReason = reason;
            lastReleasedAt = now;
            housekeeping.resume(HOUSEKEEPING_HOLD);
            logEnded(record, h, detail.isEmpty() ? null : detail.substring(2));
            return reason;
        }
    }

    /**
     * Removes {@code .checkpoint}: the durable rename now (the checkpoint is gone when this returns), the deletion
     * of the renamed metadata on a background thread, so RELEASE does not wait for a thousand unlinks.
     */
    private void removeDirectory() {
        CheckpointDirectory.retire(fs, root);
        try {
            background.execute(() -> CheckpointDirectory.deleteReleased(fs, root));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: the next open discards it.
        }
    }

    private static void logEnded(CheckpointEndedRecord r, CheckpointDirectory.Header h, String detail) {
        LOG.log(System.Logger.Level.WARNING, "checkpoint released [reason=" + r.reason() + ", started_at="
                + format(h.createdAtMicros()) + ", expires_at=" + format(h.expiresAtMicros()) + ", ended_at="
                + format(r.endedAtMicros()) + (detail == null ? "" : ", " + detail) + "]");
    }

    private long usableSpace() {
        try {
            return fs.usableSpace(root);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read free disk space [root=" + root + ", error="
                    + e.getMessage() + "]");
            return -1;
        }
    }

    private void guardLoop() {
        long intervalMillis = Math.max(1, policy.guardInterval().toMillis());
        while (true) {
            synchronized (guardSignal) {
                if (stopped) {
                    return;
                }
                try {
                    guardSignal.wait(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (stopped) {
                    return;
                }
            }
            try {
                checkGuards();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checkpoint guard failed, will retry [error=" + e.getMessage()
                        + "]");
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.IO, "engine is closed [root=" + root + "]");
        }
    }

    /** Stops the guard thread. Does not release: the checkpoint stays active across a restart. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        synchronized (guardSignal) {
            stopped = true;
            guardSignal.notifyAll();
        }
        background.shutdown();
        try {
            background.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (guard.isAlive() && guard != Thread.currentThread()) {
            try {
                guard.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static long plusSaturated(long micros, Duration d) {
        long add;
        try {
            add = Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1_000);
            return Math.addExact(micros, add);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Microseconds since the epoch as an ISO-8601 instant, e.g. {@code 2026-11-22T13:55:01.123456Z}. */
    static String format(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
                .toString();
    }
}
