package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.table.StorageErrors;

import java.io.IOException;
import java.nio.file.Path;

/** The checkpoint package's {@link StorageException}s: the storage-wide ones of {@link StorageErrors}, plus hex. */
final class CheckpointErrors {

    private CheckpointErrors() {
    }

    /** An I/O failure: DISK_FULL when the OS said ENOSPC, IO otherwise. */
    static StorageException io(String reason, Path path, IOException cause) {
        return StorageErrors.io(reason, path, cause);
    }

    static boolean isDiskFull(Throwable t) {
        return StorageErrors.isDiskFull(t);
    }

    /** A file that is not what its format says: {@code reason [file=, offset=, expected=, found=]}. */
    static StorageException corrupt(String reason, Path file, long offset, Object expected, Object found) {
        return StorageErrors.corrupt(reason, file, offset, expected, found);
    }

    static String hex(int magic) {
        return String.format("0x%08x", magic);
    }
}
