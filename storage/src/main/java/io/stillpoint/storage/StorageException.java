package io.stillpoint.storage;

/**
 * Every failure the engine reports. {@link Kind} lets the server choose a SQLSTATE without parsing text.
 * Messages follow the project's style: {@code lower-case reason [key=value, ...]}.
 */
public class StorageException extends RuntimeException {

    public enum Kind {
        /** No table of that name (SQLSTATE 42P01). */
        TABLE_NOT_FOUND,
        /** A table of that name exists already (42P07). */
        TABLE_EXISTS,
        /** A value or schema the engine refuses, e.g. a wrong type or an unknown column (22P02/42804/42703). */
        INVALID,
        /** Something the engine deliberately does not do, e.g. a transaction writing two tables (0A000). */
        UNSUPPORTED,
        /** A file on disk is not what its format says (XX001). */
        CORRUPT,
        /** The root is locked by another server process (55006). */
        LOCKED,
        /** No space left on the device (53100). */
        DISK_FULL,
        /** Any other I/O failure, e.g. an injected fsync error (58030). */
        IO,
        /**
         * An operation not allowed in the checkpoint's current state (55000): CREATE while one is active, or the
         * first RELEASE after a checkpoint ended on its own.
         */
        CHECKPOINT_STATE,
        /**
         * The engine refuses to open this root because of checkpoint or restore state: a restore whose validation
         * failed, {@code _restore} without a checkpoint, or a copy of a checkpointed root started without
         * {@code _restore}. Nothing was changed on disk.
         */
        RESTORE_REFUSED
    }

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
