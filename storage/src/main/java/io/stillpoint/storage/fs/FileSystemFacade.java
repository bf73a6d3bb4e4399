package io.stillpoint.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The only way the engine touches the file system, so tests can replace it to inject faults (a failing
 * fsync, a full disk, a crash that loses unsynced writes). Small on purpose: every method is one system call
 * or close to it. The real implementation is {@link #real()}.
 */
public interface FileSystemFacade {

    static FileSystemFacade real() {
        return RealFileSystem.INSTANCE;
    }

    /** Opens (creating if missing, never truncating) a file for positional writes and reads. */
    WritableFile openWritable(Path file) throws IOException;

    /** Opens an existing file for positional reads. */
    ReadableFile openReadable(Path file) throws IOException;

    boolean exists(Path path);

    /** Size in bytes of a regular file. */
    long size(Path file) throws IOException;

    void createDirectories(Path dir) throws IOException;

    /** Names (not paths) of the entries of a directory, sorted. */
    List<String> list(Path dir) throws IOException;

    /** Atomic rename, replacing the target if it exists. */
    void rename(Path from, Path to) throws IOException;

    /** fsync of a directory, so that entries created, renamed or deleted in it are durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Deletes a file or an empty directory. Only housekeeping and temporary-file cleanup may call it. */
    void delete(Path path) throws IOException;

    /**
     * Takes an exclusive OS lock on {@code file} (created if missing) without waiting, for the life of the
     * returned handle. Returns null if another process or another engine of this JVM holds it.
     * The default goes to the real file system, so existing facades keep working.
     */
    default FileLockHandle tryLock(Path file) throws IOException {
        return RealFileSystem.INSTANCE.tryLock(file);
    }

    /**
     * Usable bytes on the file system that holds {@code path} (the checkpoint's disk guard reads it). Tests override
     * it to simulate a filling disk.
     */
    default long usableSpace(Path path) throws IOException {
        return RealFileSystem.INSTANCE.usableSpace(path);
    }

    /**
     * Number of hard links to a regular file: more than one means another directory tree (a {@code cp -al} copy)
     * shares its bytes, so the file must not be written in place or truncated before it is replaced by a private
     * copy.
     */
    default int linkCount(Path file) throws IOException {
        return RealFileSystem.INSTANCE.linkCount(file);
    }

    /**
     * Cuts a regular file to {@code size} bytes (never extends it) and fsyncs it. Only restore may call it, on files
     * with one link, to drop bytes past a checkpoint's committed length.
     */
    default void truncate(Path file, long size) throws IOException {
        RealFileSystem.INSTANCE.truncate(file, size);
    }

    /**
     * A stable identity of a file or directory on this machine (device and inode where the OS has them), so a root
     * can tell whether it is the directory a checkpoint was taken in or a copy of it.
     */
    default String fileKey(Path path) throws IOException {
        return RealFileSystem.INSTANCE.fileKey(path);
    }

    /** A held lock; closing it releases the lock. */
    interface FileLockHandle extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** A file open for positional writes. */
    interface WritableFile extends ReadableFile {
        /** Writes all of {@code src} at {@code position}. */
        void write(ByteBuffer src, long position) throws IOException;

        /** fsync (data and metadata needed to read it back). */
        void sync() throws IOException;
    }

    /** A file open for positional reads. */
    interface ReadableFile extends AutoCloseable {
        /** Reads into {@code dst} from {@code position}; returns bytes read or -1 at end of file. */
        int read(ByteBuffer dst, long position) throws IOException;

        long size() throws IOException;

        /**
         * A read-only view of {@code size} bytes at {@code position} (which must lie within the file). The real
         * file system memory-maps them; this default copies them with positional reads, so facades that do not
         * override it stay correct.
         */
        default ByteBuffer map(long position, int size) throws IOException {
            ByteBuffer copy = ByteBuffer.allocate(size);
            long at = position;
            while (copy.hasRemaining()) {
                int n = read(copy, at);
                if (n < 0) {
                    throw new java.io.EOFException("file shorter than the mapped range [position=" + position
                            + ", size=" + size + "]");
                }
                at += n;
            }
            copy.flip();
            return copy.asReadOnlyBuffer();
        }

        @Override
        void close() throws IOException;
    }
}
