package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The compaction job: rewrites each partition version that {@link CompactionPolicy} picks as one compact
 * copy-on-write version, one commit per partition, through the same path as UPDATE ({@link JobTables#rewrite}):
 * under the table's commit lock on its latest state, so an insert committed meanwhile is part of what is rewritten
 * (never lost); its rows, identical and in the same order, go into a new directory {@code <partition>.<txn>/} of
 * exact-length files (no bytes past the committed sizes); readers keep their pinned version, which goes to the
 * purge queue. A crash leaves the old or the new state, and an unfinished version directory is a leftover the purge
 * deletes.
 *
 * <p>In this engine appends already land contiguously in a partition's files and DELETE and UPDATE write compact
 * versions, so no deleted rows accumulate; what compaction reclaims is the bytes failed or crashed commits left
 * past the committed sizes, and it gives a partition fed by many small commits a fresh version written in one go.
 *
 * <p>It does not run while housekeeping is paused (a checkpoint pins the old version, so the new one would only
 * duplicate pinned data): the pass checks the pause first, and the rewriter checks it again under the commit lock
 * and then leaves the partition as it is. A failure (IO, DISK_FULL) leaves the table unchanged and is retried at the
 * next pass. Bytes past the committed sizes are measured (a stat per column file, no data read) for a table at the
 * first pass after open and after each failed append of it, and remembered per version until it is compacted.
 */
public final class CompactionJob extends CommitJob {

    private static final System.Logger LOG = System.getLogger(CompactionJob.class.getName());

    private final JobTables tables;
    private final CompactionPolicy policy;
    private final BooleanSupplier paused;
    private final LongSupplier nowMillis;
    // Per incarnation id: the failed-commit count at which its slack was last measured, and what was found then
    // (partition directory name to bytes past committed). Only the jobs pass touches these.
    private final Map<Long, Long> measuredAtFailures = new HashMap<>();
    private final Map<Long, Map<String, Long>> slack = new HashMap<>();
    private volatile long compactedPartitions;

    /**
     * @param paused    whether housekeeping is paused now (checked again under the commit lock)
     * @param nowMillis the engine clock, epoch milliseconds
     */
    public CompactionJob(JobTables tables, CompactionPolicy policy, BooleanSupplier paused, LongSupplier nowMillis) {
        this.tables = tables;
        this.policy = policy;
        this.paused = paused;
        this.nowMillis = nowMillis;
    }

    @Override
    public String name() {
        return Housekeeping.COMPACTION_JOB;
    }

    @Override
    public boolean stopsWhilePaused() {
        return true;
    }

    /** Partitions compacted since the engine opened. */
    public long compactedPartitions() {
        return compactedPartitions;
    }

    @Override
    public void runPass(boolean pausedNow) {
        // While paused the pass still looks (metadata and stats only), to report what waits, but commits nothing.
        long versions = 0;
        long bytes = 0;
        Set<Long> live = new HashSet<>();
        for (JobTables.TableView t : tables.tables()) {
            live.add(t.id());
            Map<String, Long> tableSlack = measureSlack(t);
            List<JobTables.PartitionView> parts = t.partitions();
            for (int i = 0; i < parts.size(); i++) {
                JobTables.PartitionView p = parts.get(i);
                String dir = p.name() + "." + p.version();
                long s = tableSlack.getOrDefault(dir, 0L);
                String why = policy.reason(p, i == parts.size() - 1, s, nowMillis.getAsLong());
                if (why == null) {
                    continue;
                }
                if (pausedNow || paused.getAsBoolean()) {
                    versions++;
                    bytes += s;
                    continue;
                }
                try {
                    long txn = tables.rewrite(t.name(), t.id(), compacting(p.name(), t.schema().columnCount()));
                    if (txn >= 0) {
                        compactedPartitions++;
                        tableSlack.remove(dir);
                        LOG.log(System.Logger.Level.INFO, "compacted partition [table=" + t.name() + ", partition="
                                + p.name() + ", reason=" + why + ", txn=" + txn + "]");
                    } else if (paused.getAsBoolean()) {
                        versions++;
                        bytes += s;
                    }
                } catch (StorageException e) {
                    commitFailed();
                    versions++;
                    bytes += s;
                    LOG.log(System.Logger.Level.WARNING, "compaction failed, will retry at the next pass [table="
                            + t.name() + ", partition=" + p.name() + ", error=" + e.getMessage() + "]");
                }
            }
        }
        measuredAtFailures.keySet().retainAll(live);
        slack.keySet().retainAll(live);
        passFinished(versions, bytes);
    }

    /** The table's bytes past committed per version directory, measured again if an append failed since. */
    private Map<String, Long> measureSlack(JobTables.TableView t) {
        Map<String, Long> known = slack.computeIfAbsent(t.id(), k -> new HashMap<>());
        Long at = measuredAtFailures.get(t.id());
        Set<String> current = new HashSet<>();
        for (JobTables.PartitionView p : t.partitions()) {
            current.add(p.name() + "." + p.version());
        }
        known.keySet().retainAll(current);
        if (at != null && at == t.failedCommits()) {
            return known;
        }
        known.clear();
        for (JobTables.PartitionView p : t.partitions()) {
            long s = tables.bytesPastCommitted(t.name(), t.id(), p.name(), p.version());
            if (s > 0) {
                known.put(p.name() + "." + p.version(), s);
            }
        }
        measuredAtFailures.put(t.id(), t.failedCommits());
        return known;
    }

    /** Rewrites the named partition with its own rows, unless housekeeping got paused meanwhile. */
    private PartitionRewriter compacting(String partitionName, int columns) {
        return new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot partition) {
                return partition.name().equals(partitionName) && !paused.getAsBoolean();
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot partition) {
                List<Object[]> rows = new ArrayList<>((int) Math.min(partition.rowCount(), Integer.MAX_VALUE - 8));
                partition.readAllRows(columns, rows);
                return rows;
            }
        };
    }
}
