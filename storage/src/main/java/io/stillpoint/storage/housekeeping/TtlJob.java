package io.stillpoint.storage.housekeeping;

import io.stillpoint.storage.PartitionRewriter;
import io.stillpoint.storage.PartitionSnapshot;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.Ttl;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The TTL job ({@code CREATE TABLE ... TTL 30 DAYS}, {@code ALTER TABLE t SET TTL 12 HOURS}). For every table with a
 * TTL, on its latest committed state: the reference is the smaller of the table's largest designated timestamp and
 * the engine clock's now (so a table fed with old data keeps its last TTL's worth, and rows stamped in the future
 * do not expire everything else); every partition whose whole period ends at or before
 * {@code ttl.cutoffMicros(reference)} has expired. All expired partitions of a table are dropped in one commit,
 * through the same copy-on-write path as {@code ALTER TABLE DROP PARTITION} ({@link JobTables#rewrite}): the
 * rewriter decides from metadata alone (the partition's name) and returns no rows, so no data is read; the
 * dropped versions go to the purge queue, which deletes them once no reader and no checkpoint holds them. The
 * newest partition never expires: its period holds the largest timestamp, so it ends after any cutoff.
 *
 * <p>It keeps working while housekeeping is paused by a checkpoint: a drop is a commit, and only the deletes wait.
 * A failure (IO, DISK_FULL) leaves the table unchanged; it is logged, counted and retried at the next pass.
 */
public final class TtlJob extends CommitJob {

    private static final System.Logger LOG = System.getLogger(TtlJob.class.getName());

    private final JobTables tables;
    private final LongSupplier nowMicros;
    private volatile long droppedPartitions;

    /** @param nowMicros the engine clock, microseconds since the epoch */
    public TtlJob(JobTables tables, LongSupplier nowMicros) {
        this.tables = tables;
        this.nowMicros = nowMicros;
    }

    @Override
    public String name() {
        return Housekeeping.TTL_JOB;
    }

    @Override
    public boolean stopsWhilePaused() {
        return false;
    }

    /** Partitions dropped by this job since the engine opened. */
    public long droppedPartitions() {
        return droppedPartitions;
    }

    /** The partitions of {@code table} that have expired at {@code nowMicros}, oldest first (none without a TTL). */
    public static List<JobTables.PartitionView> expired(JobTables.TableView table, long nowMicros) {
        Ttl ttl = table.schema().ttl();
        List<JobTables.PartitionView> parts = table.partitions();
        if (ttl == null || parts.isEmpty() || table.schema().timestampIndex() < 0) {
            return List.of();
        }
        long max = Long.MIN_VALUE;
        for (JobTables.PartitionView p : parts) {
            max = Math.max(max, p.maxTimestamp());
        }
        long reference = Math.min(max, nowMicros);
        long cutoff;
        try {
            cutoff = ttl.cutoffMicros(reference);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return List.of(); // a reference near the ends of time: nothing can be that old
        }
        return parts.stream().filter(p -> p.periodEndMicros() <= cutoff).toList();
    }

    @Override
    public void runPass(boolean paused) {
        long versions = 0;
        long bytes = 0;
        long now = nowMicros.getAsLong();
        for (JobTables.TableView t : tables.tables()) {
            List<JobTables.PartitionView> expired = expired(t, now);
            if (expired.isEmpty()) {
                continue;
            }
            Set<String> names = new HashSet<>();
            long expiredBytes = 0;
            for (JobTables.PartitionView p : expired) {
                names.add(p.name());
                expiredBytes += p.committedBytes();
            }
            try {
                long txn = tables.rewrite(t.name(), t.id(), dropping(names));
                if (txn >= 0) {
                    droppedPartitions += names.size();
                    LOG.log(System.Logger.Level.INFO, "ttl dropped expired partitions [table=" + t.name()
                            + ", ttl=" + t.schema().ttl() + ", partitions=" + names.size() + ", txn=" + txn + "]");
                }
            } catch (StorageException e) {
                commitFailed();
                versions += names.size();
                bytes += expiredBytes;
                LOG.log(System.Logger.Level.WARNING, "ttl drop failed, will retry at the next pass [table="
                        + t.name() + ", partitions=" + names.size() + ", error=" + e.getMessage() + "]");
            }
        }
        passFinished(versions, bytes);
    }

    /** Drops exactly the partitions named, from metadata alone; the others are not touched. */
    private static PartitionRewriter dropping(Set<String> names) {
        return new PartitionRewriter() {
            @Override
            public boolean mayTouch(PartitionSnapshot partition) {
                return names.contains(partition.name());
            }

            @Override
            public List<Object[]> rewrite(PartitionSnapshot partition) {
                return List.of();
            }
        };
    }
}
