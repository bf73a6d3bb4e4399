package io.stillpoint.storage.housekeeping;

/**
 * What the commit-making jobs ({@link TtlJob}, {@link CompactionJob}) share: the backlog their last pass reported
 * and the count of their failed commits. A subclass does the pass and ends it with {@link #passFinished}.
 */
abstract class CommitJob implements HousekeepingJob {

    private volatile long pendingVersions;
    private volatile long pendingBytes;
    private volatile long failures;

    @Override
    public final long pendingVersions() {
        return pendingVersions;
    }

    @Override
    public final long pendingBytes() {
        return pendingBytes;
    }

    /** Commits of this job that failed since the engine opened (each retried at the next pass). */
    public final long failures() {
        return failures;
    }

    /** Counts one failed commit. */
    protected final void commitFailed() {
        failures++;
    }

    /** Publishes what the pass that just ended left pending. */
    protected final void passFinished(long versions, long bytes) {
        pendingVersions = versions;
        pendingBytes = bytes;
    }
}
