package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.EngineConfig;

/**
 * Decides which partition versions {@link CompactionJob} rewrites, apart from how (as Lucene keeps its deletion
 * and merge policies apart from the writer), from what the engine knows without reading data:
 * <ul>
 *   <li>many small appends: the version received at least {@code compactionMinAppends} appending commits since the
 *       engine opened. The count lives in memory only (the {@code _txn} format does not record it), so it starts at
 *       0 at every open and a partition fed before a restart is judged by what it receives after;</li>
 *   <li>bytes past the committed sizes: at least {@code compactionMinSlackBytes} of them in its files, left by
 *       failed or crashed commits (invisible to readers, but on disk and in every copy of the root);</li>
 *   <li>never the table's newest partition while it still receives appends: only once no append reached it for
 *       {@code compactionIdle} (or none since open). A compaction there would be followed at once by new appends
 *       and would only race the writer for the commit lock;</li>
 *   <li>never a partition of more than {@code compactionMaxRows} rows (the rewrite holds its rows in memory), nor an
 *       empty one.</li>
 * </ul>
 * Deleted rows are no reason here: in this engine DELETE and UPDATE already write each touched partition as a new
 * compact version (copy-on-write), so no deleted rows accumulate inside a version.
 */
public final class CompactionPolicy {

    private final EngineConfig.HousekeepingPolicy policy;

    public CompactionPolicy(EngineConfig.HousekeepingPolicy policy) {
        this.policy = policy;
    }

    public EngineConfig.HousekeepingPolicy thresholds() {
        return policy;
    }

    /**
     * Why {@code p} should be compacted now, e.g. {@code 70 appending commits}, or null if it should not.
     *
     * @param newest     whether it is the table's newest partition
     * @param slackBytes bytes of its files past their committed sizes (0 if not measured)
     * @param nowMillis  the engine clock, epoch milliseconds
     */
    public String reason(JobTables.PartitionView p, boolean newest, long slackBytes, long nowMillis) {
        if (p.rowCount() == 0 || p.rowCount() > policy.compactionMaxRows()) {
            return null;
        }
        if (newest && p.lastAppendMillis() >= 0
                && nowMillis - p.lastAppendMillis() < policy.compactionIdle().toMillis()) {
            return null; // still receiving appends
        }
        if (p.appendCommits() >= policy.compactionMinAppends()) {
            return p.appendCommits() + " appending commits";
        }
        if (slackBytes >= policy.compactionMinSlackBytes()) {
            return slackBytes + " bytes past the committed sizes";
        }
        return null;
    }
}
