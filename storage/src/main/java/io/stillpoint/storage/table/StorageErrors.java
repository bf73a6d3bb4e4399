package io.stillpoint.storage.table;

import io.stillpoint.storage.StorageException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds {@link StorageException}s in the project's message style and maps I/O failures to their kind. Public for
 * the other storage packages (checkpoint); not part of the storage API.
 */
public final class StorageErrors {

    private StorageErrors() {
    }

    /** An I/O failure: DISK_FULL when the OS said ENOSPC, IO otherwise. */
    public static StorageException io(String reason, Path path, IOException cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        StorageException.Kind kind = isDiskFull(cause) ? StorageException.Kind.DISK_FULL : StorageException.Kind.IO;
        String message = kind == StorageException.Kind.DISK_FULL
                ? "no space left on device [path=" + path + ", during=" + reason + "]"
                : reason + " [path=" + path + ", error=" + detail + "]";
        return new StorageException(kind, message, cause);
    }

    public static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("ENOSPC"))) {
                return true;
            }
        }
        return false;
    }

    /** A file that is not what its format says: {@code reason [file=, offset=, expected=, found=]}. */
    public static StorageException corrupt(String reason, Path file, long offset, Object expected, Object found) {
        return new StorageException(StorageException.Kind.CORRUPT, reason + " [file=" + file + ", offset=" + offset
                + ", expected=" + expected + ", found=" + found + "]");
    }

    static StorageException invalid(String message) {
        return new StorageException(StorageException.Kind.INVALID, message);
    }

    static StorageException tableNotFound(String table) {
        return new StorageException(StorageException.Kind.TABLE_NOT_FOUND, "table does not exist [table=" + table + "]");
    }

    static String hex(int magic) {
        return String.format("0x%08x", magic);
    }
}
