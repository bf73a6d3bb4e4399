package io.stillpoint.storage;

import java.time.Duration;
import java.util.List;

/**
 * The checkpoint coordinator of one engine ({@link Engine#checkpoints()}): at most one checkpoint at a time, global
 * to the engine, not bound to any session. While a checkpoint is active every file it references keeps at least
 * its committed length and no file is deleted, so any copy tool (cp -a, rsync, a volume snapshot) taken of the root
 * between {@link #create} and {@link #release} restores, with {@code _restore}, to the instant of create.
 * Thread-safe.
 */
public interface Checkpoints {

    /**
     * Takes one global cut across all tables (commits on every table are held for that instant only), pins it,
     * pauses every deleting housekeeping job and writes {@code <root>/.checkpoint/} durably before returning.
     * Costs O(tables), never O(data).
     *
     * @param lease how long the checkpoint may stay active before it is released automatically (reason
     *              {@code lease expired}); null for the engine's default lease
     * @throws StorageException CHECKPOINT_STATE if a checkpoint is already active (it is left untouched);
     *                          DISK_FULL if free space on the root's file system is below the disk-guard floor;
     *                          INVALID for a lease that is not positive; IO or CORRUPT if writing the checkpoint
     *                          failed, in which case nothing changed (no checkpoint, housekeeping running)
     */
    CheckpointStatus create(Duration lease);

    /**
     * Ends the active checkpoint: removes {@code .checkpoint/}, unpins, resumes housekeeping. Without an active
     * checkpoint it is a no-op, unless the last checkpoint ended on its own (lease or disk guard) and no release
     * has been called since: then it throws CHECKPOINT_STATE once, saying when and why it ended, so a backup
     * script learns that its copy is not valid.
     */
    void release();

    /** The current state, for {@code checkpoint_status()}. */
    CheckpointStatus status();

    /**
     * Every data file the active checkpoint depends on, with its committed length, paths relative to the root and
     * with '/' separators, sorted; empty when no checkpoint is active. For {@code checkpoint_files()}.
     */
    List<CheckpointFile> files();
}
