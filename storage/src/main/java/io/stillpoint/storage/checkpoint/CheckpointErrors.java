package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.StorageException;

import java.io.IOException;
import java.nio.file.Path;

/** Builds the checkpoint package's {@link StorageException}s in the project's message style. */
final class CheckpointErrors {

    private CheckpointErrors() {
    }

    /** An I/O failure: DISK_FULL when the OS said ENOSPC, IO otherwise. */
    static StorageException io(String reason, Path path, IOException cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (isDiskFull(cause)) {
            return new StorageException(StorageException.Kind.DISK_FULL, "no space left on device [path=" + path
                    + ", during=" + reason + "]", cause);
        }
        return new StorageException(StorageException.Kind.IO, reason + " [path=" + path + ", error=" + detail + "]",
                cause);
    }

    static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("ENOSPC"))) {
                return true;
            }
        }
        return false;
    }

    /** A file that is not what its format says: {@code reason [file=, offset=, expected=, found=]}. */
    static StorageException corrupt(String reason, Path file, long offset, Object expected, Object found) {
        return new StorageException(StorageException.Kind.CORRUPT, reason + " [file=" + file + ", offset=" + offset
                + ", expected=" + expected + ", found=" + found + "]");
    }

    static String hex(int magic) {
        return String.format("0x%08x", magic);
    }
}
