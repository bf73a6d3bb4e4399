package io.stillpoint.storage.table;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a table's appending commits did since the engine opened, for the compaction policy: per partition version
 * the number of appending commits it received and when the last one committed, and the number of appending commits
 * that failed (they may have left bytes past the committed sizes). Kept in memory only: a count starts at 0 at
 * every open (the {@code _txn} format does not record it), and the failure count starts at 1, since a crash before
 * the open may have left such bytes too. Updated under the table's commit lock, read by the housekeeping thread.
 */
final class AppendStats {

    /** The count of one partition version: {@code version} is the commit that wrote its directory. */
    record Counts(long version, long appendCommits, long lastAppendMillis) {
    }

    private final Map<Long, Counts> byKey = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong failedCommits = new java.util.concurrent.atomic.AtomicLong(1);

    /**
     * Notes a successful appending commit from {@code before} to {@code after}: a partition that kept its version
     * and grew received one more append; one with a new version (created, or merged copy-on-write by an
     * out-of-order insert) starts at one. Returns whether the commit opened a new partition.
     */
    boolean noteCommit(TxnState before, TxnState after, long nowMillis) {
        // Both lists ascend by key and an append never removes a partition: one merge walk, and a partition the
        // commit did not touch is the very same object in both states (a pointer comparison, no lookup).
        boolean opened = false;
        List<PartitionState> old = before.partitions;
        int i = 0;
        for (PartitionState p : after.partitions) {
            while (i < old.size() && old.get(i).key < p.key) {
                i++;
            }
            PartitionState prior = i < old.size() && old.get(i).key == p.key ? old.get(i) : null;
            if (prior == p) {
                continue; // untouched by this commit
            }
            opened |= prior == null;
            Counts c = byKey.get(p.key);
            boolean appended = prior != null && prior.version == p.version;
            long n = appended && c != null && c.version() == p.version ? c.appendCommits() + 1 : 1;
            byKey.put(p.key, new Counts(p.version, n, nowMillis));
        }
        return opened;
    }

    void noteFailedCommit() {
        failedCommits.incrementAndGet();
    }

    long failedCommits() {
        return failedCommits.get();
    }

    /** The counts of the partition version {@code version} of {@code key}, or null if none since open. */
    Counts of(long key, long version) {
        Counts c = byKey.get(key);
        return c != null && c.version() == version ? c : null;
    }
}
