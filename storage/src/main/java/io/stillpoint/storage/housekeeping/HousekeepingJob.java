package io.stillpoint.storage.housekeeping;

/**
 * A housekeeping job that makes commits (the TTL drops, compaction), run by {@link Housekeeping} on its thread every
 * job interval and when woken ({@link Housekeeping#wakeJob}), one pass at a time. Unlike the purge it deletes
 * nothing itself: what its commits supersede goes to the purge queue.
 */
public interface HousekeepingJob {

    /** Its name in {@link Housekeeping#status()}, e.g. {@code ttl}. */
    String name();

    /**
     * One pass over every table. {@code paused}: housekeeping is paused (a checkpoint is active); a job that must
     * not run then skips its work. Never throws: a failure is logged and the work retried at the next pass.
     */
    void runPass(boolean paused);

    /** Whether the job stands still while housekeeping is paused (its {@code paused} column). */
    boolean stopsWhilePaused();

    /** Partition versions the last pass found due but did not commit yet (failed, or skipped while paused). */
    long pendingVersions();

    /** Bytes those pending versions hold (0 where not meaningful). */
    long pendingBytes();
}
