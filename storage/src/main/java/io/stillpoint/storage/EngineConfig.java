package io.stillpoint.storage;

import io.stillpoint.storage.fs.FileSystemFacade;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Where the engine lives, which file system facade it goes through (tests pass a fault-injecting one), and the
 * checkpoint policy.
 */
public record EngineConfig(Path root, FileSystemFacade fs, CheckpointPolicy checkpointPolicy,
                           HousekeepingPolicy housekeepingPolicy) {

    public EngineConfig(Path root, FileSystemFacade fs) {
        this(root, fs, CheckpointPolicy.DEFAULT);
    }

    public EngineConfig(Path root, FileSystemFacade fs, CheckpointPolicy checkpointPolicy) {
        this(root, fs, checkpointPolicy, HousekeepingPolicy.DEFAULT);
    }

    public EngineConfig withHousekeepingPolicy(HousekeepingPolicy policy) {
        return new EngineConfig(root, fs, checkpointPolicy, policy);
    }

    public static EngineConfig of(Path root) {
        return new EngineConfig(root, FileSystemFacade.real());
    }

    public EngineConfig withCheckpointPolicy(CheckpointPolicy policy) {
        return new EngineConfig(root, fs, policy, housekeepingPolicy);
    }

    /**
     * How often the housekeeping jobs that make commits (TTL, compaction) look at every table on their own (they
     * are also woken by the commits and DDL that concern them), and when compaction rewrites a partition (see
     * {@code io.stillpoint.storage.housekeeping.CompactionPolicy}).
     *
     * @param jobInterval             the period of those passes (default 1 minute)
     * @param compactionMinAppends    a partition version that received at least this many appending commits since
     *                                the engine opened is compacted (default 64; counted in memory only)
     * @param compactionMinSlackBytes a partition version whose files hold at least this many bytes past their
     *                                committed sizes (left by failed or crashed commits) is compacted (default 1 MiB)
     * @param compactionIdle          the table's newest partition, which still receives the appends, is compacted
     *                                only once no append reached it for this long (default 15 minutes)
     * @param compactionMaxRows       partitions with more rows are never compacted: the rewrite holds a partition's
     *                                rows in memory (default 2,000,000)
     */
    public record HousekeepingPolicy(Duration jobInterval, int compactionMinAppends, long compactionMinSlackBytes,
                                     Duration compactionIdle, long compactionMaxRows) {

        public static final HousekeepingPolicy DEFAULT = new HousekeepingPolicy(Duration.ofMinutes(1));

        public HousekeepingPolicy {
            if (jobInterval == null || jobInterval.isNegative() || jobInterval.isZero()) {
                throw new IllegalArgumentException("housekeeping interval must be positive [interval=" + jobInterval
                        + "]");
            }
            if (compactionMinAppends < 2 || compactionMinSlackBytes < 1 || compactionMaxRows < 1) {
                throw new IllegalArgumentException("compaction thresholds out of range [minAppends="
                        + compactionMinAppends + ", minSlackBytes=" + compactionMinSlackBytes + ", maxRows="
                        + compactionMaxRows + "]");
            }
            if (compactionIdle == null || compactionIdle.isNegative()) {
                throw new IllegalArgumentException("compaction idle time must not be negative [idle=" + compactionIdle
                        + "]");
            }
        }

        /** The default compaction thresholds with this job interval. */
        public HousekeepingPolicy(Duration jobInterval) {
            this(jobInterval, 64, 1L << 20, Duration.ofMinutes(15), 2_000_000);
        }

        public HousekeepingPolicy withJobInterval(Duration interval) {
            return new HousekeepingPolicy(interval, compactionMinAppends, compactionMinSlackBytes, compactionIdle,
                    compactionMaxRows);
        }

        /** The same policy with other compaction thresholds. */
        public HousekeepingPolicy withCompaction(int minAppends, long minSlackBytes, Duration idle, long maxRows) {
            return new HousekeepingPolicy(jobInterval, minAppends, minSlackBytes, idle, maxRows);
        }
    }

    /**
     * How long a checkpoint may live and how much free disk it must leave.
     *
     * @param defaultLease       the lease of {@code CHECKPOINT CREATE} without {@code LEASE} (default 24 hours)
     * @param diskFloorBytes     CREATE is refused, and an active checkpoint released with reason {@code disk guard},
     *                           when the usable space of the root's file system is below this (0 turns the guard off)
     * @param guardInterval      how often the lease and the free space are checked while a checkpoint is active
     * @param clock              the time source of started_at, expires_at and the lease (tests pass their own)
     */
    public record CheckpointPolicy(Duration defaultLease, long diskFloorBytes, Duration guardInterval, Clock clock) {

        public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(Duration.ofHours(24), 256L << 20,
                Duration.ofSeconds(1), Clock.systemUTC());

        public CheckpointPolicy {
            if (defaultLease == null || defaultLease.isNegative() || defaultLease.isZero()) {
                throw new IllegalArgumentException("checkpoint lease must be positive [lease=" + defaultLease + "]");
            }
            if (diskFloorBytes < 0) {
                throw new IllegalArgumentException("disk floor must not be negative [bytes=" + diskFloorBytes + "]");
            }
            if (guardInterval == null || guardInterval.isNegative() || guardInterval.isZero()) {
                throw new IllegalArgumentException("guard interval must be positive [interval=" + guardInterval + "]");
            }
        }
    }
}
