package io.stillpoint.storage.checkpoint;

import io.stillpoint.storage.fs.FileSystemFacade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Hard-link safety: a root copied with {@code cp -al} shares its files' inodes with the original, so neither
 * database may change a byte the other one sees. Every writer that changes an existing file in place (column
 * appends, {@code _txn} slot writes, restore's cuts) first asks {@link #isShared}; a file with more than one link is
 * then replaced by a private copy of its committed prefix ({@link #privatize}): the first {@code length} bytes are
 * copied to {@code <name>.private.tmp} in the same directory, fsynced, renamed over the original name, and the
 * directory is fsynced. The rename only changes this tree's directory entry, never the shared inode, so the other
 * tree keeps its bytes; the caller then reopens its handle. A crash before the rename leaves the temp file (the
 * next privatisation of the same file replaces it; it is never read), a crash after it leaves the private copy,
 * which holds every committed byte. Reading the shared prefix is safe because no writer of either tree changes a
 * shared inode, and bytes below a committed size are never rewritten.
 */
public final class PrivateCopies {

    /** Suffix of the temporary copy, next to the file it replaces. */
    public static final String TEMP_SUFFIX = ".private.tmp";
    private static final int CHUNK = 1 << 20;

    private PrivateCopies() {
    }

    /** True if {@code file} exists and has more than one hard link (a stat; cheap enough once per commit). */
    public static boolean isShared(FileSystemFacade fs, Path file) throws IOException {
        return fs.exists(file) && fs.linkCount(file) > 1;
    }

    /**
     * Before the root lock is taken. A {@code .lock} hard-linked with another tree's is the same inode, so the OS
     * lock of an engine running on the original would refuse the copy (and vice versa). To tell "linked from another
     * tree" from "another engine runs on this very root", {@code .lock.owner} next to it names the root of the engine
     * that last locked it ({@link #recordLockOwner}; a separate file because closing any descriptor of a locked file
     * drops the process's POSIX lock on it). A shared lock file whose owner file names another root (or nothing) is
     * unlinked from this tree only, so the lock then creates a private one; one naming this root is left alone, so a
     * second engine on the same root is still refused by the lock.
     *
     * <p>Owner file (format version {@value #LOCK_OWNER_VERSION}), little-endian: int magic 0x53504c4b "SPLK",
     * int format version, int byte length n, n bytes UTF-8 of the absolute root path. Anything else (missing, an
     * older engine's root, a foreign or torn file) names nothing.
     */
    public static void unshareLockFile(FileSystemFacade fs, Path root, Path lockFile) throws IOException {
        if (isShared(fs, lockFile) && !root.toAbsolutePath().toString().equals(lockOwner(fs, lockFile))) {
            fs.delete(lockFile); // this tree's name only; the other tree's file and lock are untouched
        }
    }

    /**
     * After the lock is held: records {@code root} in {@code .lock.owner} unless it says so already (a shared owner
     * file is replaced, never written into). Advisory: a failure is ignored, the lock itself protects the root.
     */
    public static void recordLockOwner(FileSystemFacade fs, Path root, Path lockFile) {
        try {
            String owner = root.toAbsolutePath().toString();
            if (owner.equals(lockOwner(fs, lockFile))) {
                return;
            }
            Path ownerFile = ownerFile(lockFile);
            if (fs.exists(ownerFile)) {
                fs.delete(ownerFile); // stale or shared: a new file, never a write into a linked inode
            }
            byte[] path = owner.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer record = ByteBuffer.allocate(12 + path.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            record.putInt(LOCK_OWNER_MAGIC).putInt(LOCK_OWNER_VERSION).putInt(path.length).put(path).flip();
            try (FileSystemFacade.WritableFile f = fs.openWritable(ownerFile)) {
                f.write(record, 0);
                f.sync();
            }
        } catch (IOException | RuntimeException ignored) {
            // Advisory only (see above).
        }
    }

    static final int LOCK_OWNER_MAGIC = 0x53504c4b;
    static final int LOCK_OWNER_VERSION = 1;

    private static Path ownerFile(Path lockFile) {
        return lockFile.resolveSibling(lockFile.getFileName() + ".owner");
    }

    /** The root {@code .lock.owner} names, or null if it names none. */
    static String lockOwner(FileSystemFacade fs, Path lockFile) throws IOException {
        Path ownerFile = ownerFile(lockFile);
        if (!fs.exists(ownerFile)) {
            return null;
        }
        try (FileSystemFacade.ReadableFile f = fs.openReadable(ownerFile)) {
            long size = f.size();
            if (size < 12 || size > 12 + 65536) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (buf.hasRemaining() && f.read(buf, buf.position()) > 0) {
                // read it all
            }
            if (buf.position() < 12 || buf.getInt(0) != LOCK_OWNER_MAGIC || buf.getInt(4) != LOCK_OWNER_VERSION) {
                return null;
            }
            int n = buf.getInt(8);
            if (n < 0 || 12 + n != buf.position()) {
                return null;
            }
            return new String(buf.array(), 12, n, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * Replaces {@code file} by a private copy of its first {@code length} bytes if it is shared; returns whether it
     * did (then every open handle of the file still points at the shared inode and must be reopened before a write).
     */
    public static boolean privatizeIfShared(FileSystemFacade fs, Path file, long length) throws IOException {
        if (!isShared(fs, file)) {
            return false;
        }
        privatize(fs, file, length);
        return true;
    }

    /**
     * Replaces {@code file} by a private copy of its first {@code length} bytes (tmp, fsync, rename, fsync of the
     * directory).
     *
     * @throws IOException also when the file holds fewer than {@code length} bytes
     */
    public static void privatize(FileSystemFacade fs, Path file, long length) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve(file.getFileName() + TEMP_SUFFIX);
        if (fs.exists(temp)) {
            fs.delete(temp); // a crash leftover; may itself be a hard link, so never write into it
        }
        try (FileSystemFacade.ReadableFile in = fs.openReadable(file);
             FileSystemFacade.WritableFile out = fs.openWritable(temp)) {
            long size = in.size();
            if (size < length) {
                throw new IOException("file shorter than the prefix to copy [file=" + file + ", expected=>=" + length
                        + ", found=" + size + "]");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(length, 1)));
            long at = 0;
            while (at < length) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), length - at));
                while (buf.hasRemaining()) {
                    int n = in.read(buf, at + buf.position());
                    if (n < 0) {
                        throw new IOException("file ended while copying its prefix [file=" + file + ", at="
                                + (at + buf.position()) + ", expected=" + length + "]");
                    }
                }
                buf.flip();
                out.write(buf, at);
                at += buf.limit();
            }
            out.sync();
        }
        fs.rename(temp, file);
        fs.syncDirectory(dir);
    }
}
