package io.stillpoint.storage;

/**
 * One row of {@code checkpoint_status()}. Times are microseconds since the epoch, UTC; null when they do not apply.
 *
 * @param inProgress        whether a checkpoint is active
 * @param startedAt         when the active checkpoint was created (null when none is active)
 * @param expiresAt         when its lease ends (null when none is active)
 * @param tables            tables in the active checkpoint (0 when none is active)
 * @param pinnedBytes       bytes on disk that only the active checkpoint keeps: superseded partition versions and
 *                          dropped or truncated tables waiting for the purge (0 when none is active)
 * @param lastReleaseReason how the last checkpoint ended: {@link #RELEASED}, {@link #LEASE_EXPIRED},
 *                          {@link #DISK_GUARD}, or null if none ended since the engine was created
 * @param lastReleasedAt    when the last checkpoint ended (null with lastReleaseReason)
 */
public record CheckpointStatus(boolean inProgress, Long startedAt, Long expiresAt, int tables, long pinnedBytes,
                               String lastReleaseReason, Long lastReleasedAt) {

    public static final String RELEASED = "released";
    public static final String LEASE_EXPIRED = "lease expired";
    public static final String DISK_GUARD = "disk guard";
}
